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

  // ---- Swimlanes -------------------------------------------------------------------------------

  const LABEL_W = 138;

  function drawSwimlane(m, box, domain) {
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
    const redraw = () => {
      drawSwimlane(m, lanes, domain);
      drawFlows(m, flows, domain);
    };
    const zoomTo = (d) => { domain = d.slice(); redraw(); };
    card.append(el('h4', { text: 'Milestones by actor' }));
    card.append(el('div', { class: 'toolbar' },
      el('button', { text: 'Whole move', onclick: () => zoomTo(full) }),
      el('button', { text: 'Switch-over', onclick: () => zoomTo(focus) }),
      el('span', { class: 'hint', text: 'Scroll to zoom, drag to pan, double-click to reset. Shaded: stun window (purple), outage (red).' })));
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

  function movesTable(run, onPick) {
    const wrap = el('div');
    const cols = [
      { key: 'index', label: '#', num: true, value: (m) => m.index + 1 },
      { key: 'node', label: 'node', value: (m) => m.node },
      { key: 'route', label: 'from → to', value: (m) => `${m.from} → ${m.to}` },
      { key: 'pairs', label: 'leaf pairs', value: (m) => `${m.fromPair} → ${m.toPair}` },
      { key: 'conv', label: 'switch-over → converged', num: true, value: (m) => (m.converged ? m.switchoverToConvergedMs : Infinity), text: (m) => (m.converged ? sec(m.switchoverToConvergedMs, 2) : 'not converged') },
      { key: 'outage', label: 'longest outage', num: true, value: (m) => m.outageMs, text: (m) => sec(m.outageMs, 2) },
      { key: 'downloads', label: 'downloads', num: true, value: (m) => Object.values(m.downloadsByLeaf).reduce((n, d) => n + d.downloaded, 0) },
    ];
    let sortKey = 'conv';
    let dir = -1;
    const filter = el('input', { type: 'search', placeholder: 'Filter: node, host or leaf pair', 'aria-label': 'Filter moves' });
    const only = el('select', { 'aria-label': 'Which moves' }, el('option', { value: 'all', text: 'all moves' }), el('option', { value: 'stuck', text: 'not converged' }), el('option', { value: 'cross', text: 'to another leaf pair' }), el('option', { value: 'outage', text: 'with an outage' }));
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
    for (const m of run.migrations) {
      const tr = el('tr', { class: 'clickable', 'data-node': m.node, 'data-index': m.index, onclick: () => { for (const r of tbody.children) r.classList.remove('selected'); tr.classList.add('selected'); onPick(m); } });
      for (const c of cols) tr.append(el('td', { class: c.num ? 'num' : '', text: c.text ? c.text(m) : String(c.value(m)) }));
      rowOf.set(m, tr);
    }
    function render() {
      const q = filter.value.trim().toLowerCase();
      const which = only.value;
      const col = cols.find((c) => c.key === sortKey);
      const shown = run.migrations.filter((m) => {
        if (which === 'stuck' && m.converged) return false;
        if (which === 'cross' && !m.crossLeafPair) return false;
        if (which === 'outage' && !(m.outageMs > 0)) return false;
        return !q || [m.node, m.from, m.to, m.fromPair, m.toPair].some((v) => v.toLowerCase().includes(q));
      });
      shown.sort((a, b) => {
        const va = col.value(a);
        const vb = col.value(b);
        return (va < vb ? -1 : va > vb ? 1 : 0) * dir || a.index - b.index;
      });
      tbody.replaceChildren(...shown.map((m) => rowOf.get(m)));
      for (const th of headRow.children) th.removeAttribute('data-dir');
      headRow.querySelector(`[data-key="${sortKey}"]`).setAttribute('data-dir', dir > 0 ? 'asc' : 'desc');
      count.textContent = `${shown.length} of ${run.migrations.length} moves`;
    }
    filter.addEventListener('input', render);
    only.addEventListener('change', render);
    wrap.append(el('div', { class: 'toolbar' }, filter, only, count));
    wrap.append(el('div', { class: 'scroll' }, el('table', { class: 'moves' }, el('thead', {}, headRow), tbody)));
    render();
    return wrap;
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
      const pick = (m) => detail.replaceChildren(moveCard(m));
      plan.append(movesTable(run, pick));
      root.append(plan, detail);
      const slowest = [...run.migrations].sort((a, b) => (b.converged ? b.switchoverToConvergedMs : Infinity) - (a.converged ? a.switchoverToConvergedMs : Infinity))[0];
      detail.append(el('p', { class: 'hint', text: 'Showing the slowest move.' }));
      detail.append(moveCard(slowest));
    } else {
      for (const m of run.migrations) root.append(moveCard(m));
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

  // ---- Page ------------------------------------------------------------------------------------

  const root = document.getElementById('app');
  root.replaceChildren();
  if (DATA.kind === 'run') renderRun(DATA.run, root, DATA.title);
  else if (DATA.kind === 'compare') renderCompare(DATA, root);
  else if (DATA.kind === 'advise') renderAdvise(DATA, root);
  root.append(el('p', { class: 'hint', text: 'Made by opflex-twin. Every figure comes from the run\u2019s trace; times are simulated.' }));
  // Charts and timelines draw on the next frames; the page is ready after them.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    document.body.setAttribute('data-rendered-ms', String(Math.round(performance.now() - t0)));
    document.body.setAttribute('data-ready', 'true');
  }));
})();
