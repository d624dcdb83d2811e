/**
 * The live dashboard `emulate` serves at `/` to browsers: one self-contained HTML page (styles and
 * script inline, no request beyond the control API it came from). It draws the fabric from /fabric,
 * /nodes and /sessions, counts sessions and ODevs by state, follows migrations and their milestones
 * from /migrations, and message rates from the counters in /metrics; the /events stream tells it
 * when to look again, so a change shows up as soon as the emulator makes it. A form starts a
 * migration through POST /migrations and shows the API's own message when it is refused.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MILESTONE_TEXT } from '../report/terminal-report.ts';

/** Lines the page's event log keeps (older lines scroll away). */
const eventLogLinesMax = 200;
/** Samples of the message counters kept per method for the rate sparklines (one per poll). */
const rateSamplesMax = 60;
/** How often the page reads /metrics for message rates. */
const metricsPollMs = 1000;
/** The page re-reads the JSON routes at most this often, however fast events arrive. */
const refreshIntervalMinMs = 200;

const STYLE = `
:root { --bg:#f4f6f9; --panel:#fff; --ink:#1c2430; --dim:#6b7686; --line:#dfe4ea; --accent:#0a66c2;
  --ok:#1f9d55; --warn:#d97706; --bad:#d64545; --move:#7c3aed; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font-size:14px; }
header { display:flex; align-items:center; gap:16px; padding:12px 20px; background:#101826; color:#e8edf3; }
header h1 { font-size:17px; margin:0; font-weight:600; letter-spacing:.2px; }
header .meta { color:#9fb0c3; font-size:13px; }
header .status { margin-left:auto; font-size:13px; display:flex; align-items:center; gap:6px; }
.dot { width:9px; height:9px; border-radius:50%; background:var(--warn); display:inline-block; }
.dot.live { background:#34d399; box-shadow:0 0 6px #34d399; }
main { display:flex; flex-direction:column; gap:16px; padding:16px 20px; }
.columns { display:grid; grid-template-columns: minmax(0, 1.3fr) minmax(400px, 1fr); gap:16px; align-items:start; }
.column { display:flex; flex-direction:column; gap:16px; min-width:0; }
section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:14px 16px; }
section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.6px; color:var(--dim); margin:0 0 10px; font-weight:600; }
.tiles { display:flex; gap:10px; flex-wrap:wrap; }
.tile { border:1px solid var(--line); border-radius:6px; padding:6px 10px; flex:1 1 0; min-width:84px; }
.tile .n { font-size:22px; font-weight:600; }
.tile .l { color:var(--dim); font-size:12px; }
.spines { display:flex; justify-content:center; gap:14px; margin-bottom:8px; }
.spine, .anycast { border:1px solid #b9c4d0; background:#eef2f7; border-radius:6px; padding:6px 14px; font-weight:600; }
.anycast { background:#fff7e6; border-color:#f0c36d; font-weight:500; }
.fabric-lines { height:12px; margin:0 25% 8px; border:2px solid #cdd6e0; border-bottom:none; border-radius:6px 6px 0 0; }
.pairs { display:flex; gap:14px; flex-wrap:wrap; }
.pair { flex:1 1 300px; border:1px solid var(--line); border-radius:8px; padding:10px; background:#fafbfd; }
.pair h3 { margin:0 0 8px; font-size:13px; color:var(--dim); font-weight:600; }
.leaves, .hvs { display:flex; gap:8px; }
.leaf { flex:1; border:1px solid #9db8d9; background:#eaf2fc; border-radius:6px; padding:8px; min-height:78px; }
.leaf .name, .hv .name { font-weight:600; }
.leaf .sub, .hv .sub { color:var(--dim); font-size:12px; }
.hvs { margin-top:10px; }
.hv { flex:1; border:1px dashed #c4ccd6; border-radius:6px; padding:6px 8px; background:#fff; }
.chips { display:flex; gap:4px; flex-wrap:wrap; align-items:center; margin-top:4px; }
.chip { font-size:12px; border-radius:10px; padding:2px 8px; background:#e6ebf1; white-space:nowrap; }
.chip.ready, .chip.connected, .chip.HEALTHY, .chip.running { background:#dcf3e5; color:#17683b; }
.chip.awaiting-identity, .chip.DEGRADED, .chip.disconnected { background:#fdf0d9; color:#8a4b05; }
.chip.stunned, .chip.closed, .chip.DOWN { background:#fbe0e0; color:#9b2c2c; }
.chip.moving { background:#ece4fd; color:#5b21b6; }
.vm { border:1px solid #cfd6df; border-radius:6px; padding:4px 7px; margin-top:6px; font-size:12px; background:#fbfcfe; }
.vm.stunned { border-color:var(--bad); background:#fff5f5; }
.vm.moving { border-color:var(--move); }
.vm b { font-size:13px; }
table { width:100%; border-collapse:collapse; font-size:13px; }
th { text-align:left; color:var(--dim); font-weight:600; font-size:12px; border-bottom:1px solid var(--line); padding:4px 6px; }
td { border-bottom:1px solid #eef1f4; padding:4px 6px; vertical-align:top; }
td:first-child { white-space:nowrap; }
form { display:flex; gap:8px; align-items:center; flex-wrap:wrap; margin-bottom:10px; }
select, button { font:inherit; padding:5px 8px; border-radius:5px; border:1px solid #b9c4d0; background:#fff; }
button { background:var(--accent); color:#fff; border-color:var(--accent); cursor:pointer; font-weight:600; }
.notice { padding:6px 10px; border-radius:5px; font-size:13px; margin-bottom:10px; }
.notice.error { background:#fde8e8; color:#9b1c1c; border:1px solid #f5b5b5; }
.notice.ok { background:#e3f6ea; color:#17683b; border:1px solid #a9dfbf; }
.migration { border:1px solid var(--line); border-radius:6px; padding:8px 10px; margin-bottom:10px; }
.migration .head { display:flex; gap:8px; align-items:baseline; flex-wrap:wrap; }
.pill { font-size:11px; border-radius:9px; padding:1px 8px; font-weight:600; }
.pill.progress { background:#ece4fd; color:#5b21b6; }
.pill.done { background:#dcf3e5; color:#17683b; }
ol.milestones { list-style:none; margin:6px 0 0; padding:0 0 0 12px; border-left:2px solid #d5cdf7; }
ol.milestones li { font-size:12px; padding:1px 0; display:grid; grid-template-columns: 64px 84px 1fr; gap:6px; }
ol.milestones .t, ol.milestones .a { white-space:nowrap; }
ol.milestones .t { color:var(--dim); font-variant-numeric:tabular-nums; text-align:right; }
ol.milestones .a { color:var(--accent); }
.rates td.r { font-variant-numeric:tabular-nums; text-align:right; }
svg.spark { width:100px; height:22px; display:block; }
#log { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12px; max-height:104px; overflow:auto; margin:0; padding:0; list-style:none; }
#log li { padding:1px 0; border-bottom:1px solid #f1f3f6; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
#log li.warn { color:#9b2c2c; }
#log .t { color:var(--dim); margin-right:8px; }
.empty { color:var(--dim); font-size:13px; }
`;

const SCRIPT = `
'use strict';
const LOG_MAX = ${eventLogLinesMax}, SAMPLES_MAX = ${rateSamplesMax}, METRICS_POLL_MS = ${metricsPollMs}, REFRESH_MIN_MS = ${refreshIntervalMinMs};
const MILESTONE_TEXT = ${JSON.stringify(MILESTONE_TEXT)};
const QUIET = new Set(['policy-served', 'policy-resolved', 'policy-present', 'policy-download', 'policy-download-queued', 'endpoint-declared', 'epm-learn', 'policy-gc']);
const WARN = new Set(['session-closed', 'odev-disconnected', 'agent-reset', 'flow-down', 'peer-closed', 'platform-config-delete-sent']);
const view = { fabric: null, nodes: [], sessions: [], odevs: { leaves: [], apic: [] }, migrations: [] };
const samples = [];
let eventsSeen = 0;

function el(tag, attrs, children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = v; else if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children || []) if (c !== null && c !== undefined) e.append(c);
  return e;
}
function chip(text, cls, title) { return el('span', { class: 'chip ' + (cls || ''), text: text, title: title || '' }); }
function replace(id, children) { document.getElementById(id).replaceChildren(...children); }
function bump(map, key) { map.set(key, (map.get(key) || 0) + 1); }
function secs(ms) { return (ms / 1000).toFixed(3) + ' s'; }

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(path + ': HTTP ' + response.status);
  return response.json();
}

let refreshing = false, again = false, lastRefresh = 0, timer = 0;
async function refresh() {
  if (refreshing) { again = true; return; }
  refreshing = true; lastRefresh = Date.now();
  try {
    const [nodes, sessions, odevs, migrations] = await Promise.all(['/nodes', '/sessions', '/odevs', '/migrations'].map(getJson));
    Object.assign(view, { nodes, sessions, odevs, migrations });
    render();
    setStatus(true);
  } catch (err) { setStatus(false, err.message); }
  refreshing = false;
  if (again) { again = false; soon(); }
}
function soon() {
  if (timer) return;
  timer = setTimeout(() => { timer = 0; refresh(); }, Math.max(0, REFRESH_MIN_MS - (Date.now() - lastRefresh)));
}

let streamLive = false;
function setStatus(ok, why) {
  const dot = document.getElementById('dot'), text = document.getElementById('status-text');
  dot.className = 'dot' + (ok && streamLive ? ' live' : '');
  text.textContent = !ok ? 'control API unreachable: ' + why : streamLive ? 'live' : 'connecting to /events';
}

function agentsByLeaf() {
  const byLeaf = new Map(), leavesOfAgent = new Map();
  for (const l of view.sessions) {
    byLeaf.set(l.leaf, l);
    for (const s of l.sessions) if (s.agent) {
      if (!leavesOfAgent.has(s.agent)) leavesOfAgent.set(s.agent, []);
      leavesOfAgent.get(s.agent).push(l.leaf + (s.state === 'ready' ? '' : ' (' + s.state + ')'));
    }
  }
  return { byLeaf, leavesOfAgent };
}

function render() { renderTiles(); renderFabric(); renderTable(); renderMigrations(); renderForm(); }

function renderTiles() {
  const sessions = new Map(), odevs = new Map(), vms = new Map();
  for (const l of view.sessions) for (const s of l.sessions) bump(sessions, s.state);
  for (const l of view.odevs.leaves) for (const o of l.odevs) bump(odevs, o.state);
  for (const n of view.nodes) bump(vms, n.state);
  const active = view.migrations.filter((m) => !m.converged).length;
  const tile = (n, label, id) => el('div', { class: 'tile', 'data-tile': id }, [el('div', { class: 'n', text: String(n) }), el('div', { class: 'l', text: label })]);
  const tiles = [];
  for (const [state, n] of [...sessions].sort()) tiles.push(tile(n, 'sessions ' + state, 'sessions-' + state));
  if (sessions.size === 0) tiles.push(tile(0, 'sessions', 'sessions'));
  for (const [state, n] of [...odevs].sort()) tiles.push(tile(n, 'leaf ODevs ' + state, 'odevs-' + state));
  tiles.push(tile(view.odevs.apic.length, 'ODevs at APIC', 'odevs-apic'));
  for (const [state, n] of [...vms].sort()) tiles.push(tile(n, 'node VMs ' + state, 'vms-' + state));
  tiles.push(tile(active, 'migrations in progress', 'migrations-active'));
  replace('tiles', tiles);
}

function renderFabric() {
  const f = view.fabric;
  if (!f) return;
  const { byLeaf, leavesOfAgent } = agentsByLeaf();
  const moving = new Map(view.migrations.filter((m) => !m.converged).map((m) => [m.node, m]));
  const spines = (f.spines || []).map((s) => el('div', { class: 'spine', text: s }));
  spines.push(el('div', { class: 'anycast', text: 'anycast proxy ' + f.anycast, title: 'agents connect here first and are redirected to their leaf pair' }));
  const pairs = f.leafPairs.map((pair) => {
    const leaves = pair.leaves.map((leaf) => {
      const status = byLeaf.get(leaf.name);
      const chips = (status ? status.sessions : []).map((s) => chip(s.agent || '(no identity yet)', s.state, 'session ' + s.id + ' from ' + s.remote + ': ' + s.state));
      return el('div', { class: 'leaf', 'data-leaf': leaf.name }, [
        el('div', { class: 'name', text: leaf.name }),
        el('div', { class: 'sub', text: leaf.listen }),
        el('div', { class: 'sub', text: status ? status.declaredEndpoints + ' endpoints · ' + status.policyObjects + ' policy objects' : '' }),
        el('div', { class: 'chips' }, chips.length ? chips : [el('span', { class: 'empty', text: 'no sessions' })]),
      ]);
    });
    const hvs = f.hypervisors.filter((h) => h.leafPair === pair.name).map((h) => {
      const vms = view.nodes.filter((n) => n.hypervisor === h.name).map((n) => {
        const m = moving.get(n.name);
        const on = leavesOfAgent.get(n.name) || [];
        const chips = [chip(n.state, n.state)];
        if (n.agent) chips.push(chip(n.agent.health, n.agent.health, 'opflex-agent health'));
        if (m) chips.push(chip('moving to ' + m.to, 'moving'));
        return el('div', { class: 'vm ' + n.state + (m ? ' moving' : ''), 'data-node': n.name }, [
          el('div', { class: 'chips' }, [el('b', { text: n.name }), el('span', { text: n.pods + ' pods' }), ...chips]),
          el('div', { class: 'sub', text: on.length ? 'sessions on ' + on.join(', ') : 'no leaf session' }),
        ]);
      });
      return el('div', { class: 'hv', 'data-hypervisor': h.name }, [el('div', { class: 'name', text: h.name }), ...(vms.length ? vms : [el('div', { class: 'empty', text: 'no node VM' })])]);
    });
    return el('div', { class: 'pair', 'data-pair': pair.name }, [el('h3', { text: 'leaf pair ' + pair.name }), el('div', { class: 'leaves' }, leaves), el('div', { class: 'hvs' }, hvs)]);
  });
  replace('fabric', [el('div', { class: 'spines' }, spines), el('div', { class: 'fabric-lines' }), el('div', { class: 'pairs' }, pairs)]);
}

function renderTable() {
  const odevsOf = new Map(view.odevs.leaves.map((l) => [l.leaf, l.odevs]));
  const rows = view.sessions.map((l) => el('tr', { 'data-leaf-row': l.leaf }, [
    el('td', { text: l.leaf }),
    el('td', {}, [el('div', { class: 'chips' }, l.sessions.map((s) => chip((s.agent || '?') + ' ' + s.state, s.state)))]),
    el('td', {}, [el('div', { class: 'chips' }, (odevsOf.get(l.leaf) || []).map((o) => chip(o.hostName + ' ' + o.state, o.state, o.fabricPathDn)))]),
  ]));
  replace('leaf-table', [el('tr', {}, [el('th', { text: 'leaf' }), el('th', { text: 'OpFlex sessions' }), el('th', { text: 'ODevs' })]), ...rows]);
}

function renderMigrations() {
  if (view.migrations.length === 0) return replace('migrations', [el('div', { class: 'empty', text: 'No migration yet: start one with the form above.' })]);
  replace('migrations', [...view.migrations].reverse().map((m) => {
    const start = m.milestones.length ? m.milestones[0].tMs : 0;
    const last = m.milestones.length ? m.milestones[m.milestones.length - 1].tMs : 0;
    const pill = m.converged ? el('span', { class: 'pill done', text: 'converged ' + secs(last - start) + ' after the start' }) : el('span', { class: 'pill progress', text: 'in progress' });
    const items = m.milestones.map((s) => el('li', { 'data-milestone': s.name }, [
      el('span', { class: 't', text: '+' + secs(s.tMs - start) }),
      el('span', { class: 'a', text: s.actor }),
      el('span', { text: (MILESTONE_TEXT[s.name] || s.name) + (s.detail ? ' (' + s.detail + ')' : ''), title: s.name }),
    ]));
    return el('div', { class: 'migration', 'data-migration': String(m.index + 1) }, [
      el('div', { class: 'head' }, [el('b', { text: '#' + (m.index + 1) + ' ' + m.node }), el('span', { text: m.from + ' → ' + m.to + (m.crossLeafPair ? ' (to another leaf pair)' : ' (same leaf pair)') }), pill]),
      el('ol', { class: 'milestones' }, items),
    ]);
  }));
}

let formFilled = false;
function renderForm() {
  const f = view.fabric;
  if (!f || formFilled || view.nodes.length === 0) return;
  formFilled = true;
  document.getElementById('node').replaceChildren(...view.nodes.map((n) => el('option', { value: n.name, text: n.name + ' (on ' + n.hypervisor + ')' })));
  document.getElementById('to').replaceChildren(...f.hypervisors.map((h) => el('option', { value: h.name, text: h.name + ' (' + h.leafPair + ')' })));
}

async function startMigration(event) {
  event.preventDefault();
  const node = document.getElementById('node').value, to = document.getElementById('to').value;
  const notice = document.getElementById('notice');
  try {
    const response = await fetch('/migrations', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ node: node, to: to }) });
    const text = await response.text();
    let body = null;
    try { body = JSON.parse(text); } catch { body = null; }
    if (!response.ok) {
      notice.className = 'notice error';
      notice.textContent = 'Refused (HTTP ' + response.status + '): ' + (body && typeof body.error === 'string' ? body.error : text.trim() || response.statusText);
    } else {
      notice.className = 'notice ok';
      notice.textContent = 'Migration ' + (body.migration + 1) + ' started: ' + body.node + ' ' + body.from + ' → ' + body.to;
    }
  } catch (err) {
    notice.className = 'notice error';
    notice.textContent = 'Could not reach the control API: ' + err.message;
  }
  notice.hidden = false;
  soon();
}

function logEvent(e) {
  if (QUIET.has(e.event)) return;
  const detail = Object.entries(e).filter(([k]) => k !== 'tMs' && k !== 'actor' && k !== 'event').map(([k, v]) => k + '=' + v).join(' ');
  const now = new Date();
  const clock = now.toTimeString().slice(0, 8) + '.' + String(now.getMilliseconds()).padStart(3, '0');
  const line = el('li', { class: WARN.has(e.event) ? 'warn' : '', 'data-event': e.event, 'data-actor': e.actor, title: detail }, [
    el('span', { class: 't', text: clock }), document.createTextNode(e.actor + '  ' + e.event + (detail ? '  ' + detail : '')),
  ]);
  const log = document.getElementById('log');
  log.prepend(line);
  while (log.children.length > LOG_MAX) log.lastChild.remove();
}

function connectEvents() {
  const stream = new EventSource('/events?replay=false');
  stream.onopen = () => { streamLive = true; setStatus(true); refresh(); };
  stream.onerror = () => { streamLive = false; setStatus(true); };
  stream.addEventListener('trace', (message) => {
    let e;
    try { e = JSON.parse(message.data); } catch { return; }
    eventsSeen++;
    logEvent(e);
    soon();
  });
}

function parseCounters(text) {
  const byMethod = new Map();
  for (const line of text.split('\\n')) {
    const m = /^opflex_twin_opflex_messages_total\\{method="([^"]*)",direction="([^"]*)"\\} (\\d+)/.exec(line);
    if (!m) continue;
    const entry = byMethod.get(m[1]) || { 'agent-to-leaf': 0, 'leaf-to-agent': 0 };
    entry[m[2]] = Number(m[3]);
    byMethod.set(m[1], entry);
  }
  return byMethod;
}

function sparkline(values) {
  const max = Math.max(1, ...values), w = 120, h = 22;
  const points = values.map((v, i) => (values.length < 2 ? w : (i * w) / (values.length - 1)).toFixed(1) + ',' + (h - 1 - (v / max) * (h - 3)).toFixed(1)).join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'spark'); svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h); svg.setAttribute('preserveAspectRatio', 'none');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points); line.setAttribute('fill', 'none'); line.setAttribute('stroke', '#0a66c2'); line.setAttribute('stroke-width', '1.5');
  svg.append(line);
  return svg;
}

async function pollRates() {
  try {
    const response = await fetch('/metrics');
    if (response.ok) {
      samples.push({ t: Date.now(), events: eventsSeen, counters: parseCounters(await response.text()) });
      while (samples.length > SAMPLES_MAX) samples.shift();
      renderRates();
    }
  } catch { /* the status line reports an unreachable API */ }
  setTimeout(pollRates, METRICS_POLL_MS);
}

function renderRates() {
  if (samples.length < 2) return;
  const rate = (a, b, f) => Math.max(0, (f(b) - f(a)) / ((b.t - a.t) / 1000));
  const methods = [...samples[samples.length - 1].counters.keys()].sort();
  const series = (f) => samples.slice(1).map((s, i) => rate(samples[i], s, f));
  const [prev, last] = samples.slice(-2);
  const count = (method, dir) => (s) => (s.counters.get(method) || {})[dir] || 0;
  const total = (s) => [...s.counters.values()].reduce((n, c) => n + c['agent-to-leaf'] + c['leaf-to-agent'], 0);
  const rows = methods.map((method) => {
    const both = (s) => count(method, 'agent-to-leaf')(s) + count(method, 'leaf-to-agent')(s);
    return el('tr', { 'data-method': method }, [
      el('td', { text: method }),
      el('td', { class: 'r', text: rate(prev, last, count(method, 'agent-to-leaf')).toFixed(1) }),
      el('td', { class: 'r', text: rate(prev, last, count(method, 'leaf-to-agent')).toFixed(1) }),
      el('td', {}, [sparkline(series(both))]),
    ]);
  });
  rows.push(el('tr', { 'data-method': 'all' }, [
    el('td', {}, [el('b', { text: 'all messages' })]),
    el('td', { class: 'r', text: '' }),
    el('td', { class: 'r', text: rate(prev, last, total).toFixed(1) }),
    el('td', {}, [sparkline(series(total))]),
  ]));
  rows.push(el('tr', {}, [el('td', { text: 'trace events' }), el('td', {}), el('td', { class: 'r', text: rate(prev, last, (s) => s.events).toFixed(1) }), el('td', {}, [sparkline(series((s) => s.events))])]));
  replace('rates', [el('tr', {}, [el('th', { text: 'OpFlex method' }), el('th', { text: 'to leaf /s' }), el('th', { text: 'to agent /s' }), el('th', { text: 'last ' + samples.length + ' s' })]), ...rows]);
}

async function start() {
  document.getElementById('migrate').addEventListener('submit', startMigration);
  try {
    view.fabric = await getJson('/fabric');
    document.getElementById('meta').textContent = 'scenario ' + view.fabric.scenario + ' · time scale ' + view.fabric.timeScale + '× · control ' + view.fabric.control;
  } catch (err) { setStatus(false, err.message); }
  connectEvents();
  await refresh();
  pollRates();
}
start();
`;

const BODY = `
<header><h1>opflex-twin · live fabric</h1><span class="meta" id="meta"></span>
<span class="status"><span class="dot" id="dot"></span><span id="status-text">connecting</span></span></header>
<main>
<div class="columns"><div class="column">
<section><h2>State</h2><div class="tiles" id="tiles"></div></section>
<section><h2>Fabric: spines, leaf pairs, hypervisors, node VMs and their OpFlex sessions</h2><div id="fabric"></div></section>
<section><h2>Sessions and ODevs per leaf</h2><table id="leaf-table"></table></section>
</div><div class="column">
<section><h2>Migrations</h2>
<form id="migrate"><label>Move <select id="node" name="node"></select></label><label>to <select id="to" name="to"></select></label><button type="submit">Start migration</button></form>
<div id="notice" class="notice" hidden></div><div id="migrations"></div></section>
<section><h2>OpFlex message rates</h2><table class="rates" id="rates"><tr><td class="empty">measuring…</td></tr></table></section>
</div></div>
<section><h2>Events as they arrive</h2><ul id="log"></ul></section>
</main>`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Only the inline style and script of this page run, and it may talk only to the origin it came from. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>opflex-twin live</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>
`;

/** A browser asking for a page (its Accept names text/html); curl and fetch() get the JSON index. */
export function wantsDashboard(req: IncomingMessage): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}

export function sendDashboard(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(DASHBOARD_HTML),
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(DASHBOARD_HTML);
}
