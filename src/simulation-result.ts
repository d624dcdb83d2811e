/**
 * What a simulation run produces and the reports read: per migration its milestones, downloads and
 * flows' outages, and the run's plan summary and statistics. The runner (simulation.ts) fills it in;
 * a report imports only this, never the runner.
 */
import type { TraceEvent } from './kernel/trace.ts';
import type { FlowWindowStats } from './report/flow-recorder.ts';
import type { MethodCounts } from './report/message-counter.ts';
import type { MigrationRecord } from './report/migration-tracker.ts';
import type { PlanSummary } from './report/plan-summary.ts';
import type { Scenario } from './scenario/types.ts';

export interface MigrationSummary
  extends Pick<MigrationRecord, 'index' | 'node' | 'from' | 'to' | 'fromPair' | 'toPair' | 'crossLeafPair' | 'startMs' | 'converged' | 'milestones'> {
  /** From migration start to converged; null when it never converged in the run. */
  convergenceMs: number | null;
  /** From the VM being stunned (the switch-over) to converged; null when it never converged. */
  switchoverToConvergedMs: number | null;
  downloadedObjects: { leaf: string; subject: string; uri: string; tMs: number }[];
  downloadsByLeaf: Record<string, { downloaded: number; servedFromCache: number; bySubject: Record<string, number> }>;
  /** The longest outage among the flows to or from this node's pods. */
  outageMs: number;
  flows: (Omit<FlowWindowStats, 'firstDropMs' | 'lastDropMs'> & { firstDropMs: number | null; lastDropMs: number | null })[];
}

export interface SimulationResult {
  scenario: string;
  seed: number;
  /** How the run began: the bootstrap simulated (cold) or the settled fabric built directly (steady). */
  start: Scenario['start'];
  durationMs: number;
  settings: Scenario['settings'];
  migrations: MigrationSummary[];
  warmup: { flows: MigrationSummary['flows'] };
  plan: PlanSummary;
  stats: {
    events: number;
    traceEvents: number;
    /** OpFlex messages by method and direction over the whole run. */
    messages: Record<string, MethodCounts>;
    simulatedMs: number;
    wallMs: number;
    /** Of wallMs, building the starting state (most of it for a steady start of a large fabric). */
    startWallMs: number;
    peakRssBytes: number;
  };
  trace: readonly TraceEvent[];
}
