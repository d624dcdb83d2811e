/**
 * One checked run: the scenario (with its fault schedule) on the virtual clock, exactly as `simulate`
 * runs it, with the invariant monitor and the hazard witness reading the trace; at the end the state
 * checks, and the violations split into known hazards and unexplained ones. Nothing here schedules
 * events or draws randomness, so the run is the one `simulate` replays.
 */
import type { TraceEvent } from '../kernel/trace.ts';
import type { FaultEntry, FaultKind, Scenario } from '../scenario/types.ts';
import { simulatedTwin } from '../simulated-twin.ts';
import type { Twin } from '../twin.ts';
import { HazardWitness, type HazardFinding } from './hazards.ts';
import { InvariantMonitor, type Violation } from './invariants.ts';
import { isFaultKind } from '../scenario/fault-schema.ts';

/** Quiet time after the last fault heals and the last move starts before liveness is judged. */
export const settleMs = 150_000;

export interface CheckedRun {
  seed: number;
  durationMs: number;
  /** Faults that started, by kind. */
  faultsInjected: Partial<Record<FaultKind, number>>;
  /** The run lasted the settle time past its last fault and move, so liveness was judged. */
  settled: boolean;
  /** Violations no known hazard explains. */
  violations: Violation[];
  hazards: { hazard: HazardFinding['hazard']; node: string; invariants: string[]; first: Violation }[];
  events: number;
  trace?: readonly TraceEvent[];
}

export interface CheckedRunOptions {
  recordTrace?: boolean;
  /** Called with the built twin before it starts (tests plant defects through it). */
  prepare?: (twin: Twin) => void;
}

/** When the last fault has healed (its start plus its duration and magnitude). */
function lastHealMs(schedule: readonly FaultEntry[]): number {
  return schedule.reduce((max, f) => Math.max(max, f.atMs + (f.forMs ?? 0) + (f.delayMs ?? 0)), 0);
}

/** When the scenario stops acting on its own: the last fault healed, the last move or evacuation started. */
export function quietFromMs(s: Scenario): number {
  return Math.max(
    lastHealMs(s.faultSchedule ?? []),
    s.migrations.reduce((max, m) => Math.max(max, m.atMs), 0),
    (s.evacuations ?? []).reduce((max, e) => Math.max(max, e.atMs), 0),
  );
}

export function runChecked(scenario: Scenario, options: CheckedRunOptions = {}): CheckedRun {
  const { twin, scheduler, trace } = simulatedTwin(scenario, { recordTrace: options.recordTrace ?? false });
  const monitor = new InvariantMonitor(twin);
  const witness = new HazardWitness();
  const faultsInjected: Partial<Record<FaultKind, number>> = {};
  trace.subscribe((e) => {
    monitor.onEvent(e);
    witness.onEvent(e);
    if (e.event === 'fault-start') {
      const kind = e.data.kind;
      if (typeof kind === 'string' && isFaultKind(kind)) faultsInjected[kind] = (faultsInjected[kind] ?? 0) + 1;
    }
  });
  options.prepare?.(twin);
  twin.start();
  const end = scenario.durationMs;
  scheduler.runUntil(end);
  const settled = end - quietFromMs(scenario) >= settleMs;
  const found = monitor.finish(end, settled);
  const { unexplained, hazards } = witness.classify(twin, found);
  return {
    seed: scenario.seed,
    durationMs: end,
    faultsInjected,
    settled,
    violations: unexplained,
    hazards: hazards.map((h) => ({ hazard: h.hazard, node: h.node, invariants: [...new Set(h.explains.map((v) => v.invariant))], first: h.explains[0]! })),
    events: scheduler.eventsRun,
    ...(options.recordTrace ? { trace: trace.events } : {}),
  };
}
