/**
 * A submitter: puts a sweep's jobs on the queue and collects their results in job order (not the order
 * they finish), so what it prints is what the local run prints. Compare cells, check seeds and sweep
 * cells all go through runQueuedJobs; each caller says how its results are read.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { VariantResult } from '../report/comparison.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import type { CompareCell } from './compare-cell.ts';
import { connectionOptions, redisClient, type QueueAddress } from './queue-url.ts';
import { scenarioHash, storeScenario } from './scenario-store.ts';
import { errorMessage } from '../error-details.ts';
import { finishedJobTtlSeconds, jobId, parseVariantResult, queueName, sweepJobOptions, type SweepJob } from './sweep-jobs.ts';

/** How often the submitter asks Redis about the jobs still running. */
export const resultPollIntervalMs = 250;
/** Jobs whose state one poll asks Redis about at once. */
export const statusReadsInFlightMax = 256;

export interface JobFailure<J extends SweepJob = SweepJob> {
  index: number;
  job: J;
  reason: string;
}

export interface QueuedOutcome<R, J extends SweepJob = SweepJob> {
  /** The results of the jobs that completed, in job order. */
  results: R[];
  failures: JobFailure<J>[];
}

export interface SweepProgress {
  onSubmitted?(sweepId: string, jobs: number): void;
  onProgress?(finished: number, jobs: number): void;
  /** Each job as it completes or fails (by index), before onProgress counts it. */
  onJobFinished?(index: number): void;
}

export const sweepIdPattern = /^[0-9a-f-]{1,64}$/;

export function newSweepId(): string {
  return randomUUID();
}

/** `--sweep ID` given with other inputs than the sweep was submitted with: its results would answer another question. */
export class SweepMismatchError extends Error {}

const sweepKeyPrefix = 'opflex-twin:sweep:';

/**
 * Records what a sweep id stands for (a hash of its jobs) the first time it is submitted; a later
 * submission under the same id must carry the same jobs.
 */
async function claimSweepId(redis: Redis, sweepId: string, jobs: readonly SweepJob[]): Promise<void> {
  const fingerprint = createHash('sha256').update(JSON.stringify(jobs)).digest('hex');
  const key = sweepKeyPrefix + sweepId;
  const created = await redis.set(key, fingerprint, 'EX', finishedJobTtlSeconds, 'NX');
  if (created === 'OK') return;
  const recorded = await redis.get(key);
  if (recorded !== null && recorded !== fingerprint) {
    throw new SweepMismatchError(`sweep ${sweepId} was submitted with other inputs (scenario, options or seeds): give the same arguments as when it was submitted`);
  }
}

export interface QueuedJobs<R, J extends SweepJob> {
  /** Every scenario the jobs name by hash. */
  scenarios: readonly ScenarioText[];
  jobs: readonly J[];
  /** Reads one completed job's return value (anything in Redis may have written it): a result, or throws a one-line error. */
  parseResult(value: unknown, job: J): R;
}

/** Enqueues the jobs (unless `sweepId` names a sweep already submitted) and waits for every one. */
export async function runQueuedJobs<R, J extends SweepJob>(address: QueueAddress, work: QueuedJobs<R, J>, sweepId: string, progress: SweepProgress = {}): Promise<QueuedOutcome<R, J>> {
  const { jobs } = work;
  const queue = new Queue<SweepJob, unknown, string>(queueName, { connection: connectionOptions(address) });
  queue.on('error', () => {});
  const redis = redisClient(address);
  try {
    await claimSweepId(redis, sweepId, jobs);
    for (const scenario of work.scenarios) await storeScenario(redis, scenario);
    // Adding a job whose id exists already is a no-op in BullMQ, so a resubmitted sweep is not run twice.
    await queue.addBulk(jobs.map((data, index) => ({
      name: data.kind,
      data,
      opts: { ...sweepJobOptions, jobId: jobId(sweepId, index) },
    })));
    progress.onSubmitted?.(sweepId, jobs.length);
    const results: (R | undefined)[] = new Array(jobs.length);
    const failures: JobFailure<J>[] = [];
    const fail = (index: number, reason: string): void => {
      failures.push({ index, job: jobs[index]!, reason });
    };
    const pending = new Set(jobs.keys());
    /** One unfinished job looked at: settled (its result or failure recorded) or still running. */
    const look = async (index: number): Promise<void> => {
      // The state first: a job read before its state could still be running when the state says completed.
      const state = await queue.getJobState(jobId(sweepId, index));
      if (state === 'unknown') {
        fail(index, 'the job is no longer in Redis (expired or removed)');
      } else if (state === 'completed' || state === 'failed') {
        const job = await queue.getJob(jobId(sweepId, index));
        if (state === 'completed' && job?.returnvalue) {
          try {
            results[index] = work.parseResult(job.returnvalue, jobs[index]!);
          } catch (err) {
            fail(index, errorMessage(err));
          }
        } else fail(index, job?.failedReason || `${state} without a result`);
      } else return;
      pending.delete(index);
      progress.onJobFinished?.(index);
    };
    while (pending.size > 0) {
      // Jobs are looked at in concurrent batches: ioredis sends a batch's commands without waiting for
      // each reply, so a poll of a thousand jobs costs a few round trips, not two thousand.
      const unfinished = [...pending];
      for (let start = 0; start < unfinished.length; start += statusReadsInFlightMax) {
        await Promise.all(unfinished.slice(start, start + statusReadsInFlightMax).map(look));
      }
      progress.onProgress?.(jobs.length - pending.size, jobs.length);
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, resultPollIntervalMs));
    }
    failures.sort((a, b) => a.index - b.index);
    return { results: results.filter((r) => r !== undefined), failures };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

export interface CompareFailure {
  index: number;
  cell: CompareCell;
  reason: string;
}

export interface SweepOutcome {
  results: VariantResult[];
  failures: CompareFailure[];
}

/** A compare's cells as jobs on one scenario. */
export async function runQueuedCompare(address: QueueAddress, base: ScenarioText, cells: CompareCell[], sweepId: string, progress: SweepProgress = {}): Promise<SweepOutcome> {
  const scenario = scenarioHash(base);
  const outcome = await runQueuedJobs(address, {
    scenarios: [base],
    jobs: cells.map((cell) => ({ kind: 'compare-cell' as const, scenario, cell })),
    parseResult: (value) => parseVariantResult(value),
  }, sweepId, progress);
  return { results: outcome.results, failures: outcome.failures.map(({ index, job, reason }) => ({ index, cell: job.cell, reason })) };
}
