/** The simulation summary as a person reads it in a terminal: a timeline and a summary per migration. */
import { DROP_REASONS, isDropReason } from '../fabric/drop-reasons.ts';
import { printable } from '../printable.ts';
import type { MigrationSummary, SimulationResult } from '../simulation-result.ts';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

const plain: Style = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s };
const ansi: Style = {
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
  red: (s) => `\x1b[31m${s}\x1b[39m`,
  green: (s) => `\x1b[32m${s}\x1b[39m`,
  yellow: (s) => `\x1b[33m${s}\x1b[39m`,
};

export function styleFor(stream: { isTTY?: boolean }): Style {
  return stream.isTTY && !process.env.NO_COLOR ? ansi : plain;
}

export function seconds(ms: number, digits = 3): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}

export const MILESTONE_TEXT: Record<string, string> = {
  'migration-start': 'vMotion starts (pre-copy, VM still running)',
  'stun-start': 'VM stunned: paused for the switch-over',
  resume: 'VM resumed on the destination host',
  garp: 'RARP/GARP sent from the destination host',
  'destination-learn': "destination leaf's EPM learns the node's infra address",
  'coop-update': 'COOP moves the endpoint to the destination pair',
  'bounce-installed': 'source leaf installs a bounce entry',
  'source-device-moved': "source leaf's proxy sees the device leave its port",
  'platform-config-delete-sent': 'source proxy sends policy_update deleting PlatformConfig',
  'platform-config-delete-missed': 'source proxy misses the PlatformConfig delete (fault)',
  'annotation-none': 'controller sets node-aci-pod to none (reconnect trigger)',
  'reset-conf-written': 'host-agent writes reset.conf',
  'agent-reset': 'opflex-agent resets: closes leaf sessions, back to anycast',
  'agent-reset-suppressed': 'opflex-agent skips a reset inside reset-wait-delay',
  'source-session-closed': "agent's session on the source pair ends",
  'session-ready-1': 'first destination leaf session ready (DEGRADED)',
  'session-ready-2': 'second destination leaf session ready (HEALTHY)',
  'endpoints-declared': 'every pod endpoint declared on both destination leaves',
  'policy-ready': 'all policy the node needs present on both destination leaves',
  'source-odev-deleted': 'first source ODev deleted',
  'destination-odev-1': 'first destination ODev connected',
  'destination-odev-2': 'second destination ODev connected',
  converged: 'converged on the destination',
  'pod-changed': "VM runs in another ACI pod with its old pod's infra address: its sessions are lost",
  'infra-address-stranded': 'aci_multipod is off: nothing renews the infra address, the node is stranded',
  'odev-disconnect-stamped': "controller stamps the disconnect (the node's best ODev group below two)",
  'aci-pod-none': 'controller sets aci-pod to none (reconnect-wait timeout over)',
  'dhcp-skipped': 'host-agent skips DHCP: a fresh PlatformConfig delete means an intra-pod move',
  'dhcp-attempt': 'host-agent DHCP renew attempt: release, dhcp_delay, flush, link bounce, poll',
  'dhcp-declined': 'offered address still held by another node: declined',
  'dhcp-attempt-failed': 'DHCP attempt failed',
  'dhcp-renew-failed': 'DHCP renew failed after every attempt: the node never converges',
  'new-infra-address': 'new infra address from the new pod (new devId)',
  'multicast-route-added': 'route 224.0.0.0/4 (metric 401) re-added',
  'multicast-route-missing': 'route 224.0.0.0/4 not re-added (fault): multicast to the node stops',
  'agent-config-rewritten': "host-agent's config rediscovery rewrites the agent's peer (new pool .30)",
  'agent-reload': "opflex-agent reloads and connects to the new pod's anycast proxy",
  'aci-pod-annotated': 'controller sets aci-pod to the new pod',
};

export function renderSimulation(result: SimulationResult, style: Style = plain): string {
  const out: string[] = [];
  out.push(
    style.bold(`opflex-twin simulate: ${printable(result.scenario)}`) +
      style.dim(`  seed ${result.seed}, ${seconds(result.durationMs, 0)} simulated in ${seconds(result.stats.wallMs)} (${result.stats.events.toLocaleString('en-US')} events)`),
  );
  if (result.start === 'steady') {
    out.push(style.dim(`Steady start: the settled fabric built in ${seconds(result.stats.startWallMs)}, without simulating the bootstrap`));
  }
  const warm = result.warmup.flows.filter((f) => f.outageMs > 0);
  if (warm.length > 0) {
    const worst = Math.max(...warm.map((f) => f.outageMs));
    out.push(style.dim(`Warm-up (agents connecting and leaves downloading policy before the first move): longest flow outage ${seconds(worst)}`));
  }
  const methods = Object.entries(result.stats.messages).map(([m, c]) => `${m} ${c.agentToLeaf}/${c.leafToAgent}`);
  out.push(style.dim(`OpFlex messages, agent->leaf/leaf->agent: ${methods.join(', ')}`));
  if (result.migrations.length > DETAILED_MIGRATIONS) {
    out.push('', ...renderPlan(result, style));
  } else {
    for (const m of result.migrations) out.push('', ...renderMigration(m, style));
  }
  if (result.migrations.length === 0) out.push('', 'No migrations in this scenario.');
  return out.join('\n') + '\n';
}

/** Past this many migrations the report shows the plan's aggregate and the worst moves instead of every timeline. */
const DETAILED_MIGRATIONS = 8;

function renderPlan(result: SimulationResult, style: Style): string[] {
  const p = result.plan;
  const out: string[] = [];
  const verdict = p.converged === p.migrations ? style.green(`all ${p.migrations} converged`) : style.red(`${p.migrations - p.converged} of ${p.migrations} did not converge`);
  out.push(style.bold(`Plan: ${p.migrations} migrations (${p.crossLeafPair} to another leaf pair)`) + `  ${verdict}`);
  if (p.switchoverToConvergedMs) {
    const c = p.switchoverToConvergedMs;
    out.push(`  switch-over to converged: median ${seconds(c.p50, 1)}, p95 ${seconds(c.p95, 1)}, worst ${seconds(c.max, 1)}`);
  }
  out.push(`  longest pod-traffic outage per move: median ${seconds(p.outageMs.p50, 1)}, p95 ${seconds(p.outageMs.p95, 1)}, worst ${seconds(p.outageMs.max, 1)}`);
  out.push('  Busiest destination leaves (objects downloaded from APIC, resolves served from cache, deepest download queue):');
  for (const l of p.leaves.slice(0, 10)) out.push(`    ${printable(l.leaf).padEnd(12)} ${String(l.downloads).padStart(7)} downloaded  ${String(l.servedFromCache).padStart(8)} from cache  queue ${l.peakQueue}`);
  const rank = (m: MigrationSummary) => (m.converged ? m.switchoverToConvergedMs! : Infinity);
  const worst = [...result.migrations].sort((a, b) => rank(b) - rank(a) || b.outageMs - a.outageMs).slice(0, 5);
  out.push('  Slowest moves (--json has every migration with its timeline):');
  for (const m of worst) {
    const how = m.converged ? `converged ${seconds(m.switchoverToConvergedMs!, 1)} after the switch-over` : 'did not converge';
    out.push(`    ${printable(m.node)} ${printable(m.from)} -> ${printable(m.to)}: ${how}, ${m.downloadedObjects.length} objects downloaded`);
  }
  return out;
}

function renderMigration(m: MigrationSummary, style: Style): string[] {
  const out: string[] = [];
  const kind = m.milestones.some((s) => s.name === 'pod-changed') ? 'to another ACI pod' : m.crossLeafPair ? 'to another leaf pair' : 'within the leaf pair';
  const verdict = m.converged
    ? style.green(`converged ${seconds(m.switchoverToConvergedMs!)} after the switch-over`)
    : style.red('did not converge before the end of the run');
  out.push(style.bold(`Migration ${m.index + 1}: ${printable(m.node)}  ${printable(m.from)} (${printable(m.fromPair)}) -> ${printable(m.to)} (${printable(m.toPair)}), ${kind}`) + `  ${verdict}`);
  const actorWidth = Math.max(...m.milestones.map((s) => printable(s.actor).length), 5);
  for (const s of m.milestones) {
    const rel = `+${((s.tMs - m.startMs) / 1000).toFixed(3)}s`.padStart(10);
    const abs = style.dim(`t=${(s.tMs / 1000).toFixed(3)}s`.padStart(11));
    const text = MILESTONE_TEXT[s.name] ?? printable(s.name);
    const detail = s.detail && !s.name.startsWith('session-ready') && !s.name.startsWith('destination-odev') ? style.dim(` (${printable(s.detail)})`) : '';
    out.push(`  ${rel} ${abs}  ${printable(s.actor).padEnd(actorWidth)}  ${text}${detail}`);
  }

  out.push('  Policy at the destination pair:');
  for (const [leaf, d] of Object.entries(m.downloadsByLeaf)) {
    const classes = Object.entries(d.bySubject).map(([k, v]) => `${printable(k)} ${v}`).join(', ');
    out.push(`    ${printable(leaf)}: ${d.downloaded} downloaded from APIC${classes ? ` (${classes})` : ''}, ${d.servedFromCache} resolves served from cache`);
  }
  const uris = [...new Set(m.downloadedObjects.map((d) => printable(`${d.subject} ${d.uri}`)))];
  if (uris.length > 0) {
    out.push(style.dim(`    objects the pair did not hold:`));
    for (const u of uris) out.push(style.dim(`      ${u}`));
  }

  if (m.flows.length === 0) {
    out.push('  No traffic probes touch this node.');
    return out;
  }
  out.push('  Pod traffic (probe round trips):');
  const nameWidth = Math.max(...m.flows.map((f) => printable(f.name).length), 4);
  for (const f of m.flows) {
    const drops = Object.entries(f.dropped).map(([reason, n]) => `${n} ${reason}`).join(', ') || 'none lost';
    const outage = f.outageMs > 0 ? style.yellow(seconds(f.outageMs).padStart(9)) : seconds(0).padStart(9);
    const bounce = f.bounced > 0 ? `, ${f.bounced} delivered via bounce` : '';
    out.push(`    ${printable(f.name).padEnd(nameWidth)}  outage ${outage}  ${drops}${bounce}${f.downAtEnd ? style.red(' (still down at the end)') : ''}`);
  }
  out.push(`  Longest pod-traffic outage: ${style.bold(seconds(m.outageMs))}`);
  const reasons = new Set<string>();
  for (const f of m.flows) for (const r of Object.keys(f.dropped)) reasons.add(r);
  for (const r of reasons) out.push(style.dim(`    ${r}: ${isDropReason(r) ? DROP_REASONS[r] : r}`));
  return out;
}
