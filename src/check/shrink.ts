/**
 * Shrinking a failing run to its essence: while the same invariant still fails (unexplained) for the
 * same seed, drop faults, shorten their durations and magnitudes, round their times, drop
 * migrations and evacuations, and drop nodes nothing refers to. Each step keeps a change only if the
 * failure remains; the result is a scenario `simulate` replays and `check --replay` re-checks.
 */
import type { FaultEntry, Scenario } from '../scenario/types.ts';
import { runChecked, type CheckedRun, type CheckedRunOptions } from './checked-run.ts';
import { withSchedule } from './schedule-generator.ts';

/** Most candidate runs one shrink may try. */
const shrinkRunsMax = 400;

interface ShrinkResult {
  scenario: Scenario;
  /** Candidate runs tried. */
  runs: number;
}

export function shrink(failing: Scenario, invariant: string, options: Pick<CheckedRunOptions, 'prepare'> = {}): ShrinkResult {
  return shrinkWhile(failing, (run) => run.violations.some((v) => v.invariant === invariant), options);
}

/** Shrinks while `stillFails` holds for the candidate's checked run (a known hazard's example shrinks so). */
export function shrinkWhile(failing: Scenario, stillFails: (run: CheckedRun) => boolean, options: Pick<CheckedRunOptions, 'prepare'> = {}): ShrinkResult {
  let runs = 0;
  const fails = (candidate: Scenario): boolean => {
    if (runs >= shrinkRunsMax) return false;
    runs++;
    return stillFails(runChecked(candidate, options));
  };
  // The base the schedule is laid over: its duration is recomputed for every candidate.
  const rebuild = (s: Scenario, schedule: FaultEntry[], patch: Partial<Scenario> = {}): Scenario =>
    withSchedule({ ...s, ...patch, durationMs: 0 }, s.seed, schedule);

  let current = failing;
  const schedule = (): FaultEntry[] => current.faultSchedule ?? [];
  const attempt = (candidate: Scenario): boolean => {
    if (!fails(candidate)) return false;
    current = candidate;
    return true;
  };

  // 1. Drop faults, last first, until none can go.
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = schedule().length - 1; i >= 0; i--) {
      if (attempt(rebuild(current, schedule().filter((_, j) => j !== i)))) changed = true;
    }
  }
  // 2. Drop migrations and evacuations not needed.
  for (let i = current.migrations.length - 1; i >= 0; i--) {
    attempt(rebuild(current, schedule(), { migrations: current.migrations.filter((_, j) => j !== i) }));
  }
  for (let i = (current.evacuations ?? []).length - 1; i >= 0; i--) {
    attempt(rebuild(current, schedule(), { evacuations: current.evacuations!.filter((_, j) => j !== i) }));
  }
  // 3. Shorten durations and magnitudes by halves, and round start times to whole seconds.
  for (let i = 0; i < schedule().length; i++) {
    for (const key of ['forMs', 'delayMs'] as const) {
      for (let steps = 0; steps < 8; steps++) {
        const value = schedule()[i]![key];
        if (value === undefined || value < 200) break;
        const shorter = schedule().map((f, j) => (j === i ? { ...f, [key]: Math.round(value / 2) } : f));
        if (!attempt(rebuild(current, shorter))) break;
      }
    }
    const at = schedule()[i]!.atMs;
    if (at % 1000 !== 0) {
      const rounded = schedule().map((f, j) => (j === i ? { ...f, atMs: Math.round(at / 1000) * 1000 } : f));
      attempt(rebuild(current, rounded));
    }
  }
  // 4. Drop nodes that no migration, evacuation, fault or the controller names.
  for (const node of [...current.nodes].reverse()) {
    const named =
      current.controller.node === node.name ||
      current.migrations.some((m) => m.node === node.name) ||
      schedule().some((f) => f.node === node.name) ||
      (current.evacuations ?? []).length > 0;
    if (named) continue;
    attempt(rebuild(current, schedule(), { nodes: current.nodes.filter((n) => n !== node) }));
  }
  return { scenario: current, runs };
}
