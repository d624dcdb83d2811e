/**
 * What the HTML report and the Markdown summary show about one simulation run, built from its trace
 * alone: fed event by event while the run goes (simulate --html) or line by line from a saved trace
 * (show), it gives the same report. Milestones come from the `milestone` events the migration
 * tracker adds; downloads, cache hits, outages and queue depths are read from the fabric's events.
 *
 * A trace read from a file is outside input: every field is checked for its type, and what does not
 * fit is ignored rather than trusted.
 */
import type { TraceEvent } from '../kernel/trace.ts';
import { exchangeMessagesPerMigrationMax } from './exchange-tap.ts';
import type { MigrationRecord } from './migration-tracker.ts';
import { percentiles } from './plan-summary.ts';

/** Points kept per leaf for the download-queue chart (the deepest in each time bucket). */
const queuePointsPerLeafMax = 300;
/** Leaves drawn in the download-queue chart: the ones whose queue got deepest. */
const queueChartLeavesMax = 10;
/** Migrations, flows and leaf pairs a report keeps; more in a trace is reported as an error. */
const reportMigrationsMax = 20_000;
const reportFlowsMax = 1_000;
const reportLeafPairsMax = 5_000;
/** Milestones kept per migration (a run records about 20). */
const reportMilestonesPerMigrationMax = 200;
/** Down periods of flows a report keeps; more in a trace is reported as an error. */
const reportOutagePeriodsMax = 200_000;
/** Leaves whose download queue a report follows; more in a trace is reported as an error. */
const reportQueueLeavesMax = 20_000;

interface ReportMilestone {
  name: string;
  actor: string;
  tMs: number;
  detail?: string;
}

interface OutageSegment {
  startMs: number;
  endMs: number;
  reason: string;
  /** Probes lost for this reason in the segment. */
  lost: number;
}

interface ReportFlow {
  name: string;
  from: string;
  to: string;
  outageMs: number;
  downAtEnd: boolean;
  dropped: Record<string, number>;
  segments: OutageSegment[];
}

interface LeafDownloads {
  downloaded: number;
  servedFromCache: number;
  bySubject: Record<string, number>;
}

export interface ExchangeMessage {
  sentMs: number;
  arrivedMs: number;
  from: string;
  to: string;
  method: string;
  kind: string;
  objects: string;
}

export interface ReportMigration extends Pick<MigrationRecord, 'index' | 'node' | 'from' | 'to' | 'fromPair' | 'toPair' | 'crossLeafPair' | 'startMs' | 'converged'> {
  fromLeaves: string[];
  toLeaves: string[];
  milestones: ReportMilestone[];
  convergenceMs: number | null;
  switchoverToConvergedMs: number | null;
  outageMs: number;
  flows: ReportFlow[];
  downloadsByLeaf: Record<string, LeafDownloads>;
  /** The agent's OpFlex messages and the destination leaves' APIC requests, stun to converged. */
  exchange: ExchangeMessage[];
  /** Messages of the exchange the trace left out (past its bound). */
  exchangeDropped: number;
}

interface QueueSeries {
  leaf: string;
  peak: number;
  /** [tMs, queued] steps. */
  points: [number, number][];
}

interface LeafPairLoad {
  fromPair: string;
  toPair: string;
  moves: number;
  downloads: number;
  worstSwitchoverToConvergedMs: number | null;
  notConverged: number;
}

export interface RunReport {
  scenario: string;
  seed: number;
  durationMs: number;
  start: string;
  settings: Record<string, string | number | boolean>;
  migrations: ReportMigration[];
  queues: QueueSeries[];
  leafPairLoads: LeafPairLoad[];
  plan: {
    converged: number;
    switchoverToConvergedMs: { p50: number; p95: number; max: number } | null;
    outageMs: { p50: number; p95: number; max: number };
  };
}

export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}

interface FlowInfo {
  name: string;
  from: string;
  to: string;
  nodes: string[];
}

interface DownPeriod {
  flow: string;
  startMs: number;
  endMs: number | undefined;
  segments: OutageSegment[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export class RunReportBuilder {
  private header: { scenario: string; seed: number; durationMs: number; start: string } | undefined;
  private settings: Record<string, string | number | boolean> = {};
  private readonly pairs = new Map<string, string[]>();
  private readonly flows = new Map<string, FlowInfo>();
  private readonly migrations = new Map<number, ReportMigration>();
  /** The latest migration of each node (the one its downloads and cache hits count towards). */
  private readonly latestOf = new Map<string, ReportMigration>();
  private readonly down = new Map<string, DownPeriod>();
  private readonly periods: DownPeriod[] = [];
  private readonly queuePoints = new Map<string, [number, number][]>();
  private readonly earlyStarts = new Map<number, TraceEvent>();
  private planStartMs: number | undefined;
  private lastMs = 0;

  readonly onEvent = (event: TraceEvent): void => {
    // Times as a saved trace has them (to the microsecond), so a report drawn live and one drawn
    // from the file are the same.
    const e = { ...event, tMs: Math.round(event.tMs * 1000) / 1000 };
    this.lastMs = Math.max(this.lastMs, e.tMs);
    const d = e.data;
    switch (e.event) {
      case 'run':
        this.header = {
          scenario: str(d.scenario) ?? '?',
          seed: num(d.seed) ?? 0,
          durationMs: num(d.durationMs) ?? 0,
          start: str(d.start) ?? '?',
        };
        return;
      case 'settings':
        this.settings = Object.fromEntries(Object.entries(d).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined));
        return;
      case 'leaf-pair': {
        const pair = str(d.pair);
        if (pair === undefined) return;
        if (this.pairs.size >= reportLeafPairsMax) throw new TraceFormatError(`more than ${reportLeafPairsMax} leaf pairs`);
        this.pairs.set(pair, (str(d.leaves) ?? '').split(',').filter((l) => l !== ''));
        return;
      }
      case 'flow': {
        const name = str(d.flow);
        if (name === undefined) return;
        if (this.flows.size >= reportFlowsMax) throw new TraceFormatError(`more than ${reportFlowsMax} flows`);
        this.flows.set(name, {
          name, from: str(d.from) ?? '?', to: str(d.to) ?? '?',
          nodes: [str(d.fromNode), str(d.toNode)].filter((n): n is string => n !== undefined),
        });
        return;
      }
      case 'migration-start':
        return this.begin(e);
      case 'milestone':
        return this.milestone(e);
      case 'flow-down':
        return this.flowDown(e);
      case 'probe-lost':
        return this.probeLost(e);
      case 'flow-up':
        return this.flowUp(e);
      case 'opflex-message':
        return this.message(e);
      case 'opflex-messages-dropped': {
        const m = this.migrations.get(num(d.migration) ?? -1);
        if (m) m.exchangeDropped += num(d.count) ?? 0;
        return;
      }
      case 'policy-download-queued':
      case 'policy-download':
        this.queued(e);
        if (e.event === 'policy-download') this.download(e);
        return;
      case 'policy-present':
      case 'policy-missing':
        return this.apicReply(e);
      case 'policy-served':
        if (d.from === 'cache') this.destinationOf(e, (l) => l.servedFromCache++);
        return;
    }
  };

  private begin(e: TraceEvent): void {
    const d = e.data;
    const index = num(d.migration);
    const node = str(d.node);
    if (index === undefined || node === undefined) return;
    if (this.migrations.size >= reportMigrationsMax && !this.migrations.has(index)) throw new TraceFormatError(`more than ${reportMigrationsMax} migrations`);
    const fromPair = str(d.fromPair) ?? '?';
    const toPair = str(d.toPair) ?? '?';
    const toLeaves = this.pairs.get(toPair) ?? [];
    const m: ReportMigration = {
      index, node, from: str(d.from) ?? '?', to: str(d.to) ?? '?', fromPair, toPair,
      fromLeaves: this.pairs.get(fromPair) ?? [], toLeaves, crossLeafPair: fromPair !== toPair, startMs: e.tMs,
      milestones: [], converged: false, convergenceMs: null, switchoverToConvergedMs: null, outageMs: 0, flows: [],
      downloadsByLeaf: Object.fromEntries(toLeaves.map((l) => [l, { downloaded: 0, servedFromCache: 0, bySubject: {} }])),
      exchange: [], exchangeDropped: 0,
    };
    this.migrations.set(index, m);
    this.latestOf.set(node, m);
    this.planStartMs ??= e.tMs;
    const early = this.earlyStarts.get(index);
    if (early) {
      this.earlyStarts.delete(index);
      this.milestone(early);
    }
  }

  private milestone(e: TraceEvent): void {
    const index = num(e.data.migration) ?? -1;
    const m = this.migrations.get(index);
    const name = str(e.data.name);
    if (name === undefined) return;
    if (!m) {
      // Fed live, a migration's first milestone arrives while its migration-start is being handed out.
      if (name === 'migration-start' && this.earlyStarts.size < reportMigrationsMax) this.earlyStarts.set(index, e);
      return;
    }
    if (m.milestones.length >= reportMilestonesPerMigrationMax) return;
    const detail = str(e.data.detail);
    m.milestones.push({ name, actor: e.actor, tMs: e.tMs, ...(detail !== undefined ? { detail } : {}) });
    if (name === 'converged' && !m.converged) {
      m.converged = true;
      m.convergenceMs = e.tMs - m.startMs;
      const stun = m.milestones.find((s) => s.name === 'stun-start');
      m.switchoverToConvergedMs = stun ? e.tMs - stun.tMs : null;
    }
  }

  private flowName(e: TraceEvent): string | undefined {
    return e.actor.startsWith('flow:') ? e.actor.slice(5) : undefined;
  }

  private flowDown(e: TraceEvent): void {
    const flow = this.flowName(e);
    if (flow === undefined || this.down.has(flow) || !this.flows.has(flow)) return;
    if (this.periods.length >= reportOutagePeriodsMax) throw new TraceFormatError(`more than ${reportOutagePeriodsMax} flow outages`);
    const period: DownPeriod = { flow, startMs: e.tMs, endMs: undefined, segments: [] };
    this.down.set(flow, period);
    this.periods.push(period);
  }

  private probeLost(e: TraceEvent): void {
    const flow = this.flowName(e);
    const period = flow === undefined ? undefined : this.down.get(flow);
    if (!period) return;
    const reason = str(e.data.reason) ?? 'unknown-destination';
    const last = period.segments[period.segments.length - 1];
    if (last && last.reason === reason) {
      last.lost++;
      return;
    }
    if (last) last.endMs = e.tMs;
    period.segments.push({ startMs: e.tMs, endMs: e.tMs, reason, lost: 1 });
  }

  private flowUp(e: TraceEvent): void {
    const flow = this.flowName(e);
    const period = flow === undefined ? undefined : this.down.get(flow);
    if (!period) return;
    period.endMs = e.tMs;
    const last = period.segments[period.segments.length - 1];
    if (last) last.endMs = e.tMs;
    this.down.delete(flow!);
  }

  private message(e: TraceEvent): void {
    const m = this.migrations.get(num(e.data.migration) ?? -1);
    if (!m) return;
    if (m.exchange.length >= 2 * exchangeMessagesPerMigrationMax) {
      m.exchangeDropped++;
      return;
    }
    m.exchange.push({
      sentMs: num(e.data.sentMs) ?? e.tMs,
      arrivedMs: e.tMs,
      from: str(e.data.from) ?? '?',
      to: str(e.data.to) ?? '?',
      method: str(e.data.method) ?? '?',
      kind: str(e.data.kind) ?? '?',
      objects: str(e.data.objects) ?? '',
    });
  }

  /** A migration whose exchange window is open: after its stun and before it converged. */
  private inExchange(node: string | undefined): ReportMigration | undefined {
    const m = node === undefined ? undefined : this.latestOf.get(node);
    if (!m || m.converged || !m.milestones.some((s) => s.name === 'stun-start')) return undefined;
    return m;
  }

  private readonly pendingFetch = new Map<string, { m: ReportMigration; sentMs: number; subject: string }>();

  private download(e: TraceEvent): void {
    this.destinationOf(e, (l) => {
      l.downloaded++;
      const subject = str(e.data.subject) ?? '?';
      l.bySubject[subject] = (l.bySubject[subject] ?? 0) + 1;
    });
    const m = this.inExchange(str(e.data.requestedBy));
    const uri = str(e.data.uri);
    if (m && uri !== undefined && m.toLeaves.includes(e.actor) && m.exchange.length < 2 * exchangeMessagesPerMigrationMax) {
      const subject = str(e.data.subject) ?? '?';
      m.exchange.push({ sentMs: e.tMs, arrivedMs: e.tMs, from: e.actor, to: 'apic', method: 'download', kind: 'request', objects: `${subject} ${uri}` });
      this.pendingFetch.set(`${e.actor}\u0000${uri}`, { m, sentMs: e.tMs, subject });
    }
  }

  private apicReply(e: TraceEvent): void {
    const key = `${e.actor}\u0000${str(e.data.uri)}`;
    const pending = this.pendingFetch.get(key);
    if (!pending) return;
    this.pendingFetch.delete(key);
    pending.m.exchange.push({
      sentMs: pending.sentMs, arrivedMs: e.tMs, from: 'apic', to: e.actor, method: 'download', kind: 'result',
      objects: e.event === 'policy-missing' ? `${pending.subject} missing at APIC` : `${pending.subject} ${str(e.data.uri)}`,
    });
  }

  /** Counts an event of a destination leaf towards the migration of the node that asked. */
  private destinationOf(e: TraceEvent, count: (l: LeafDownloads) => void): void {
    const node = str(e.data.requestedBy);
    const m = node === undefined ? undefined : this.latestOf.get(node);
    if (!m || !m.toLeaves.includes(e.actor)) return;
    count((m.downloadsByLeaf[e.actor] ??= { downloaded: 0, servedFromCache: 0, bySubject: {} }));
  }

  private queued(e: TraceEvent): void {
    const queued = num(e.data.queued);
    if (queued === undefined) return;
    let points = this.queuePoints.get(e.actor);
    if (!points) {
      if (this.queuePoints.size >= reportQueueLeavesMax) throw new TraceFormatError(`more than ${reportQueueLeavesMax} leaves queue downloads`);
      this.queuePoints.set(e.actor, (points = []));
    }
    points.push([e.tMs, queued]);
    // Keep memory bounded on long runs: thin out to the deepest point per time slice now and then.
    if (points.length >= 8 * queuePointsPerLeafMax) this.queuePoints.set(e.actor, downsample(points, 4 * queuePointsPerLeafMax));
  }

  /** The report, once every event has been fed. */
  finish(): RunReport {
    if (!this.header) throw new TraceFormatError('no "run" event: the trace was not written by opflex-twin simulate (or by an older version)');
    const endMs = Math.max(this.header.durationMs, this.lastMs);
    const starts = [...this.migrations.values()].sort((a, b) => a.startMs - b.startMs || a.index - b.index);
    // As the flow recorder does: a down period counts towards the latest migration of one of the
    // flow's nodes that had started when the flow went down.
    const windowOf = (flow: FlowInfo, tMs: number): ReportMigration | undefined => {
      for (let i = starts.length - 1; i >= 0; i--) {
        const m = starts[i]!;
        if (m.startMs <= tMs && flow.nodes.includes(m.node)) return m;
      }
      return undefined;
    };
    const flowsOf = new Map<ReportMigration, Map<string, ReportFlow>>();
    const flowEntry = (m: ReportMigration, f: FlowInfo): ReportFlow => {
      let byName = flowsOf.get(m);
      if (!byName) flowsOf.set(m, (byName = new Map()));
      let entry = byName.get(f.name);
      if (!entry) byName.set(f.name, (entry = { name: f.name, from: f.from, to: f.to, outageMs: 0, downAtEnd: false, dropped: {}, segments: [] }));
      return entry;
    };
    for (const m of starts) for (const f of this.flows.values()) if (f.nodes.includes(m.node)) flowEntry(m, f);
    for (const p of this.periods) {
      const f = this.flows.get(p.flow)!;
      const m = windowOf(f, p.startMs);
      if (!m) continue;
      const entry = flowEntry(m, f);
      const end = p.endMs ?? endMs;
      entry.outageMs += end - p.startMs;
      if (p.endMs === undefined) {
        entry.downAtEnd = true;
        const last = p.segments[p.segments.length - 1];
        if (last) last.endMs = endMs;
      }
      for (const s of p.segments) {
        entry.dropped[s.reason] = (entry.dropped[s.reason] ?? 0) + s.lost;
        entry.segments.push(s);
      }
    }
    for (const m of starts) {
      m.flows = [...(flowsOf.get(m)?.values() ?? [])];
      m.outageMs = m.flows.reduce((max, f) => Math.max(max, f.outageMs), 0);
      m.exchange.sort((a, b) => a.sentMs - b.sentMs || a.arrivedMs - b.arrivedMs);
    }
    const migrations = [...this.migrations.values()].sort((a, b) => a.index - b.index);
    const converged = migrations.filter((m) => m.converged);
    return {
      ...this.header,
      settings: this.settings,
      migrations,
      queues: this.queueSeries(),
      leafPairLoads: leafPairLoads(migrations),
      plan: {
        converged: converged.length,
        switchoverToConvergedMs: converged.length > 0 ? percentiles(converged.map((m) => m.switchoverToConvergedMs ?? 0)) : null,
        outageMs: percentiles(migrations.map((m) => m.outageMs)),
      },
    };
  }

  private queueSeries(): QueueSeries[] {
    const from = this.planStartMs ?? 0;
    const series: QueueSeries[] = [];
    for (const [leaf, points] of this.queuePoints) {
      let peak = 0;
      for (const [t, q] of points) if (t >= from && q > peak) peak = q;
      if (peak === 0) continue;
      series.push({ leaf, peak, points: downsample(points, queuePointsPerLeafMax) });
    }
    series.sort((a, b) => b.peak - a.peak || a.leaf.localeCompare(b.leaf));
    return series.slice(0, queueChartLeavesMax);
  }
}

/** At most `max` points: the deepest of each equal slice of time, so peaks survive. */
function downsample(points: [number, number][], max: number): [number, number][] {
  if (points.length <= max) return points;
  const t0 = points[0]![0];
  const span = points[points.length - 1]![0] - t0 || 1;
  const buckets: ([number, number] | undefined)[] = new Array(max);
  for (const p of points) {
    const i = Math.min(max - 1, Math.floor(((p[0] - t0) / span) * max));
    const b = buckets[i];
    if (!b || p[1] > b[1]) buckets[i] = p;
  }
  return buckets.filter((b): b is [number, number] => b !== undefined);
}

function leafPairLoads(migrations: readonly ReportMigration[]): LeafPairLoad[] {
  const byKey = new Map<string, LeafPairLoad>();
  for (const m of migrations) {
    const key = `${m.fromPair}\u0000${m.toPair}`;
    let load = byKey.get(key);
    if (!load) byKey.set(key, (load = { fromPair: m.fromPair, toPair: m.toPair, moves: 0, downloads: 0, worstSwitchoverToConvergedMs: null, notConverged: 0 }));
    load.moves++;
    for (const d of Object.values(m.downloadsByLeaf)) load.downloads += d.downloaded;
    if (!m.converged) load.notConverged++;
    else load.worstSwitchoverToConvergedMs = Math.max(load.worstSwitchoverToConvergedMs ?? 0, m.switchoverToConvergedMs ?? 0);
  }
  return [...byKey.values()].sort((a, b) => b.downloads - a.downloads || b.moves - a.moves || a.fromPair.localeCompare(b.fromPair) || a.toPair.localeCompare(b.toPair));
}
