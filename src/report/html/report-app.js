// The report page's script: draws the data embedded in #report-data. Every name and text from the
// data goes into the page through textContent or SVG text nodes, never as markup.
(function () {
  'use strict';
  const t0 = performance.now();
  const DATA = JSON.parse(document.getElementById('report-data').textContent);
  const TEXTS = DATA.texts;
  const SVGNS = 'http://www.w3.org/2000/svg';

  const REASON_COLOURS = {
    'vm-stunned': '#7c5cff',
    'stale-local-entry': '#f0a020',
    'no-policy': '#d7263d',
    'endpoint-unknown': '#1f9bd1',
    'stale-remote-entry': '#1aa37a',
    'contract-denied': '#6b7280',
    'unknown-destination': '#c2185b',
  };
  const SERIES_COLOURS = ['#2f5fd0', '#d7263d', '#1aa37a', '#f0a020', '#7c5cff', '#1f9bd1', '#c2185b', '#6b7280', '#8a6d3b', '#0f766e'];
  const LANES = ['vMotion', 'COOP', 'Source leaves', 'Destination leaves', 'Agent', 'Host-agent', 'Controller'];
  const LANE_COLOURS = { vMotion: '#7c5cff', COOP: '#1f9bd1', 'Source leaves': '#f0a020', 'Destination leaves': '#1aa37a', Agent: '#2f5fd0', 'Host-agent': '#8a6d3b', Controller: '#c2185b' };
  const LANE_OF = {
    'migration-start': 'vMotion', 'stun-start': 'vMotion', resume: 'vMotion', garp: 'vMotion',
    'coop-update': 'COOP',
    'bounce-installed': 'Source leaves', 'source-device-moved': 'Source leaves', 'platform-config-delete-sent': 'Source leaves',
    'platform-config-delete-missed': 'Source leaves', 'source-odev-deleted': 'Source leaves', 'source-session-closed': 'Source leaves',
    'destination-learn': 'Destination leaves', 'session-ready-1': 'Destination leaves', 'session-ready-2': 'Destination leaves',
    'endpoints-declared': 'Destination leaves', 'policy-ready': 'Destination leaves', 'destination-odev-1': 'Destination leaves',
    'destination-odev-2': 'Destination leaves', converged: 'Destination leaves',
    'agent-reset': 'Agent', 'agent-reset-suppressed': 'Agent',
    'reset-conf-written': 'Host-agent',
    'annotation-none': 'Controller',
    // Multipod: the host-agent's DHCP renew and config rewrite, the controller's aci-pod annotation.
    'pod-changed': 'vMotion', 'infra-address-stranded': 'Host-agent', 'dhcp-skipped': 'Host-agent', 'dhcp-attempt': 'Host-agent',
    'dhcp-declined': 'Host-agent', 'dhcp-attempt-failed': 'Host-agent', 'dhcp-renew-failed': 'Host-agent', 'new-infra-address': 'Host-agent',
    'multicast-route-added': 'Host-agent', 'multicast-route-missing': 'Host-agent', 'agent-config-rewritten': 'Host-agent',
    'agent-reload': 'Agent', 'odev-disconnect-stamped': 'Controller', 'aci-pod-none': 'Controller', 'aci-pod-annotated': 'Controller',
  };

  // ---- Small helpers ---------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }
  function s(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function tip(node, text) {
    node.append(s('title', {}, text));
    return node;
  }
  const sec = (ms, digits = 3) => (ms === null || ms === undefined ? '—' : `${(ms / 1000).toFixed(digits)} s`);
  const reasonColour = (r) => REASON_COLOURS[r] || '#999';
  function laneOf(m, milestone) {
    const byName = LANE_OF[milestone.name];
    if (byName) return byName;
    const a = milestone.actor;
    if (a === 'vmotion') return 'vMotion';
    if (a === 'coop') return 'COOP';
    if (a.startsWith('agent:')) return 'Agent';
    if (a.startsWith('host-agent')) return 'Host-agent';
    if (a.includes('controller')) return 'Controller';
    return m.fromLeaves.includes(a) && !m.toLeaves.includes(a) ? 'Source leaves' : 'Destination leaves';
  }
  function verdict(m) {
    return m.converged
      ? el('span', { class: 'badge ok', text: `converged ${sec(m.switchoverToConvergedMs)} after the switch-over` })
      : el('span', { class: 'badge bad', text: 'did not converge before the end of the run' });
  }
  function figure(value, key) {
    return el('div', { class: 'figure' }, el('div', { class: 'v', text: value }), el('div', { class: 'k', text: key }));
  }
  function measure(container) {
    return Math.max(280, Math.floor(container.clientWidth || document.getElementById('app').clientWidth - 40));
  }

  // ---- Time window of a move (shared by its swimlane and outage bars) -----------------------------

  function moveExtent(m) {
    let lo = m.startMs;
    let hi = m.startMs;
    for (const x of m.milestones) hi = Math.max(hi, x.tMs);
    for (const f of m.flows) for (const g of f.segments) hi = Math.max(hi, g.endMs);
    return [lo, hi + Math.max(200, (hi - lo) * 0.03)];
  }
  function switchoverExtent(m) {
    const stun = m.milestones.find((x) => x.name === 'stun-start');
    if (!stun) return moveExtent(m);
    let hi = stun.tMs;
    for (const x of m.milestones) hi = Math.max(hi, x.tMs);
    for (const f of m.flows) for (const g of f.segments) hi = Math.max(hi, g.endMs);
    return [stun.tMs - 500, hi + 500];
  }
  function outageExtent(m) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const f of m.flows) for (const g of f.segments) {
      lo = Math.min(lo, g.startMs);
      hi = Math.max(hi, g.endMs);
    }
    return lo < hi ? [lo, hi] : null;
  }

  function timeAxis(svg, x, t0, t1, y, height, labelBase) {
    const g = s('g', { class: 'axis' });
    const span = t1 - t0;
    const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, 120000, 300000];
    const width = x(t1) - x(t0);
    const step = steps.find((st) => (span / st) * 70 <= width) || 600000;
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const px = x(t);
      g.append(s('line', { x1: px, x2: px, y1: y, y2: y + height }));
      const rel = (t - labelBase) / 1000;
      g.append(s('text', { x: px + 2, y: y + height + 12 }, `${rel >= 0 ? '+' : ''}${rel.toFixed(step < 1000 ? 2 : step < 10000 ? 1 : 0)}s`));
    }
    svg.append(g);
  }

  // ---- Fault windows (check) --------------------------------------------------------------------

  const FAULT_COLOUR = '#f0a020';
  function faultLabel(w) {
    return `${w.kind} ${w.target}`;
  }
  /** Shades each fault window that overlaps the drawn time range; an instant fault is a thin bar. */
  function shadeFaults(svg, faults, domain, clip, y, height) {
    for (const w of faults || []) {
      if (w.endMs < domain[0] || w.startMs > domain[1]) continue;
      const a = clip(w.startMs);
      const b = clip(w.endMs);
      svg.append(tip(s('rect', { class: 'fault-window', 'data-fault': w.fault, 'data-kind': w.kind, x: a, y, width: Math.max(2, b - a), height, fill: FAULT_COLOUR, 'fill-opacity': 0.16, stroke: FAULT_COLOUR, 'stroke-opacity': 0.6 }),
        `fault ${faultLabel(w)}: ${sec(w.startMs)} → ${w.openAtEnd ? 'end of run' : sec(w.endMs)}`));
    }
  }

  // ---- Swimlanes -------------------------------------------------------------------------------

  const LABEL_W = 138;

  function drawSwimlane(m, box, domain, faults) {
    box.replaceChildren();
    const width = measure(box);
    const [t0, t1] = domain;
    const x = (t) => LABEL_W + ((t - t0) / (t1 - t0)) * (width - LABEL_W - 10);
    const lanes = LANES.filter((l) => l === 'vMotion' || l === 'Agent' || l === 'Destination leaves' || m.milestones.some((x) => laneOf(m, x) === l));
    const rowsOf = {};
    const placed = [];
    const right = width - 10;
    for (const ms of [...m.milestones].sort((a, b) => a.tMs - b.tMs)) {
      if (ms.tMs < t0 || ms.tMs > t1) continue;
      const lane = laneOf(m, ms);
      const rows = (rowsOf[lane] ||= []);
      const px = x(ms.tMs);
      const w = ms.name.length * 6.1 + 8;
      // Labels run right of their dot, or end at it near the right edge; each takes the first free row.
      const anchorEnd = px + w > right;
      const from = anchorEnd ? px - w : px - 3;
      let row = rows.findIndex((end) => end < from);
      if (row < 0) {
        row = rows.length;
        rows.push(0);
      }
      rows[row] = from + w;
      placed.push({ ms, lane, row, px, anchorEnd });
    }
    const laneY = {};
    let y = 4;
    for (const l of lanes) {
      laneY[l] = y;
      y += 20 + Math.max(1, (rowsOf[l] || []).length) * 13;
    }
    const height = y + 18;
    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img', 'aria-label': `Milestones of migration ${m.index + 1}` });
    // Stun window and outage, shaded behind the lanes.
    const stun = m.milestones.find((q) => q.name === 'stun-start');
    const resume = m.milestones.find((q) => q.name === 'resume');
    const clip = (t) => Math.max(LABEL_W, Math.min(width - 10, x(t)));
    shadeFaults(svg, faults, domain, clip, 2, y);
    if (stun) {
      const r = tip(s('rect', { class: 'stun-window', x: clip(stun.tMs), y: 2, width: Math.max(1, clip(resume ? resume.tMs : t1) - clip(stun.tMs)), height: y, fill: '#7c5cff', 'fill-opacity': 0.12 }), `VM stunned: ${sec(stun.tMs - m.startMs)} → ${resume ? sec(resume.tMs - m.startMs) : 'end'} after the move began`);
      svg.append(r);
    }
    const out = outageExtent(m);
    if (out) {
      svg.append(tip(s('rect', { class: 'outage-window', x: clip(out[0]), y: 2, width: Math.max(1, clip(out[1]) - clip(out[0])), height: y, fill: '#d7263d', 'fill-opacity': 0.08, stroke: '#d7263d', 'stroke-opacity': 0.35, 'stroke-dasharray': '3 3' }), `Pod-traffic outage (some flow down): ${sec(out[1] - out[0])}`));
    }
    for (const l of lanes) {
      const g = s('g', { class: 'lane', 'data-lane': l });
      g.append(s('line', { x1: LABEL_W, x2: width - 10, y1: laneY[l] + 10, y2: laneY[l] + 10, stroke: '#d9dee7' }));
      g.append(s('text', { class: 'lane-label', x: 4, y: laneY[l] + 14 }, l));
      svg.append(g);
    }
    for (const p of placed) {
      const cy = laneY[p.lane] + 10;
      const g = s('g', { class: 'milestone', 'data-name': p.ms.name, 'data-lane': p.lane, 'data-t': p.ms.tMs });
      const colour = p.ms.name === 'converged' ? '#16794c' : LANE_COLOURS[p.lane];
      g.append(s('circle', { cx: p.px, cy, r: 4.5, fill: colour, stroke: '#fff', 'stroke-width': 1.5 }));
      if (p.row > 0) g.append(s('line', { x1: p.px, x2: p.px, y1: cy + 4, y2: cy + 4 + p.row * 13, stroke: colour, 'stroke-opacity': 0.5 }));
      g.append(s('text', { x: p.anchorEnd ? p.px - 3 : p.px - 3, y: cy + 16 + p.row * 13, 'text-anchor': p.anchorEnd ? 'end' : 'start' }, p.ms.name));
      const text = (TEXTS.milestones[p.ms.name] || p.ms.name) + (p.ms.detail ? ` (${p.ms.detail})` : '');
      tip(g, `${p.ms.name} at +${((p.ms.tMs - m.startMs) / 1000).toFixed(3)} s, ${p.ms.actor}: ${text}`);
      svg.append(g);
    }
    timeAxis(svg, x, t0, t1, 2, y - 2, m.startMs);
    box.append(svg);
  }

  // ---- Outage bars per flow ----------------------------------------------------------------------

  function drawFlows(m, box, domain) {
    box.replaceChildren();
    if (m.flows.length === 0) {
      box.append(el('p', { class: 'muted', text: 'No traffic probe touches this node.' }));
      return;
    }
    const width = measure(box);
    const [t0, t1] = domain;
    const right = 92;
    const x = (t) => LABEL_W + ((Math.max(t0, Math.min(t1, t)) - t0) / (t1 - t0)) * (width - LABEL_W - right);
    const rowH = 22;
    const height = m.flows.length * rowH + 20;
    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img', 'aria-label': `Outage per flow of migration ${m.index + 1}` });
    m.flows.forEach((f, i) => {
      const y = i * rowH + 2;
      const g = s('g', { class: 'flow', 'data-flow': f.name, 'data-outage-ms': f.outageMs });
      g.append(tip(s('text', { class: 'lane-label', x: 4, y: y + 14 }, f.name), `${f.name}: ${f.from} → ${f.to}`));
      g.append(s('rect', { x: LABEL_W, y: y + 4, width: width - LABEL_W - right, height: 12, fill: '#eef0f4', rx: 2 }));
      for (const seg of f.segments) {
        if (seg.endMs < t0 || seg.startMs > t1) continue;
        const w = Math.max(1.5, x(seg.endMs) - x(seg.startMs));
        g.append(tip(s('rect', { class: 'segment', 'data-reason': seg.reason, x: x(seg.startMs), y: y + 4, width: w, height: 12, fill: reasonColour(seg.reason) }), `${seg.reason}: ${seg.lost} probe(s) lost, ${sec(seg.endMs - seg.startMs)} from +${((seg.startMs - m.startMs) / 1000).toFixed(3)} s — ${TEXTS.dropReasons[seg.reason] || ''}`));
      }
      g.append(s('text', { x: width - right + 6, y: y + 14, 'font-weight': 600 }, sec(f.outageMs) + (f.downAtEnd ? ' +' : '')));
      svg.append(g);
    });
    timeAxis(svg, x, t0, t1, 2, m.flows.length * rowH, m.startMs);
    box.append(svg);
    const reasons = [...new Set(m.flows.flatMap((f) => Object.keys(f.dropped)))];
    const legend = el('div', { class: 'legend' });
    for (const r of reasons) legend.append(el('span', { 'data-reason': r, title: TEXTS.dropReasons[r] || r }, el('span', { class: 'sw', style: `background:${reasonColour(r)}` }), `${r}: ${TEXTS.dropReasons[r] || ''}`));
    box.append(legend);
    const counts = el('div', { class: 'hint' });
    for (const f of m.flows) {
      const dropped = Object.entries(f.dropped).map(([r, n]) => `${n} ${r}`).join(', ') || 'none lost';
      counts.append(el('div', { class: 'flow-summary', 'data-flow': f.name, text: `${f.name}: outage ${sec(f.outageMs)}, ${dropped}${f.downAtEnd ? ' (still down at the end)' : ''}` }));
    }
    box.append(counts);
  }

  // ---- Downloads per destination leaf ------------------------------------------------------------

  function drawDownloads(m) {
    const box = el('div', { class: 'bars' });
    const leaves = Object.entries(m.downloadsByLeaf);
    const maxN = Math.max(1, ...leaves.map(([, d]) => Math.max(d.downloaded, d.servedFromCache)));
    const subjects = [...new Set(leaves.flatMap(([, d]) => Object.keys(d.bySubject)))].sort();
    const subjectColour = (subj) => SERIES_COLOURS[subjects.indexOf(subj) % SERIES_COLOURS.length];
    for (const [leaf, d] of leaves) {
      const track = el('div', { class: 'track' });
      let left = 0;
      for (const subj of subjects) {
        const n = d.bySubject[subj] || 0;
        if (!n) continue;
        const w = (n / maxN) * 100;
        track.append(el('div', { class: 'fill', style: `left:${left}%;width:${w}%;background:${subjectColour(subj)}`, title: `${subj}: ${n} downloaded` }));
        left += w;
      }
      box.append(el('div', { class: 'row leaf-downloads', 'data-leaf': leaf, 'data-downloaded': d.downloaded, 'data-cache': d.servedFromCache },
        el('div', { text: `${leaf} downloaded` }), track, el('div', { text: `${d.downloaded}` })));
      const cache = el('div', { class: 'track' }, el('div', { class: 'fill', style: `width:${(d.servedFromCache / maxN) * 100}%;background:#9aa7bd`, title: `${d.servedFromCache} resolves served from cache` }));
      box.append(el('div', { class: 'row' }, el('div', { class: 'muted', text: `${leaf} from cache` }), cache, el('div', { class: 'muted', text: `${d.servedFromCache}` })));
    }
    if (subjects.length > 0) {
      const legend = el('div', { class: 'legend' });
      for (const subj of subjects) legend.append(el('span', {}, el('span', { class: 'sw', style: `background:${subjectColour(subj)}` }), subj));
      box.append(legend);
    }
    return box;
  }

  // ---- Sequence diagram of the switch-over -------------------------------------------------------

  function drawSequence(m) {
    const wrap = el('div');
    if (!m.exchange) {
      wrap.append(el('p', { class: 'muted', text: 'The page keeps the message exchange of the slowest moves only; pick one of those in the table, or run simulate on this move alone.' }));
      return wrap;
    }
    if (m.exchange.length === 0) {
      wrap.append(el('p', { class: 'muted', text: 'No OpFlex message was exchanged between the stun and the end of the move.' }));
      return wrap;
    }
    const parts = m.participants;
    const colW = 150;
    const width = 70 + parts.length * colW;
    // Rows: every send and every arrival in time order, so crossing messages show as in a Lamport diagram.
    const points = [];
    m.exchange.forEach((msg, i) => {
      points.push({ t: msg.sentMs, i, end: 0 });
      points.push({ t: msg.arrivedMs, i, end: 1 });
    });
    points.sort((a, b) => a.t - b.t || a.end - b.end || a.i - b.i);
    const rowOf = new Map();
    points.forEach((p, r) => rowOf.set(`${p.i}:${p.end}`, r));
    const rowH = 13;
    const top = 34;
    const height = top + points.length * rowH + 20;
    const svg = s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `OpFlex exchange of migration ${m.index + 1}` });
    const defs = s('defs');
    for (const [id, colour] of [['arrow-req', '#2f5fd0'], ['arrow-res', '#6b7280'], ['arrow-apic', '#1aa37a'], ['arrow-err', '#d7263d']]) {
      const marker = s('marker', { id: `${id}-${m.index}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
      marker.append(s('path', { d: 'M0,0 L10,5 L0,10 z', fill: colour }));
      defs.append(marker);
    }
    svg.append(defs);
    const cx = (p) => 70 + parts.indexOf(p) * colW + colW / 2;
    parts.forEach((p) => {
      const g = s('g', { class: 'participant', 'data-participant': p });
      g.append(s('rect', { x: cx(p) - 66, y: 4, width: 132, height: 22, rx: 5, fill: p === 'apic' ? '#e3f4ea' : p.startsWith('agent:') ? '#e6edff' : p === 'anycast' ? '#f3e8ff' : '#fff4e0', stroke: '#c9cfda' }));
      g.append(s('text', { x: cx(p), y: 19, 'text-anchor': 'middle', 'font-weight': 600 }, p));
      g.append(s('line', { x1: cx(p), x2: cx(p), y1: 26, y2: height - 6, stroke: '#c9cfda', 'stroke-dasharray': '4 3' }));
      svg.append(g);
    });
    m.exchange.forEach((msg, i) => {
      const y1 = top + rowOf.get(`${i}:0`) * rowH;
      const y2 = top + rowOf.get(`${i}:1`) * rowH;
      const x1 = cx(msg.from);
      const x2 = cx(msg.to);
      const kind = msg.kind === 'error' ? 'arrow-err' : msg.method === 'download' ? 'arrow-apic' : msg.kind === 'request' ? 'arrow-req' : 'arrow-res';
      const colour = { 'arrow-req': '#2f5fd0', 'arrow-res': '#6b7280', 'arrow-apic': '#1aa37a', 'arrow-err': '#d7263d' }[kind];
      const g = s('g', { class: 'message', 'data-method': msg.method, 'data-kind': msg.kind, 'data-from': msg.from, 'data-to': msg.to });
      g.append(s('line', { x1, y1, x2: x2 + (x2 > x1 ? -2 : 2), y2, stroke: colour, 'stroke-width': 1.2, 'stroke-dasharray': msg.kind === 'request' ? null : '4 2', 'marker-end': `url(#${kind}-${m.index})` }));
      const label = `${msg.kind === 'request' ? msg.method : msg.method + (msg.kind === 'error' ? ' error' : ' reply')}${msg.objects ? ' ' + shortObjects(msg.objects) : ''}`;
      // The label sits on the sending row, beside the sender, on the side the arrow leaves to.
      const toRight = x2 > x1;
      g.append(s('text', { class: 'msg', x: x1 + (toRight ? 6 : -6), y: y1 - 2, 'text-anchor': toRight ? 'start' : 'end', fill: colour }, label.length > 48 ? label.slice(0, 47) + '…' : label));
      tip(g, `${msg.from} → ${msg.to}: ${msg.method} ${msg.kind}, sent +${((msg.sentMs - m.startMs) / 1000).toFixed(3)} s, arrived after ${(msg.arrivedMs - msg.sentMs).toFixed(3)} ms\n${msg.objects}`);
      svg.append(g);
    });
    wrap.append(el('div', { class: 'legend' },
      el('span', {}, el('span', { class: 'sw', style: 'background:#2f5fd0' }), 'OpFlex request'),
      el('span', {}, el('span', { class: 'sw', style: 'background:#6b7280' }), 'reply (dashed)'),
      el('span', {}, el('span', { class: 'sw', style: 'background:#1aa37a' }), 'leaf download from APIC'),
      el('span', {}, `${m.exchange.length} messages from the stun to convergence, keepalives left out${m.exchangeDropped ? `; ${m.exchangeDropped} more past the trace's bound` : ''}`)));
    wrap.append(el('div', { class: 'seq' }, svg));
    return wrap;
  }

  function shortObjects(objects) {
    return objects.replace(/(\S+) \/(?:[^\s,]*\/)?([^\s,/]+)\/?(?=,|$| and )/g, (_, subj, last) => {
      let name = last;
      try { name = decodeURIComponent(last); } catch (e) { /* keep it encoded */ }
      return `${subj} ${name}`;
    });
  }

  // ---- One move in detail ----------------------------------------------------------------------

  function moveCard(m, options) {
    const card = el('section', { class: 'card move', 'data-migration': m.index });
    card.append(el('h3', {}, `Migration ${m.index + 1}: ${m.node}  ${m.from} (${m.fromPair}) → ${m.to} (${m.toPair})`, verdict(m)));
    card.append(el('div', { class: 'figures' },
      figure(sec(m.switchoverToConvergedMs), 'switch-over to converged'),
      figure(sec(m.outageMs), 'longest pod-traffic outage'),
      figure(String(Object.values(m.downloadsByLeaf).reduce((n, d) => n + d.downloaded, 0)), 'objects downloaded'),
      figure(m.crossLeafPair ? 'another pair' : 'same pair', 'destination')));
    const lanes = el('div', { class: 'swimlane' });
    const flows = el('div', { class: 'flows' });
    const full = moveExtent(m);
    const focus = switchoverExtent(m);
    let domain = options && options.domain ? options.domain.slice() : focus.slice();
    const faults = options && options.faults;
    const redraw = () => {
      drawSwimlane(m, lanes, domain, faults);
      drawFlows(m, flows, domain);
    };
    const zoomTo = (d) => { domain = d.slice(); redraw(); };
    card.append(el('h4', { text: 'Milestones by actor' }));
    card.append(el('div', { class: 'toolbar' },
      el('button', { text: 'Whole move', onclick: () => zoomTo(full) }),
      el('button', { text: 'Switch-over', onclick: () => zoomTo(focus) }),
      el('span', { class: 'hint', text: `Scroll to zoom, drag to pan, double-click to reset. Shaded: stun window (purple), outage (red)${faults && faults.length ? ', fault windows (amber)' : ''}.` })));
    card.append(lanes);
    card.append(el('h4', { text: 'Pod traffic: outage per flow, coloured by drop reason' }));
    card.append(flows);
    // Zoom about the pointer, pan by dragging; the outage bars follow.
    const pxToT = (box, clientX) => {
      const r = box.getBoundingClientRect();
      const f = Math.max(0, Math.min(1, (clientX - r.left - (LABEL_W * r.width) / measure(box)) / (r.width * (1 - (LABEL_W + 10) / measure(box)))));
      return domain[0] + f * (domain[1] - domain[0]);
    };
    lanes.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      const at = pxToT(lanes, ev.clientX);
      const k = ev.deltaY > 0 ? 1.25 : 0.8;
      const span = Math.max(5, (domain[1] - domain[0]) * k);
      const f = (at - domain[0]) / (domain[1] - domain[0]);
      zoomTo([at - f * span, at + (1 - f) * span]);
    }, { passive: false });
    let drag = null;
    lanes.addEventListener('pointerdown', (ev) => { drag = { x: ev.clientX, d: domain.slice() }; lanes.setPointerCapture(ev.pointerId); });
    lanes.addEventListener('pointermove', (ev) => {
      if (!drag) return;
      const r = lanes.getBoundingClientRect();
      const dt = ((ev.clientX - drag.x) / (r.width * 0.85)) * (drag.d[1] - drag.d[0]);
      zoomTo([drag.d[0] - dt, drag.d[1] - dt]);
    });
    lanes.addEventListener('pointerup', () => { drag = null; });
    lanes.addEventListener('dblclick', () => zoomTo(focus));
    card.append(el('h4', { text: 'Policy at the destination pair: downloaded from APIC by class, and served from cache' }));
    card.append(drawDownloads(m));
    card.append(el('h4', { text: 'OpFlex exchange around the switch-over' }));
    card.append(drawSequence(m));
    requestAnimationFrame(redraw);
    redraws.push(redraw);
    return card;
  }
  const redraws = [];
  let resizeTimer;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => redraws.forEach((r) => r()), 150);
  });

  // ---- Charts (uPlot) --------------------------------------------------------------------------

  function cdfSeries(values) {
    const sorted = values.filter((v) => v !== null && v !== undefined).map((v) => v / 1000).sort((a, b) => a - b);
    return { xs: sorted, ys: sorted.map((_, i) => (i + 1) / sorted.length) };
  }

  /** Several CDFs on one chart: aligned on the union of their x values (a step per value). */
  function cdfChart(box, title, named) {
    const xs = [...new Set(named.flatMap((n) => cdfSeries(n.values).xs))].sort((a, b) => a - b);
    if (xs.length === 0) {
      box.append(el('p', { class: 'muted', text: `${title}: no value to draw.` }));
      return;
    }
    const data = [xs];
    for (const n of named) {
      const c = cdfSeries(n.values);
      let j = -1;
      data.push(xs.map((x) => { while (j + 1 < c.xs.length && c.xs[j + 1] <= x) j++; return j < 0 ? 0 : c.ys[j]; }));
    }
    const holder = el('div', { class: 'chart', 'data-chart': title });
    box.append(el('h4', { text: title }), holder);
    const opts = {
      width: Math.min(620, measure(box)), height: 220,
      scales: { x: { time: false }, y: { range: [0, 1] } },
      axes: [{ label: 'seconds', size: 40 }, { label: 'share of moves', size: 50, values: (u, v) => v.map((x) => `${Math.round(x * 100)}%`) }],
      series: [{ label: 's' }, ...named.map((n, i) => ({ label: n.label, stroke: n.colour || SERIES_COLOURS[i % SERIES_COLOURS.length], width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } }))],
      legend: { live: true },
    };
    new uPlot(opts, data, holder);
  }

  function queueChart(box, queues) {
    if (queues.length === 0) return;
    const xs = [...new Set(queues.flatMap((q) => q.points.map((p) => p[0] / 1000)))].sort((a, b) => a - b);
    const data = [xs];
    for (const q of queues) {
      let j = -1;
      data.push(xs.map((x) => { while (j + 1 < q.points.length && q.points[j + 1][0] / 1000 <= x) j++; return j < 0 ? 0 : q.points[j][1]; }));
    }
    const holder = el('div', { class: 'chart', 'data-chart': 'queues' });
    box.append(el('h4', { text: 'APIC download queue depth per leaf (the deepest first)' }), holder);
    new uPlot({
      width: measure(box), height: 240,
      scales: { x: { time: false } },
      axes: [{ label: 'simulated time (s)' }, { label: 'queued downloads', size: 50 }],
      series: [{ label: 't (s)' }, ...queues.map((q, i) => ({ label: `${q.leaf} (peak ${q.peak})`, stroke: SERIES_COLOURS[i % SERIES_COLOURS.length], width: 1.5, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false } }))],
    }, data, holder);
  }

  // ---- A run -----------------------------------------------------------------------------------

  function runSummary(run, title) {
    const card = el('section', { class: 'card summary' });
    const cross = run.migrations.filter((m) => m.crossLeafPair).length;
    card.append(el('h1', { text: title }));
    card.append(el('p', { class: 'sub', text: `scenario ${run.scenario}, seed ${run.seed}, ${sec(run.durationMs, 0)} simulated, ${run.start} start` }));
    const p = run.plan;
    card.append(el('div', { class: 'figures' },
      figure(`${p.converged} / ${run.migrations.length}`, 'moves converged'),
      figure(String(cross), 'to another leaf pair'),
      figure(p.switchoverToConvergedMs ? sec(p.switchoverToConvergedMs.p50, 1) : '—', 'switch-over to converged, median'),
      figure(p.switchoverToConvergedMs ? sec(p.switchoverToConvergedMs.max, 1) : '—', 'worst'),
      figure(sec(p.outageMs.max, 1), 'longest pod-traffic outage')));
    const settings = el('details', {}, el('summary', { text: 'Settings (acc-provision names)' }));
    const table = el('table', {});
    for (const [k, v] of Object.entries(run.settings)) table.append(el('tr', {}, el('td', { text: k }), el('td', { text: String(v) })));
    settings.append(table);
    card.append(settings);
    return card;
  }

  /**
   * A table that sorts by a click on a column's head and filters by a search box and a choice:
   * `cols` are { key, label, num, value(item), text(item)? }; `choices` are { value, text, keep(item) };
   * `words(item)` are the texts the search box matches; `order(a, b)` breaks ties.
   */
  function sortableTable(spec) {
    const { items, cols, choices, words, order, onPick } = spec;
    const wrap = el('div');
    let sortKey = spec.sortKey;
    let dir = spec.dir;
    const filter = el('input', { type: 'search', placeholder: spec.placeholder, 'aria-label': spec.filterLabel });
    const only = el('select', { 'aria-label': spec.choiceLabel }, ...choices.map((c) => el('option', { value: c.value, text: c.text })));
    const count = el('span', { class: 'hint' });
    const tbody = el('tbody');
    const headRow = el('tr');
    for (const c of cols) {
      const th = el('th', { class: `sortable${c.num ? ' num' : ''}`, 'data-key': c.key, text: c.label });
      th.addEventListener('click', () => {
        if (sortKey === c.key) dir = -dir; else { sortKey = c.key; dir = c.num ? -1 : 1; }
        render();
      });
      headRow.append(th);
    }
    const rowOf = new Map();
    for (const item of items) {
      const tr = el('tr', { class: 'clickable', ...spec.rowAttrs(item), onclick: () => { for (const r of tbody.children) r.classList.remove('selected'); tr.classList.add('selected'); onPick(item); } });
      for (const c of cols) tr.append(el('td', { class: c.num ? 'num' : '', text: c.text ? c.text(item) : String(c.value(item)) }));
      rowOf.set(item, tr);
    }
    function render() {
      const q = filter.value.trim().toLowerCase();
      const choice = choices.find((c) => c.value === only.value);
      const col = cols.find((c) => c.key === sortKey);
      const shown = items.filter((item) => choice.keep(item) && (!q || words(item).some((v) => v.toLowerCase().includes(q))));
      shown.sort((a, b) => {
        const va = col.value(a);
        const vb = col.value(b);
        return (va < vb ? -1 : va > vb ? 1 : 0) * dir || order(a, b);
      });
      tbody.replaceChildren(...shown.map((item) => rowOf.get(item)));
      for (const th of headRow.children) th.removeAttribute('data-dir');
      headRow.querySelector(`[data-key="${sortKey}"]`).setAttribute('data-dir', dir > 0 ? 'asc' : 'desc');
      count.textContent = `${shown.length} of ${items.length} ${spec.noun}`;
    }
    filter.addEventListener('input', render);
    only.addEventListener('change', render);
    wrap.append(el('div', { class: 'toolbar' }, filter, only, count));
    wrap.append(el('div', { class: 'scroll' }, el('table', { class: spec.tableClass }, el('thead', {}, headRow), tbody)));
    render();
    return wrap;
  }

  function movesTable(run, onPick) {
    return sortableTable({
      items: run.migrations,
      cols: [
        { key: 'index', label: '#', num: true, value: (m) => m.index + 1 },
        { key: 'node', label: 'node', value: (m) => m.node },
        { key: 'route', label: 'from → to', value: (m) => `${m.from} → ${m.to}` },
        { key: 'pairs', label: 'leaf pairs', value: (m) => `${m.fromPair} → ${m.toPair}` },
        { key: 'conv', label: 'switch-over → converged', num: true, value: (m) => (m.converged ? m.switchoverToConvergedMs : Infinity), text: (m) => (m.converged ? sec(m.switchoverToConvergedMs, 2) : 'not converged') },
        { key: 'outage', label: 'longest outage', num: true, value: (m) => m.outageMs, text: (m) => sec(m.outageMs, 2) },
        { key: 'downloads', label: 'downloads', num: true, value: (m) => Object.values(m.downloadsByLeaf).reduce((n, d) => n + d.downloaded, 0) },
      ],
      sortKey: 'conv',
      dir: -1,
      placeholder: 'Filter: node, host or leaf pair',
      filterLabel: 'Filter moves',
      choiceLabel: 'Which moves',
      choices: [
        { value: 'all', text: 'all moves', keep: () => true },
        { value: 'stuck', text: 'not converged', keep: (m) => !m.converged },
        { value: 'cross', text: 'to another leaf pair', keep: (m) => m.crossLeafPair },
        { value: 'outage', text: 'with an outage', keep: (m) => m.outageMs > 0 },
      ],
      words: (m) => [m.node, m.from, m.to, m.fromPair, m.toPair],
      order: (a, b) => a.index - b.index,
      noun: 'moves',
      tableClass: 'moves',
      rowAttrs: (m) => ({ 'data-node': m.node, 'data-index': m.index }),
      onPick,
    });
  }

  function leafPairsTable(run) {
    const table = el('table', { class: 'leaf-pairs' });
    table.append(el('thead', {}, el('tr', {}, ...['from pair', 'to pair', 'moves', 'objects downloaded', 'worst switch-over → converged', 'not converged'].map((h, i) => el('th', { class: i >= 2 ? 'num' : '', text: h })))));
    const body = el('tbody');
    for (const l of run.leafPairLoads.slice(0, 10)) {
      body.append(el('tr', {}, el('td', { text: l.fromPair }), el('td', { text: l.toPair }), el('td', { class: 'num', text: l.moves }), el('td', { class: 'num', text: l.downloads }), el('td', { class: 'num', text: sec(l.worstSwitchoverToConvergedMs, 1) }), el('td', { class: 'num', text: l.notConverged })));
    }
    table.append(body);
    return table;
  }

  function renderRun(run, root, title) {
    root.append(runSummary(run, title));
    renderRunBody(run, root, {});
  }

  /** A run's moves and queues; `options.faults` are fault windows to shade on every timeline. */
  function renderRunBody(run, root, options) {
    const cardOptions = { faults: options.faults };
    if (run.migrations.length === 0) {
      root.append(el('section', { class: 'card' }, el('p', { text: 'No migrations in this run.' })));
      return;
    }
    const detailed = run.migrations.length <= DATA.detailedMovesMax;
    if (!detailed) {
      const plan = el('section', { class: 'card plan' });
      plan.append(el('h2', { text: `Plan: ${run.migrations.length} moves` }));
      const charts = el('div', { class: 'grid2' });
      plan.append(charts);
      const c1 = el('div');
      const c2 = el('div');
      charts.append(c1, c2);
      requestAnimationFrame(() => {
        cdfChart(c1, 'Switch-over to converged (CDF)', [{ label: 'converged moves', values: run.migrations.filter((m) => m.converged).map((m) => m.switchoverToConvergedMs) }]);
        cdfChart(c2, 'Longest pod-traffic outage per move (CDF)', [{ label: 'moves', values: run.migrations.map((m) => m.outageMs), colour: '#d7263d' }]);
      });
      plan.append(el('h4', { text: 'Busiest leaf pairs (by objects downloaded)' }), leafPairsTable(run));
      plan.append(el('h4', { text: 'Every move (click a row for its timeline)' }));
      const detail = el('div', { class: 'move-detail' });
      const pick = (m) => detail.replaceChildren(moveCard(m, cardOptions));
      plan.append(movesTable(run, pick));
      root.append(plan, detail);
      const slowest = [...run.migrations].sort((a, b) => (b.converged ? b.switchoverToConvergedMs : Infinity) - (a.converged ? a.switchoverToConvergedMs : Infinity))[0];
      detail.append(el('p', { class: 'hint', text: 'Showing the slowest move.' }));
      detail.append(moveCard(slowest, cardOptions));
    } else {
      for (const m of run.migrations) root.append(moveCard(m, cardOptions));
    }
    if (run.queues.length > 0) {
      const q = el('section', { class: 'card' });
      root.append(q);
      requestAnimationFrame(() => queueChart(q, run.queues));
    }
  }

  // ---- compare ---------------------------------------------------------------------------------

  function barRows(rows, maxMs) {
    const box = el('div', { class: 'bars' });
    for (const r of rows) {
      const fill = r.ms === null ? el('div', { class: 'fill stuck', style: 'width:100%', title: 'not converged' }) : el('div', { class: 'fill', style: `width:${(r.ms / maxMs) * 100}%;background:${r.colour}` });
      box.append(el('div', { class: 'row', 'data-label': r.label }, el('div', { text: r.label }), el('div', { class: 'track' }, fill), el('div', { text: r.ms === null ? 'not converged' : sec(r.ms, 2) })));
    }
    return box;
  }

  function renderCompare(page, root) {
    root.append(el('section', { class: 'card summary' }, el('h1', { text: page.title }), el('p', { class: 'sub', text: `varying ${page.keys.join(', ')}; same scenario and seed for every variant` })));
    const variants = page.variants;
    const colours = variants.map((_, i) => SERIES_COLOURS[i % SERIES_COLOURS.length]);
    const legend = el('div', { class: 'legend' }, ...variants.map((v, i) => el('span', {}, el('span', { class: 'sw', style: `background:${colours[i]}` }), v.label)));
    const moves = Math.max(0, ...variants.map((v) => v.run.migrations.length));
    if (moves > DATA.detailedMovesMax) {
      const card = el('section', { class: 'card' }, el('h2', { text: 'Variants on the same axes' }), legend);
      const charts = el('div', { class: 'grid2' });
      const c1 = el('div');
      const c2 = el('div');
      charts.append(c1, c2);
      card.append(charts);
      root.append(card);
      requestAnimationFrame(() => {
        cdfChart(c1, 'Switch-over to converged (CDF)', variants.map((v, i) => ({ label: v.label, colour: colours[i], values: v.run.migrations.filter((m) => m.converged).map((m) => m.switchoverToConvergedMs) })));
        cdfChart(c2, 'Longest outage per move (CDF)', variants.map((v, i) => ({ label: v.label, colour: colours[i], values: v.run.migrations.map((m) => m.outageMs) })));
      });
      return;
    }
    for (let i = 0; i < moves; i++) {
      const first = variants.find((v) => v.run.migrations[i]).run.migrations[i];
      const card = el('section', { class: 'card', 'data-migration': i });
      card.append(el('h2', { text: `Migration ${i + 1}: ${first.node} ${first.from} → ${first.to}` }), legend.cloneNode(true));
      const conv = variants.map((v, j) => { const m = v.run.migrations[i]; return { label: v.label, colour: colours[j], ms: m && m.converged ? m.switchoverToConvergedMs : null }; });
      const out = variants.map((v, j) => { const m = v.run.migrations[i]; return { label: v.label, colour: colours[j], ms: m ? m.outageMs : 0 }; });
      const maxMs = Math.max(1, ...conv.map((r) => r.ms || 0), ...out.map((r) => r.ms || 0));
      card.append(el('h4', { text: 'Switch-over to converged' }), barRows(conv, maxMs), el('h4', { text: 'Longest outage' }), barRows(out, maxMs));
      // Every variant's timeline on one time axis.
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of variants) {
        const m = v.run.migrations[i];
        if (!m) continue;
        const [a, b] = moveExtent(m);
        lo = Math.min(lo, a);
        hi = Math.max(hi, b);
      }
      for (const v of variants) {
        const m = v.run.migrations[i];
        if (!m) continue;
        const box = el('div', { class: 'swimlane', 'data-variant': v.label });
        const flows = el('div', { class: 'flows' });
        card.append(el('h4', { text: v.label }), box, flows);
        const draw = () => { drawSwimlane(m, box, [lo, hi]); drawFlows(m, flows, [lo, hi]); };
        requestAnimationFrame(draw);
        redraws.push(draw);
      }
      root.append(card);
    }
  }

  // ---- advise ----------------------------------------------------------------------------------

  function renderAdvise(page, root) {
    root.append(el('section', { class: 'card summary' }, el('h1', { text: page.title }), el('p', { class: 'sub', text: page.findings.length === 0 ? 'No risk found in this plan.' : `${page.findings.length} finding(s), each measured by simulating the plan under the fault that makes it bite, drawn against the plan as it is (clean run).` })));
    for (const f of page.findings) {
      const card = el('section', { class: 'card risk', 'data-risk': f.risk.id });
      card.append(el('h2', {}, f.risk.title, el('span', { class: `badge ${f.risk.severity}`, text: f.risk.severity.toUpperCase() })));
      card.append(el('p', {}, el('strong', { text: 'Why: ' }), f.risk.reason));
      card.append(el('p', {}, el('strong', { text: 'Expected effect: ' }), f.risk.effect));
      const runs = [...(page.clean ? [{ label: 'clean run (as planned)', run: page.clean }] : []), ...f.runs];
      const colours = runs.map((_, i) => (i === 0 && page.clean ? '#9aa7bd' : SERIES_COLOURS[i % SERIES_COLOURS.length]));
      const moves = Math.max(0, ...runs.map((r) => r.run.migrations.length));
      if (moves > DATA.detailedMovesMax) {
        const c = el('div');
        card.append(c);
        requestAnimationFrame(() => cdfChart(c, 'Switch-over to converged (CDF, converged moves)', runs.map((r, i) => ({ label: `${r.label} (${r.run.plan.converged}/${r.run.migrations.length} converge)`, colour: colours[i], values: r.run.migrations.filter((m) => m.converged).map((m) => m.switchoverToConvergedMs) }))));
      } else {
        for (let i = 0; i < moves; i++) {
          const m0 = runs.find((r) => r.run.migrations[i]).run.migrations[i];
          const conv = runs.map((r, j) => { const m = r.run.migrations[i]; return { label: r.label, colour: colours[j], ms: m && m.converged ? m.switchoverToConvergedMs : null }; });
          const out = runs.map((r, j) => { const m = r.run.migrations[i]; return { label: r.label, colour: colours[j], ms: m ? m.outageMs : 0 }; });
          const maxMs = Math.max(1, ...conv.map((r) => r.ms || 0), ...out.map((r) => r.ms || 0));
          card.append(el('h4', { text: `Migration ${i + 1}: ${m0.node} ${m0.from} → ${m0.to}: switch-over to converged` }), barRows(conv, maxMs), el('h4', { text: 'longest outage' }), barRows(out, maxMs));
        }
      }
      root.append(card);
    }
  }

  // ---- check -----------------------------------------------------------------------------------

  /** Horizontal bars of counts, in the style of the downloads by class. */
  function countBars(rows, cls) {
    const box = el('div', { class: `bars ${cls}` });
    const maxN = Math.max(1, ...rows.map((r) => r.n));
    for (const r of rows) {
      box.append(el('div', { class: 'row', 'data-name': r.name, 'data-count': r.n },
        el('div', { text: r.name }),
        el('div', { class: 'track' }, el('div', { class: 'fill', style: `width:${(r.n / maxN) * 100}%;background:${r.colour}` })),
        el('div', { text: String(r.n) })));
    }
    return box;
  }

  function simpleTable(cls, heads, rows) {
    return el('table', { class: cls },
      el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { class: h.num ? 'num' : '', text: h.label })))),
      el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c, i) => el('td', { class: heads[i].num ? 'num' : '', text: String(c) }))))));
  }

  /** The whole run on one time axis: a row per fault window and per move, and a line at the finding. */
  function drawRunTimeline(view, box) {
    box.replaceChildren();
    const run = view.run;
    const width = measure(box);
    const t0 = 0;
    const t1 = Math.max(1, run.durationMs);
    const rows = [
      ...view.faultWindows.map((w) => ({ kind: 'fault', w })),
      ...run.migrations.map((m) => ({ kind: 'move', m })),
    ];
    // Labels as wide as the longest (within reason), and room on the right for the last tick's label.
    const labelW = Math.min(320, Math.max(LABEL_W, ...view.faultWindows.map((w) => faultLabel(w).length * 6.6 + 10)));
    const x = (t) => labelW + ((Math.max(t0, Math.min(t1, t)) - t0) / (t1 - t0)) * (width - labelW - 34);
    const rowH = 20;
    const height = rows.length * rowH + 22;
    const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, height, role: 'img', 'aria-label': 'Faults and moves over the run' });
    rows.forEach((r, i) => {
      const y = i * rowH + 2;
      if (r.kind === 'fault') {
        const g = s('g', { class: 'timeline-fault', 'data-fault': r.w.fault, 'data-kind': r.w.kind });
        g.append(s('text', { class: 'lane-label', x: 4, y: y + 13 }, faultLabel(r.w)));
        g.append(tip(s('rect', { class: 'fault-window', 'data-fault': r.w.fault, 'data-kind': r.w.kind, x: x(r.w.startMs), y: y + 3, width: Math.max(2, x(r.w.endMs) - x(r.w.startMs)), height: 13, fill: FAULT_COLOUR, 'fill-opacity': 0.8, rx: 2 }),
          `fault ${faultLabel(r.w)}: ${sec(r.w.startMs)} → ${r.w.openAtEnd ? 'end of run' : sec(r.w.endMs)}`));
        svg.append(g);
      } else {
        const m = r.m;
        const end = m.converged ? m.startMs + m.convergenceMs : t1;
        const g = s('g', { class: 'timeline-move', 'data-migration': m.index });
        g.append(s('text', { class: 'lane-label', x: 4, y: y + 13 }, `move ${m.index + 1} ${m.node}`));
        g.append(tip(s('rect', { x: x(m.startMs), y: y + 5, width: Math.max(2, x(end) - x(m.startMs)), height: 9, fill: m.converged ? '#2f5fd0' : '#b42318', 'fill-opacity': 0.7, rx: 2 }),
          `migration ${m.index + 1}: ${m.node} ${m.from} → ${m.to}, from ${sec(m.startMs)}${m.converged ? `, converged at ${sec(end)}` : ', never converged'}`));
        svg.append(g);
      }
    });
    const f = view.finding;
    if (f) {
      const px = x(f.tMs);
      svg.append(tip(s('line', { class: 'finding-mark', x1: px, x2: px, y1: 0, y2: rows.length * rowH + 2, stroke: '#b42318', 'stroke-width': 1.5, 'stroke-dasharray': '4 3' }), `${f.kind === 'hazard' ? 'known hazard' : 'violation'} ${f.name} seen at ${sec(f.tMs)}`));
    }
    timeAxis(svg, x, t0, t1, 2, rows.length * rowH, 0);
    box.append(svg);
  }

  function traceList(view) {
    const list = el('ol', { class: 'trace-around' });
    for (const line of view.traceAround) list.append(el('li', { class: line.event === 'fault-start' || line.event === 'fault-end' ? 'fault' : '', 'data-event': line.event, text: line.text }));
    const wrap = el('div', {}, list);
    if (view.traceAroundOmitted > 0) wrap.prepend(el('p', { class: 'hint', text: `${view.traceAroundOmitted} earlier events left out.` }));
    if (view.traceAround.length === 0) wrap.append(el('p', { class: 'muted', text: 'No event to show.' }));
    return wrap;
  }

  /** A checked run: its faults and moves over time, then the single-run view, then the trace around the finding. */
  function renderCheckedRun(view, root) {
    const over = el('section', { class: 'card run-timeline' });
    over.append(el('h3', { text: 'Faults and moves over the run' }));
    if (view.faults.length > 0) over.append(el('ul', { class: 'fault-schedule' }, ...view.faults.map((f) => el('li', { text: f }))));
    else over.append(el('p', { class: 'muted', text: 'No fault in this run.' }));
    if (view.faultWindowsOmitted > 0) over.append(el('p', { class: 'hint', text: `${view.faultWindowsOmitted} more fault windows left out of the drawings.` }));
    const box = el('div', { class: 'timeline' });
    over.append(box, el('p', { class: 'hint', text: 'Amber: fault windows; blue: moves until converged (red: never converged); dashed line: the finding.' }));
    root.append(over);
    const draw = () => drawRunTimeline(view, box);
    requestAnimationFrame(draw);
    redraws.push(draw);
    renderRunBody(view.run, root, { faults: view.faultWindows });
    if (view.finding) {
      root.append(el('section', { class: 'card trace' },
        el('h3', { text: `Trace around the ${view.finding.kind === 'hazard' ? 'hazard' : 'violation'}` }),
        el('p', { class: 'hint', text: 'Every fault and move, and the last events before it that can break its invariant or name its subject.' }),
        traceList(view)));
    }
  }

  function findingHeader(f, extra) {
    const card = el('section', { class: 'card finding' });
    const title = f.kind === 'hazard' ? `Known hazard: ${f.name}` : `Violation: ${f.name}`;
    card.append(el('h2', {}, title, el('span', { class: `badge ${f.kind === 'hazard' ? 'medium' : 'bad'}`, text: f.kind === 'hazard' ? 'known hazard' : 'violation' })));
    if (f.statement) card.append(el('p', { text: f.statement }));
    if (f.source) card.append(el('p', { class: 'source' }, el('strong', { text: 'Source: ' }), f.source));
    for (const line of extra) card.append(el('p', { class: 'sub', text: line }));
    card.append(el('p', { class: 'what' }, el('strong', { text: `${f.subject} at ${sec(f.tMs)}: ` }), f.detail));
    return card;
  }

  function renderCheck(page, root) {
    const sum = page.summary;
    const card = el('section', { class: 'card summary check-summary' });
    card.append(el('h1', { text: page.title }));
    card.append(el('p', { class: 'sub', text: `scenario ${sum.scenario}; seeds ${sum.firstSeed}..${sum.firstSeed + sum.seedsRun - 1}; fault kinds drawn from: ${sum.faultKinds.join(', ')}${sum.swarm ? ' (swarm: each seed draws which are enabled)' : ''}` }));
    const violationSeeds = page.findings.filter((r) => r.verdict === 'violation').length;
    const figures = [
      [String(sum.seedsRun), 'seeds run', 'seeds-run'],
      [page.timing.seedsPerS.toFixed(1), 'seeds/s', 'seeds-per-s'],
      [String(sum.violations.length), 'invariants broken', 'invariants-broken'],
      [String(sum.hazards.length), 'known hazards met', 'hazards-met'],
      [String(sum.unsettled), 'runs not settled', 'unsettled'],
    ];
    card.append(el('div', { class: 'figures' }, ...figures.map(([v, k, id]) => { const f = figure(v, k); f.setAttribute('data-figure', id); return f; })));
    if (violationSeeds === 0 && sum.violations.length === 0) card.append(el('p', { class: 'verdict', 'data-verdict': sum.hazards.length > 0 ? 'hazard' : 'holds' }, el('span', { class: 'badge ok', text: 'nothing unexplained' })));
    else card.append(el('p', { class: 'verdict', 'data-verdict': 'violation' }, el('span', { class: 'badge bad', text: `${sum.violations.length} invariant(s) broken` })));
    root.append(card);

    const faults = el('section', { class: 'card' }, el('h2', { text: 'Faults injected by kind' }));
    if (sum.faultsInjected.length === 0) faults.append(el('p', { class: 'muted', text: 'No fault started.' }));
    else faults.append(countBars(sum.faultsInjected.map(([name, n], i) => ({ name, n, colour: SERIES_COLOURS[i % SERIES_COLOURS.length] })), 'faults-by-kind'));
    root.append(faults);

    const found = el('section', { class: 'card' });
    found.append(el('h2', { text: 'Violations by invariant' }));
    if (sum.violations.length === 0) found.append(el('p', { class: 'muted none', text: 'None: nothing unexplained.' }));
    else found.append(simpleTable('violations', [{ label: 'invariant' }, { label: 'seeds', num: true }, { label: 'statement' }], sum.violations.map((v) => [v.invariant, v.seeds, v.statement])));
    found.append(el('h2', { text: 'Known hazards by name' }));
    if (sum.hazards.length === 0) found.append(el('p', { class: 'muted none', text: 'None met.' }));
    else found.append(simpleTable('hazards', [{ label: 'hazard' }, { label: 'seeds', num: true }, { label: 'source' }], sum.hazards.map((h) => [h.name, h.seeds, h.source])));
    root.append(found);

    const seeds = el('section', { class: 'card findings' }, el('h2', { text: 'Seeds with a finding (click a row for its reproduction)' }));
    if (page.findings.length === 0) seeds.append(el('p', { class: 'muted', text: 'No seed broke an invariant or met a known hazard.' }));
    else {
      const reproductionOf = (row) => row.names.map((n) => root.querySelector(`.reproduction[data-name="${CSS.escape(n)}"]`)).find((x) => x);
      seeds.append(sortableTable({
        items: page.findings,
        cols: [
          { key: 'seed', label: 'seed', num: true, value: (r) => r.seed },
          { key: 'verdict', label: 'verdict', value: (r) => r.verdict, text: (r) => (r.verdict === 'hazard' ? 'known hazard' : 'violation') },
          { key: 'names', label: 'invariant or hazard', value: (r) => r.names.join(', ') },
          { key: 'faults', label: 'faults in its schedule', value: (r) => r.faults.length, text: (r) => r.faults.join('; ') },
        ],
        sortKey: 'seed',
        dir: 1,
        placeholder: 'Filter: seed, invariant, hazard or fault',
        filterLabel: 'Filter seeds',
        choiceLabel: 'Which seeds',
        choices: [
          { value: 'all', text: 'all findings', keep: () => true },
          { value: 'violation', text: 'violations', keep: (r) => r.verdict === 'violation' },
          { value: 'hazard', text: 'known hazards', keep: (r) => r.verdict === 'hazard' },
        ],
        words: (r) => [String(r.seed), ...r.names, ...r.faults],
        order: (a, b) => a.seed - b.seed,
        noun: 'seeds',
        tableClass: 'findings',
        rowAttrs: (r) => ({ 'data-seed': r.seed, 'data-verdict': r.verdict }),
        onPick: (r) => { const target = reproductionOf(r); if (target) target.scrollIntoView({ block: 'start' }); },
      }));
      if (page.findingsOmitted > 0) seeds.append(el('p', { class: 'hint', text: `${page.findingsOmitted} more seeds with a finding are left out of this table (it lists the lowest ${page.findings.length}).` }));
    }
    root.append(seeds);

    for (const r of page.reproductions) {
      const box = el('div', { class: 'reproduction', 'data-kind': r.finding.kind, 'data-name': r.finding.name });
      const faultsText = `${r.faults.length} fault${r.faults.length === 1 ? '' : 's'}`;
      box.append(findingHeader(r.finding, [`First at seed ${r.seed} (${r.seeds} seed${r.seeds === 1 ? '' : 's'}); shrunk in ${r.shrinkRuns} runs to ${faultsText} and ${r.run.migrations.length} move${r.run.migrations.length === 1 ? '' : 's'}: the run below is its replay.`]));
      renderCheckedRun(r, box);
      root.append(box);
    }
  }

  function renderCheckReplay(page, root) {
    const card = el('section', { class: 'card summary replay-verdict' });
    const verdict = page.violations.length > 0 ? 'violation' : page.hazards.length > 0 ? 'hazard' : 'holds';
    const badge = { violation: ['bad', `${page.violations.length} violation(s)`], hazard: ['medium', 'known hazard: nothing unexplained'], holds: ['ok', 'every invariant holds'] }[verdict];
    card.append(el('h1', {}, page.title, el('span', { class: `badge ${badge[0]}`, 'data-verdict': verdict, text: badge[1] })));
    card.append(el('p', { class: 'sub', text: `seed ${page.seed}, ${sec(page.view.run.durationMs, 0)} simulated${page.settled ? '' : ', not settled: liveness not judged'}` }));
    const list = el('ul', { class: 'verdicts' });
    for (const v of page.violations) list.append(el('li', { 'data-kind': 'violation', 'data-name': v.name, text: `VIOLATION ${v.name} at ${sec(v.tMs)}, ${v.subject}: ${v.detail}` }));
    for (const h of page.hazards) list.append(el('li', { 'data-kind': 'hazard', 'data-name': h.name, text: `known hazard ${h.name} on ${h.node}: ${h.invariants.join(', ')}` }));
    if (list.children.length > 0) card.append(list);
    root.append(card);
    if (page.view.finding) root.append(findingHeader(page.view.finding, []));
    renderCheckedRun(page.view, root);
  }

  // ---- Page ------------------------------------------------------------------------------------

  const root = document.getElementById('app');
  root.replaceChildren();
  if (DATA.kind === 'run') renderRun(DATA.run, root, DATA.title);
  else if (DATA.kind === 'compare') renderCompare(DATA, root);
  else if (DATA.kind === 'advise') renderAdvise(DATA, root);
  else if (DATA.kind === 'check') renderCheck(DATA, root);
  else if (DATA.kind === 'check-replay') renderCheckReplay(DATA, root);
  root.append(el('p', { class: 'hint', text: DATA.kind === 'check'
    ? 'Made by opflex-twin. Each run\u2019s figures come from its trace; times in runs are simulated, seeds/s is wall-clock.'
    : 'Made by opflex-twin. Every figure comes from the run\u2019s trace; times are simulated.' }));
  // Charts and timelines draw on the next frames; the page is ready after them.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    document.body.setAttribute('data-rendered-ms', String(Math.round(performance.now() - t0)));
    document.body.setAttribute('data-ready', 'true');
  }));
})();
