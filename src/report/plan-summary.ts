/**
 * A whole plan at a glance (host evacuations, hundreds of moves): how many converged, outage and
 * convergence percentiles, and the download load on each destination leaf, including the deepest
 * its APIC download queue got.
 */
import type { TraceEvent } from '../kernel/trace.ts';

interface LeafLoad {
  leaf: string;
  downloads: number;
  servedFromCache: number;
  peakQueue: number;
}

export interface PlanSummary {
  migrations: number;
  crossLeafPair: number;
  converged: number;
  outageMs: { p50: number; p95: number; max: number };
  switchoverToConvergedMs: { p50: number; p95: number; max: number } | null;
  leaves: LeafLoad[];
}

/** What the summary reads of one move (a `MigrationSummary` of the run has it). */
export interface PlannedMove {
  crossLeafPair: boolean;
  converged: boolean;
  outageMs: number;
  switchoverToConvergedMs: number | null;
  downloadsByLeaf: Record<string, { downloaded: number; servedFromCache: number }>;
}

/**
 * Watches the trace for each leaf's deepest download queue once the plan has started (the
 * migration summaries carry the rest).
 */
export class QueueDepthWatcher {
  readonly peak = new Map<string, number>();
  private started = false;

  readonly onEvent = (e: TraceEvent): void => {
    if (e.event === 'migration-start') this.started = true;
    if (!this.started || (e.event !== 'policy-download-queued' && e.event !== 'policy-download')) return;
    const queued = e.data.queued as number;
    if (queued > (this.peak.get(e.actor) ?? 0)) this.peak.set(e.actor, queued);
  };
}

export function percentiles(values: number[]): { p50: number; p95: number; max: number } {
  if (values.length === 0) return { p50: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1]! };
}

export function summarisePlan(migrations: readonly PlannedMove[], queues: QueueDepthWatcher): PlanSummary {
  const byLeaf = new Map<string, LeafLoad>();
  for (const m of migrations) {
    for (const [leaf, d] of Object.entries(m.downloadsByLeaf)) {
      let load = byLeaf.get(leaf);
      if (!load) byLeaf.set(leaf, (load = { leaf, downloads: 0, servedFromCache: 0, peakQueue: queues.peak.get(leaf) ?? 0 }));
      load.downloads += d.downloaded;
      load.servedFromCache += d.servedFromCache;
    }
  }
  const converged = migrations.filter((m) => m.converged);
  return {
    migrations: migrations.length,
    crossLeafPair: migrations.filter((m) => m.crossLeafPair).length,
    converged: converged.length,
    outageMs: percentiles(migrations.map((m) => m.outageMs)),
    switchoverToConvergedMs: converged.length > 0 ? percentiles(converged.map((m) => m.switchoverToConvergedMs!)) : null,
    leaves: [...byLeaf.values()].sort((a, b) => b.downloads - a.downloads || a.leaf.localeCompare(b.leaf)),
  };
}
