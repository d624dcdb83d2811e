/** One seed of an exploration: its drawn schedule, run and checked; what the summary needs of it. */
import type { FaultKind, Scenario } from '../scenario/types.ts';
import type { Twin } from '../twin.ts';
import { runChecked, type CheckedRun } from './checked-run.ts';
import { scenarioForSeed, type ScheduleOptions } from './schedule-generator.ts';

export interface SeedOutcome {
  seed: number;
  faults: number;
  faultsInjected: Partial<Record<FaultKind, number>>;
  settled: boolean;
  violations: CheckedRun['violations'];
  hazards: CheckedRun['hazards'];
  events: number;
}

export function runSeed(base: Scenario, seed: number, options: ScheduleOptions, prepare?: (twin: Twin) => void): SeedOutcome {
  const scenario = scenarioForSeed(base, seed, options);
  const run = runChecked(scenario, prepare ? { prepare } : {});
  return {
    seed,
    faults: scenario.faultSchedule?.length ?? 0,
    faultsInjected: run.faultsInjected,
    settled: run.settled,
    violations: run.violations,
    hazards: run.hazards,
    events: run.events,
  };
}
