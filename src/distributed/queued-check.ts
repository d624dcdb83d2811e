/**
 * `check --queue`: a check's seeds as check-seeds jobs on the queue, their outcomes read back, checked
 * and handed to the explorer as any other outcome source's, so the summary, the shrinking and the
 * reproductions are the local check's.
 */
import type { SeedOutcomeSource } from '../check/explorer.ts';
import type { SeedOutcome } from '../check/seed-outcome.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import { parseCheckSeedsResult } from './check-seeds-result.ts';
import type { QueueAddress } from './queue-url.ts';
import { scenarioHash } from './scenario-store.ts';
import { seedsPerJobMax, type CheckSeedsJob } from './sweep-jobs.ts';
import { runQueuedJobs, type JobFailure } from './sweep-submitter.ts';

/**
 * Fewest seeds in a job: ten seeds of the smallest scenario (the built-in default, about 10 ms a seed on
 * one core) are about 100 ms of work against the queue's ~16 ms per job; bigger scenarios cost more per seed.
 */
export const seedsPerJobMin = 10;
/** Jobs a check is split into when it has the seeds for them: enough for as many workers to share it. */
export const checkJobsTarget = 64;

/**
 * The split rule: seeds / checkJobsTarget seeds a job (rounded up), at least seedsPerJobMin and at most
 * seedsPerJobMax; the last job takes what is left. 100 seeds are 10 jobs of 10; 10,000 are 64 jobs of
 * 157 (the last 109); a million are 1,000 jobs of 1,000.
 */
export function checkSeedRanges(firstSeed: number, seeds: number): { firstSeed: number; seeds: number }[] {
  const perJob = Math.min(seedsPerJobMax, Math.max(seedsPerJobMin, Math.ceil(seeds / checkJobsTarget)));
  const ranges: { firstSeed: number; seeds: number }[] = [];
  for (let offset = 0; offset < seeds; offset += perJob) ranges.push({ firstSeed: firstSeed + offset, seeds: Math.min(perJob, seeds - offset) });
  return ranges;
}

/** Some jobs failed: the check has no outcome for their seeds, so it has no summary. */
export class CheckJobsFailedError extends Error {
  constructor(readonly failures: readonly JobFailure<CheckSeedsJob>[], readonly jobs: number) {
    super(`${failures.length} of ${jobs} check jobs failed`);
  }

  /** One line per failed job: which job, its seeds, why. */
  lines(): string[] {
    return this.failures.map(({ index, job, reason }) => `job ${index + 1} of ${this.jobs} (seeds ${job.firstSeed}..${job.firstSeed + job.seeds - 1}) failed: ${reason.split('\n')[0]}`);
  }
}

/** The seeds run by queue workers under `sweepId`; throws CheckJobsFailedError if any job failed. */
export function queuedSeedSource(address: QueueAddress, scenario: ScenarioText, sweepId: string, onSubmitted?: (sweepId: string, jobs: number) => void): SeedOutcomeSource {
  return async (seeds, schedule, onProgress) => {
    const firstSeed = seeds[0] ?? 0;
    if (seeds.some((seed, i) => seed !== firstSeed + i)) throw new RangeError('a queued check runs a range of consecutive seeds');
    const hash = scenarioHash(scenario);
    const jobs: CheckSeedsJob[] = checkSeedRanges(firstSeed, seeds.length).map((range) => ({
      kind: 'check-seeds',
      scenario: hash,
      schedule: { kinds: [...schedule.kinds], swarm: schedule.swarm },
      ...range,
    }));
    let seedsBack = 0;
    const outcome = await runQueuedJobs(address, {
      scenarios: [scenario],
      jobs,
      parseResult: (value, job): SeedOutcome[] => parseCheckSeedsResult(value, job),
    }, sweepId, {
      ...(onSubmitted ? { onSubmitted } : {}),
      onJobFinished: (index) => {
        seedsBack += jobs[index]!.seeds;
        onProgress?.(seedsBack, seeds.length);
      },
    });
    if (outcome.failures.length > 0) throw new CheckJobsFailedError(outcome.failures, jobs.length);
    return outcome.results.flat();
  };
}
