/**
 * A check-seeds job on a worker: the scenario read as the local check reads it, and every seed of the
 * job's range run with the local check's runSeed, so the outcomes are the ones a local check gets.
 */
import { runSeed, type SeedOutcome } from '../check/seed-outcome.ts';
import { scenarioWithOverrides, type ScenarioText } from '../scenario/variants.ts';
import type { CheckSeedsJob } from './sweep-jobs.ts';

/** What a worker posts: one outcome per seed of the job, in seed order (no traces). */
export interface CheckSeedsResult {
  outcomes: SeedOutcome[];
}

export async function runCheckSeeds(text: ScenarioText, job: CheckSeedsJob): Promise<CheckSeedsResult> {
  const base = scenarioWithOverrides(text, []);
  const outcomes: SeedOutcome[] = [];
  for (let i = 0; i < job.seeds; i++) {
    outcomes.push(runSeed(base, job.firstSeed + i, job.schedule));
    // The event loop runs between seeds, so the worker renews its job's lock: only a seed, not the
    // whole job, has to finish within the worker's --lock-duration.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { outcomes };
}
