/**
 * Runs a scenario in virtual time and summarises it: per migration its milestones, downloads per
 * destination leaf (by class, and what was served from cache), outage per flow, convergence.
 * Everything in the result except `stats.wallMs`, `stats.startWallMs` and `stats.peakRssBytes`
 * depends only on the scenario and the seed.
 */
import type { TraceEvent } from './kernel/trace.ts';
import { FlowRecorder } from './report/flow-recorder.ts';
import { MessageCounter } from './report/message-counter.ts';
import { MessageFlowRecorder, type MessageFlow } from './report/message-flows.ts';
import { Stopwatch } from './report/stopwatch.ts';
import { QueueDepthWatcher, summarisePlan } from './report/plan-summary.ts';
import { MigrationTracker, type Download, type Milestone } from './report/migration-tracker.ts';
import { formatDuration } from './scenario/duration.ts';
import type { Scenario } from './scenario/types.ts';
import type { MigrationSummary, SimulationResult } from './simulation-result.ts';
import { simulatedTwin } from './simulated-twin.ts';
import { ExchangeTap } from './report/exchange-tap.ts';
import { emitRunHeader, listenerNames } from './report/run-header.ts';

interface SimulationOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Keep every trace event in memory (for --trace and tests). */
  recordTrace?: boolean;
  onTraceEvent?: (e: TraceEvent) => void;
  /** Sees every OpFlex message that arrived: sender and receiver actors, send and arrival times. */
  onMessageFlow?: (flow: MessageFlow) => void;
  /** Called every ~2^16 events with the simulated time, for progress bars. */
  onProgress?: (simulatedMs: number, durationMs: number) => void;
  /** Most events the run may take (default: `defaultEventBudget(scenario)`); past it `EventBudgetError`. */
  maxEvents?: number;
}

/** Events any scenario may run, whatever its size. */
export const eventsMaxBase = 10_000_000;
/** Events added to the budget per node and per pod (the XL preset runs ~2.0M events for 1.02M of them, ~4.8M when it sends every keepalive echo). */
export const eventsMaxPerEndpoint = 25;

/** The event budget of a scenario: generous for any plan its size, finite for a runaway one. */
export function defaultEventBudget(scenario: Scenario): number {
  let pods = 0;
  for (const n of scenario.nodes) pods += n.pods.length;
  return eventsMaxBase + eventsMaxPerEndpoint * (scenario.nodes.length + pods);
}

/** A run stopped because it needed more events than its budget (a far too fine interval, a far too long run). */
export class EventBudgetError extends Error {
  override readonly name = 'EventBudgetError';

  constructor(
    readonly maxEvents: number,
    readonly simulatedMs: number,
    readonly durationMs: number,
  ) {
    super(
      `the run stopped after ${maxEvents.toLocaleString('en-US')} events, its event budget, at ${formatDuration(simulatedMs)} of ${formatDuration(durationMs)}: ` +
        'check the flow intervals, timers and duration, or raise the budget with --max-events',
    );
  }
}

export function simulate(scenario: Scenario, options: SimulationOptions = {}): SimulationResult {
  const seed = options.seed ?? scenario.seed;
  const stopwatch = new Stopwatch();
  const messages = new MessageCounter();

  // Only the flows' pods: a fabric-scale scenario has a million.
  const flowPods = new Set(scenario.flows.flatMap((f) => [f.from, f.to]));
  const nodeOfPod = new Map<string, string>();
  for (const n of scenario.nodes) for (const p of n.pods) if (flowPods.has(p.name)) nodeOfPod.set(p.name, n.name);
  const flowNodes = new Map(scenario.flows.map((f) => [f.name, [nodeOfPod.get(f.from)!, nodeOfPod.get(f.to)!]]));
  // A probe's window is the latest migration of one of its flow's nodes that started by then
  // (-1 before any): each node's starts, in order, so a probe looks at its two nodes' only.
  const startsByNode = new Map<string, { tMs: number; index: number; order: number }[]>();
  let migrationsStarted = 0;
  const recorder = new FlowRecorder((tMs, flow) => {
    let latest: { index: number; order: number } | undefined;
    for (const node of flowNodes.get(flow)!) {
      const starts = startsByNode.get(node);
      if (starts === undefined) continue;
      for (let i = starts.length - 1; i >= 0; i--) {
        const m = starts[i]!;
        if (m.tMs > tMs) continue;
        if (latest === undefined || m.order > latest.order) latest = m;
        break;
      }
    }
    return latest === undefined ? -1 : latest.index;
  });

  // Every OpFlex message that arrives goes to the exchange tap (the switch-over in the trace) and to
  // the caller's flow listener; actors are named by the addresses they listen on.
  const names = listenerNames(scenario);
  let tap: ExchangeTap | undefined;
  const onMessageFlow = options.onMessageFlow;
  const { twin, scheduler, trace } = simulatedTwin(scenario, {
    seed,
    recordTrace: options.recordTrace ?? false,
    observe: messages.observe,
    wrapTransport: (transport, clock) =>
      new MessageFlowRecorder(
        clock,
        { client: (from) => `agent:${from}`, server: (at) => names.get(at) ?? at },
        (flow, message) => {
          tap!.onFlow(flow, message);
          onMessageFlow?.(flow);
        },
        // Without a flow listener only the migrating agents' exchanges are recorded.
        onMessageFlow ? undefined : { direction: (from, to) => tap!.direction(from, to) },
      ).wrap(transport),
    onProbe: (probe, tMs, delivered, bounced, reason, at) => {
      recorder.record(probe.spec, tMs, delivered, bounced, reason);
      if (!delivered) trace.emit(`flow:${probe.spec.name}`, 'probe-lost', { reason: reason ?? 'unknown-destination', at });
    },
  });

  const tracker = new MigrationTracker(twin.trackerContext(), (m, r) =>
    trace.emit(m.actor, 'milestone', { migration: r.index, node: r.node, name: m.name, ...(m.detail !== undefined ? { detail: m.detail } : {}) }),
  );
  tap = new ExchangeTap(trace);
  const queues = new QueueDepthWatcher();
  trace.subscribe(queues.onEvent);
  trace.subscribe(tap.onEvent);
  trace.subscribe((e) => {
    if (e.event === 'migration-start') {
      const node = e.data.node as string;
      let starts = startsByNode.get(node);
      if (starts === undefined) startsByNode.set(node, (starts = []));
      starts.push({ tMs: e.tMs, index: e.data.migration as number, order: migrationsStarted++ });
    }
    tracker.onEvent(e);
  });
  if (options.onTraceEvent) trace.subscribe(options.onTraceEvent);

  emitRunHeader(trace, scenario, seed, nodeOfPod);
  twin.start();
  const startWallMs = stopwatch.elapsedMs;
  const chunk = 1 << 16;
  const end = scenario.durationMs;
  const maxEvents = options.maxEvents ?? defaultEventBudget(scenario);
  for (;;) {
    const room = maxEvents - scheduler.eventsRun;
    if (room <= 0) {
      // One more event pending before the end means the budget is too small; none means the run is done.
      if (scheduler.runUntil(end, 1) === 1) throw new EventBudgetError(maxEvents, scheduler.now(), end);
      break;
    }
    const step = Math.min(chunk, room);
    if (scheduler.runUntil(end, step) < step) break;
    stopwatch.sample();
    options.onProgress?.(scheduler.now(), end);
  }
  options.onProgress?.(end, end);
  const echoes = twin.countedEchoes();
  if (echoes > 0) messages.add('echo', echoes, echoes);
  recorder.finish(end);
  tap.finish();

  const flowsOf = (window: number) =>
    recorder.window(window).map((f) => ({ ...f, firstDropMs: f.firstDropMs ?? null, lastDropMs: f.lastDropMs ?? null }));

  const migrations: MigrationSummary[] = tracker.records.map((r) => {
    const flows = flowsOf(r.index);
    const byLeaf: MigrationSummary['downloadsByLeaf'] = {};
    for (const leaf of twin.leavesOfPair(r.toPair)) byLeaf[leaf.name] = { downloaded: 0, servedFromCache: r.servedFromCache.get(leaf.name) ?? 0, bySubject: {} };
    for (const d of r.downloads) {
      const entry = (byLeaf[d.leaf] ??= { downloaded: 0, servedFromCache: 0, bySubject: {} });
      entry.downloaded++;
      entry.bySubject[d.subject] = (entry.bySubject[d.subject] ?? 0) + 1;
    }
    return {
      index: r.index,
      node: r.node,
      from: r.from,
      to: r.to,
      fromPair: r.fromPair,
      toPair: r.toPair,
      crossLeafPair: r.crossLeafPair,
      startMs: r.startMs,
      converged: r.converged,
      convergenceMs: r.convergedMs === undefined ? null : r.convergedMs - r.startMs,
      switchoverToConvergedMs: switchoverToConverged(r.milestones, r.convergedMs),
      milestones: r.milestones,
      downloadedObjects: r.downloads.map((d: Download) => ({ leaf: d.leaf, subject: d.subject, uri: d.uri, tMs: d.tMs })),
      downloadsByLeaf: byLeaf,
      outageMs: flows.reduce((max, f) => Math.max(max, f.outageMs), 0),
      flows,
    };
  });

  return {
    scenario: scenario.name,
    seed,
    start: scenario.start,
    durationMs: end,
    settings: scenario.settings,
    migrations,
    warmup: { flows: flowsOf(-1) },
    plan: summarisePlan(migrations, queues),
    stats: {
      events: scheduler.eventsRun,
      traceEvents: trace.emitted,
      messages: messages.toJSON(),
      simulatedMs: end,
      wallMs: Math.round(stopwatch.elapsedMs * 1000) / 1000,
      startWallMs: Math.round(startWallMs * 1000) / 1000,
      peakRssBytes: stopwatch.peakRssBytes,
    },
    trace: trace.events,
  };
}

function switchoverToConverged(milestones: Milestone[], convergedMs: number | undefined): number | null {
  const stun = milestones.find((m) => m.name === 'stun-start');
  return convergedMs === undefined || !stun ? null : convergedMs - stun.tMs;
}
