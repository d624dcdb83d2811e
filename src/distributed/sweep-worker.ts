/**
 * A queue worker: takes sweep jobs from Redis, runs them with the same code as the local commands and
 * posts their results. close() lets the current job finish before it returns.
 */
import { Worker, type Job } from 'bullmq';
import type { VariantResult } from '../report/comparison.ts';
import { Stopwatch } from '../report/stopwatch.ts';
import { runCompareCell } from './compare-cell.ts';
import { runCheckSeeds, type CheckSeedsResult } from './check-seeds.ts';
import { connectionOptions, redisClient, type QueueAddress } from './queue-url.ts';
import { ScenarioCache } from './scenario-store.ts';
import { parseSweepJob, queueName } from './sweep-jobs.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import type { CellFigures } from '../report/sweep-summary.ts';
import { runSeedRange } from '../sweep/seed-range.ts';

/** What a job posts back: a compare cell's variant result, a sweep range's figures per seed, or a check range's seed outcomes. */
export type SweepJobResult = VariantResult | CellFigures[] | CheckSeedsResult;

/** Times a job may be handed to another worker after its worker stopped renewing the lock (died or hung). */
export const stalledHandoversMax = 3;

export interface SweepWorkerOptions {
  /** How long a job's lock lasts without renewal (BullMQ's lockDuration; default 30 s). */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose lock expired (BullMQ's stalledInterval; default 30 s). */
  stalledIntervalMs?: number;
  /** After each job, ok or failed, with its run time (for metrics). */
  onJobEnd?: (outcome: 'done' | 'failed', seconds: number) => void;
  /** Redis unreachable after the start: ioredis keeps retrying (Redis may be restarting); this is for a log line. */
  onConnectionError?: (err: Error) => void;
}

export interface SweepWorker {
  close(): Promise<void>;
}

/** One job's data, checked, run with the local command's code. */
export async function runSweepJob(data: unknown, scenarioFor: (hash: string) => Promise<ScenarioText>): Promise<SweepJobResult> {
  const job = parseSweepJob(data);
  switch (job.kind) {
    case 'compare-cell':
      return runCompareCell(await scenarioFor(job.scenario), job.cell);
    case 'sweep-cells':
      return runSeedRange(await scenarioFor(job.scenario), job.range);
    case 'check-seeds':
      return runCheckSeeds(await scenarioFor(job.scenario), job);
  }
}

/** Resolves once the worker is connected and taking jobs. */
export async function startSweepWorker(address: QueueAddress, options: SweepWorkerOptions = {}): Promise<SweepWorker> {
  const scenarios = new ScenarioCache(redisClient(address));
  const run = (job: Job<unknown>): Promise<SweepJobResult> => runSweepJob(job.data, (hash) => scenarios.get(hash));
  const worker = new Worker<unknown, SweepJobResult>(queueName, async (job) => {
    const stopwatch = new Stopwatch();
    try {
      const result = await run(job);
      options.onJobEnd?.('done', stopwatch.elapsedMs / 1000);
      return result;
    } catch (err) {
      options.onJobEnd?.('failed', stopwatch.elapsedMs / 1000);
      throw err;
    }
  }, {
    connection: connectionOptions(address),
    maxStalledCount: stalledHandoversMax,
    ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
  });
  worker.on('error', (err) => options.onConnectionError?.(err));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      await scenarios.close();
    },
  };
}
