/**
 * A simulation as a Trace Event Format document, the JSON that Perfetto (ui.perfetto.dev) and
 * chrome://tracing open. Each fabric part is a process and each actor a thread in it; every trace
 * event is an instant on its actor's track; each migration is a span on a track of its own with its
 * phases nested inside and its milestones as instants; each flow outage is a span on the flow's
 * track; every OpFlex message is a slice on the sender's and on the receiver's track joined by a flow
 * arrow; leaves' APIC download queues are counters. Times are microseconds of simulated time.
 *
 * The document depends only on the run (scenario and seed): same seed, same bytes.
 */
import type { TraceData, TraceEvent } from '../kernel/trace.ts';
import type { Scenario } from '../scenario/types.ts';
import type { MigrationSummary } from '../simulation-result.ts';
import type { MessageFlow } from './message-flows.ts';

/** Messages drawn as arrows; a run with more draws the first ones and counts the rest in `otherData`. */
const messageArrowsMax = 200_000;
/** Length of the slice a message makes on the sender's and the receiver's track (arrows bind to slices). */
const messageSliceUs = 1;

export type ChromeTraceEvent =
  | { ph: 'M'; name: 'process_name' | 'process_sort_index' | 'thread_name' | 'thread_sort_index'; pid: number; tid?: number; args: { name: string } | { sort_index: number } }
  | { ph: 'X'; name: string; cat: string; ts: number; dur: number; pid: number; tid: number; args?: Record<string, unknown> }
  | { ph: 'i'; name: string; cat: string; ts: number; s: 't'; pid: number; tid: number; args?: Record<string, unknown> }
  | { ph: 's' | 'f'; name: string; cat: string; ts: number; id: number; pid: number; tid: number; bp?: 'e' }
  | { ph: 'C'; name: string; cat: string; ts: number; pid: number; args: Record<string, number> };

/** Every event but metadata has a time. */
type TimedEvent = Exclude<ChromeTraceEvent, { ph: 'M' }>;

interface ChromeTraceDocument {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string | number>;
}

interface ChromeTraceRun {
  scenario: Scenario;
  seed: number;
  durationMs: number;
  trace: readonly TraceEvent[];
  migrations: readonly MigrationSummary[];
  messages: readonly MessageFlow[];
  /** Messages left out past messageArrowsMax. */
  messagesOmitted?: number;
}

/** Keeps the first messageArrowsMax messages of a run, counting the rest. */
export class MessageFlowCollector {
  readonly flows: MessageFlow[] = [];
  omitted = 0;

  readonly onMessageFlow = (flow: MessageFlow): void => {
    if (this.flows.length < messageArrowsMax) this.flows.push(flow);
    else this.omitted++;
  };
}

const us = (ms: number): number => Math.round(ms * 1000);

interface Track {
  pid: number;
  tid: number;
}

/** Processes (fabric parts) and threads (actors), numbered in a fixed order so the output is stable. */
class Tracks {
  readonly metadata: ChromeTraceEvent[] = [];
  private readonly processes = new Map<string, number>();
  private readonly threads = new Map<string, Track>();
  private nextTid = 1;

  constructor(private readonly partOf: (actor: string) => string) {}

  /** Declares a fabric part now, so parts appear in this order whether or not their actors show up early. */
  part(name: string): number {
    let pid = this.processes.get(name);
    if (pid === undefined) {
      pid = this.processes.size + 1;
      this.processes.set(name, pid);
      this.metadata.push({ ph: 'M', name: 'process_name', pid, args: { name } });
      this.metadata.push({ ph: 'M', name: 'process_sort_index', pid, args: { sort_index: pid } });
    }
    return pid;
  }

  of(actor: string, part = this.partOf(actor)): Track {
    let track = this.threads.get(actor);
    if (!track) {
      track = { pid: this.part(part), tid: this.nextTid++ };
      this.threads.set(actor, track);
      this.metadata.push({ ph: 'M', name: 'thread_name', pid: track.pid, tid: track.tid, args: { name: actor } });
      this.metadata.push({ ph: 'M', name: 'thread_sort_index', pid: track.pid, tid: track.tid, args: { sort_index: track.tid } });
    }
    return track;
  }
}

const MIGRATIONS = 'Migrations';
const POD_TRAFFIC = 'Pod traffic';

function fabricParts(scenario: Scenario): { order: string[]; partOf: (actor: string) => string } {
  const leafPart = new Map<string, string>();
  for (const pair of scenario.fabric.leafPairs) for (const leaf of pair.leaves) leafPart.set(leaf.name, `Leaf pair ${pair.name}`);
  const order = [
    MIGRATIONS,
    'APIC',
    'Spines (COOP)',
    'Anycast proxy',
    ...scenario.fabric.leafPairs.map((p) => `Leaf pair ${p.name}`),
    'Hypervisors (vMotion)',
    'Kubernetes (aci-containers-controller)',
    POD_TRAFFIC,
  ];
  const partOf = (actor: string): string => {
    const leaf = leafPart.get(actor);
    if (leaf) return leaf;
    if (actor === 'apic') return 'APIC';
    if (actor === 'coop') return 'Spines (COOP)';
    if (actor === 'anycast') return 'Anycast proxy';
    if (actor === 'vmotion') return 'Hypervisors (vMotion)';
    if (actor === 'aci-controller') return 'Kubernetes (aci-containers-controller)';
    if (actor.startsWith('flow:')) return POD_TRAFFIC;
    const node = /^(?:agent|host-agent):(.*)$/.exec(actor);
    if (node) return `Node VM ${node[1]}`;
    return 'Other';
  };
  return { order, partOf };
}

function argsOf(data: TraceData): Record<string, unknown> | undefined {
  const args: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined) continue;
    args[k] = v;
    any = true;
  }
  return any ? args : undefined;
}

function migrationSpans(m: MigrationSummary, track: Track, endMs: number): TimedEvent[] {
  const start = us(m.startMs);
  const end = Math.max(start, us(m.converged && m.convergenceMs !== null ? m.startMs + m.convergenceMs : endMs));
  const name = `migration ${m.index + 1}: ${m.node} ${m.from} -> ${m.to}`;
  const events: TimedEvent[] = [
    {
      ph: 'X', name, cat: 'migration', ts: start, dur: end - start, ...track,
      args: { node: m.node, from: m.from, to: m.to, fromPair: m.fromPair, toPair: m.toPair, converged: m.converged, outageMs: m.outageMs },
    },
  ];
  const at = (milestone: string): number | undefined => {
    const found = m.milestones.find((s) => s.name === milestone);
    return found === undefined ? undefined : Math.min(end, Math.max(start, us(found.tMs)));
  };
  const phases: [string, number | undefined, number | undefined][] = [
    ['pre-copy', at('migration-start'), at('stun-start')],
    ['stunned', at('stun-start'), at('resume')],
    ['switch-over to converged', at('resume'), m.converged ? end : undefined],
  ];
  for (const [phase, from, to] of phases) {
    if (from !== undefined && to !== undefined && to >= from) events.push({ ph: 'X', name: phase, cat: 'migration', ts: from, dur: to - from, ...track });
  }
  for (const s of m.milestones) {
    events.push({ ph: 'i', name: s.name, cat: 'milestone', ts: us(s.tMs), s: 't', ...track, args: { actor: s.actor, ...(s.detail ? { detail: s.detail } : {}) } });
  }
  return events;
}

/** Outage spans from each flow-down to the next flow-up on the flow's track (or to the end of the run). */
function outageSpans(run: ChromeTraceRun, tracks: Tracks): TimedEvent[] {
  const open = new Map<string, TraceEvent>();
  const spans: TimedEvent[] = [];
  const close = (down: TraceEvent, endMs: number, atEnd: boolean) => {
    const flow = down.actor.slice('flow:'.length);
    const ts = us(down.tMs);
    const window = run.migrations.flatMap((m) => m.flows.filter((f) => f.name === flow && f.firstDropMs !== null && f.firstDropMs >= down.tMs && f.firstDropMs <= endMs).map((f) => ({ m, f })))[0];
    spans.push({
      ph: 'X', name: `outage ${flow}`, cat: 'outage', ts, dur: Math.max(0, us(endMs) - ts), ...tracks.of(down.actor),
      args: {
        reason: down.data.reason,
        at: down.data.at,
        ...(atEnd ? { downAtEnd: true } : {}),
        ...(window ? { migration: window.m.index + 1, dropped: window.f.dropped } : {}),
      },
    });
  };
  for (const e of run.trace) {
    if (!e.actor.startsWith('flow:')) continue;
    if (e.event === 'flow-down' && !open.has(e.actor)) open.set(e.actor, e);
    else if (e.event === 'flow-up' && open.has(e.actor)) {
      close(open.get(e.actor)!, e.tMs, false);
      open.delete(e.actor);
    }
  }
  for (const down of open.values()) close(down, run.durationMs, true);
  return spans;
}

function messageEvents(flows: readonly MessageFlow[], tracks: Tracks): TimedEvent[] {
  const events: TimedEvent[] = [];
  let id = 0;
  for (const flow of flows) {
    id++;
    const name = `${flow.method} ${flow.kind === 'request' ? 'request' : flow.kind === 'result' ? 'reply' : 'error reply'}`;
    const from = tracks.of(flow.from);
    const to = tracks.of(flow.to);
    const sent = us(flow.sentMs);
    const arrived = Math.max(sent, us(flow.arrivedMs));
    events.push({ ph: 'X', name, cat: 'opflex', ts: sent, dur: messageSliceUs, ...from, args: { to: flow.to } });
    events.push({ ph: 's', name: flow.method, cat: 'opflex', ts: sent, id, ...from });
    events.push({ ph: 'X', name, cat: 'opflex', ts: arrived, dur: messageSliceUs, ...to, args: { from: flow.from } });
    events.push({ ph: 'f', name: flow.method, cat: 'opflex', ts: arrived, id, bp: 'e', ...to });
  }
  return events;
}

function downloadQueueCounters(trace: readonly TraceEvent[], tracks: Tracks): TimedEvent[] {
  const counters: TimedEvent[] = [];
  for (const e of trace) {
    if ((e.event !== 'policy-download-queued' && e.event !== 'policy-download') || typeof e.data.queued !== 'number') continue;
    counters.push({ ph: 'C', name: `download queue ${e.actor}`, cat: 'policy', ts: us(e.tMs), pid: tracks.of(e.actor).pid, args: { queued: e.data.queued } });
  }
  return counters;
}

export function chromeTrace(run: ChromeTraceRun): ChromeTraceDocument {
  const { order, partOf } = fabricParts(run.scenario);
  const tracks = new Tracks(partOf);
  for (const part of order) tracks.part(part);
  // Every leaf, agent and host-agent of the scenario has its track, even one that stayed silent.
  for (const pair of run.scenario.fabric.leafPairs) for (const leaf of pair.leaves) tracks.of(leaf.name);
  for (const node of run.scenario.nodes) {
    tracks.of(`agent:${node.name}`);
    tracks.of(`host-agent:${node.name}`);
  }

  const timed: TimedEvent[] = [];
  for (const m of run.migrations) timed.push(...migrationSpans(m, tracks.of(`migration ${m.index + 1} (${m.node})`, MIGRATIONS), run.durationMs));
  for (const e of run.trace) {
    const args = argsOf(e.data);
    timed.push({ ph: 'i', name: e.event, cat: 'trace', ts: us(e.tMs), s: 't', ...tracks.of(e.actor), ...(args ? { args } : {}) });
  }
  timed.push(...outageSpans(run, tracks));
  timed.push(...messageEvents(run.messages, tracks));
  timed.push(...downloadQueueCounters(run.trace, tracks));
  // By time; at one time the longer span first, so parents come before the slices they enclose.
  // sort() is stable: events at one time with one length keep the order they were made in.
  timed.sort((a, b) => a.ts - b.ts || durOf(b) - durOf(a));

  return {
    traceEvents: [...tracks.metadata, ...timed],
    displayTimeUnit: 'ms',
    otherData: {
      generator: 'opflex-twin simulate --trace-format chrome',
      scenario: run.scenario.name,
      seed: run.seed,
      simulatedMs: run.durationMs,
      messagesDrawn: run.messages.length,
      messagesOmitted: run.messagesOmitted ?? 0,
    },
  };
}

function durOf(e: TimedEvent): number {
  return e.ph === 'X' ? e.dur : -1;
}

/** One event per line: a diff of two runs reads like a diff of their NDJSON traces. */
export function formatChromeTrace(doc: ChromeTraceDocument): string {
  return (
    '{"displayTimeUnit":"ms","otherData":' + JSON.stringify(doc.otherData) + ',"traceEvents":[\n' +
    doc.traceEvents.map((e) => JSON.stringify(e)).join(',\n') +
    '\n]}\n'
  );
}
