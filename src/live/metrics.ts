/** Prometheus text exposition of the live twin: sessions, ODevs, policy held, downloads, messages. */
import type { TraceEvent } from '../kernel/trace.ts';
import type { MessageCounter } from '../report/message-counter.ts';
import type { Twin } from '../twin.ts';

export class TraceCounters {
  readonly byEvent = new Map<string, number>();
  readonly downloadsByLeaf = new Map<string, number>();
  readonly servedByLeaf = new Map<string, number>();
  readonly resetsByPath = new Map<string, number>();

  readonly onEvent = (e: TraceEvent): void => {
    this.byEvent.set(e.event, (this.byEvent.get(e.event) ?? 0) + 1);
    if (e.event === 'policy-download') bump(this.downloadsByLeaf, e.actor);
    else if (e.event === 'policy-served') bump(this.servedByLeaf, e.actor);
    else if (e.event === 'agent-reset') bump(this.resetsByPath, String(e.data.path));
  };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** One Prometheus sample: its labels and its value. */
type Sample = [labels: Record<string, string>, value: number];

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderMetrics(twin: Twin, counters: TraceCounters, messages?: MessageCounter): string {
  const lines: string[] = [];
  const family = (name: string, help: string, type: 'gauge' | 'counter', samples: Sample[]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`).join(',');
      lines.push(`${name}${l ? `{${l}}` : ''} ${value}`);
    }
  };
  const leaves = [...twin.leaves.values()];
  family('opflex_twin_sessions', 'OpFlex sessions open on a leaf, by state', 'gauge', leaves.flatMap((leaf) => {
    const byState = new Map<string, number>();
    for (const s of leaf.openSessions()) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
    return [...byState].map(([state, n]): Sample => [{ leaf: leaf.name, state }, n]);
  }));
  family('opflex_twin_odevs', 'opflexODev objects on a leaf, by state', 'gauge', leaves.flatMap((leaf) => {
    const byState = new Map<string, number>();
    for (const o of leaf.currentOdevs()) byState.set(o.state, (byState.get(o.state) ?? 0) + 1);
    return [...byState].map(([state, n]): Sample => [{ leaf: leaf.name, state }, n]);
  }));
  family('opflex_twin_policy_objects', 'Policy objects a leaf holds', 'gauge', leaves.map((l) => [{ leaf: l.name }, l.cache.presentUris().length]));
  family('opflex_twin_download_queue_depth', 'Objects waiting for an APIC download slot', 'gauge', leaves.map((l) => [{ leaf: l.name }, l.cache.queueDepth]));
  family('opflex_twin_policy_downloads_total', 'Objects a leaf downloaded from APIC', 'counter', leaves.map((l) => [{ leaf: l.name }, counters.downloadsByLeaf.get(l.name) ?? 0]));
  family('opflex_twin_policy_served_from_cache_total', 'Resolves a leaf answered from its cache', 'counter', leaves.map((l) => [{ leaf: l.name }, counters.servedByLeaf.get(l.name) ?? 0]));
  family('opflex_twin_declared_endpoints', 'Endpoints registered on a leaf', 'gauge', leaves.map((l) => [{ leaf: l.name }, l.declaredEndpoints().length]));
  family('opflex_twin_agent_resets_total', 'Agent resets seen, by what caused them', 'counter', [...counters.resetsByPath].map(([path, n]) => [{ path }, n]));
  if (messages) {
    family('opflex_twin_opflex_messages_total', 'OpFlex messages between agents and the fabric, by method and direction', 'counter', Object.entries(messages.toJSON()).flatMap(([method, c]): Sample[] => [
      [{ method, direction: 'agent-to-leaf' }, c.agentToLeaf],
      [{ method, direction: 'leaf-to-agent' }, c.leafToAgent],
    ]));
  }
  family('opflex_twin_trace_events_total', 'Trace events, by event name', 'counter', [...counters.byEvent].sort(([a], [b]) => a.localeCompare(b)).map(([event, n]) => [{ event }, n]));
  return lines.join('\n') + '\n';
}
