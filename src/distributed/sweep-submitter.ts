/**
 * A submitter: puts a sweep's jobs on the queue and collects their results in job order (not the order
 * they finish), so what it prints is what the local run prints.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { VariantResult } from '../report/comparison.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import type { CompareCell } from './compare-cell.ts';
import { connectionOptions, redisClient, type QueueAddress } from './queue-url.ts';
import { storeScenario } from './scenario-store.ts';
import { errorMessage } from '../error-details.ts';
import { jobId, parseVariantResult, queueName, sweepJobOptions, type CompareCellJob } from './sweep-jobs.ts';

/** How often the submitter asks Redis about the jobs still running. */
export const resultPollIntervalMs = 250;

export interface JobFailure {
  index: number;
  cell: CompareCell;
  reason: string;
}

export interface SweepOutcome {
  results: VariantResult[];
  failures: JobFailure[];
}

export interface SweepProgress {
  onSubmitted?(sweepId: string, jobs: number): void;
  onProgress?(finished: number, jobs: number): void;
}

export const sweepIdPattern = /^[0-9a-f-]{1,64}$/;

export function newSweepId(): string {
  return randomUUID();
}

/** Enqueues one job per cell (unless `sweepId` names a sweep already submitted) and waits for every one. */
export async function runQueuedCompare(address: QueueAddress, base: ScenarioText, cells: CompareCell[], sweepId: string, progress: SweepProgress = {}): Promise<SweepOutcome> {
  const queue = new Queue<CompareCellJob, VariantResult>(queueName, { connection: connectionOptions(address) });
  queue.on('error', () => {});
  const redis = redisClient(address);
  try {
    const scenario = await storeScenario(redis, base);
    // Adding a job whose id exists already is a no-op in BullMQ, so a resubmitted sweep is not run twice.
    await queue.addBulk(cells.map((cell, index) => ({
      name: 'compare-cell',
      data: { kind: 'compare-cell' as const, scenario, cell },
      opts: { ...sweepJobOptions, jobId: jobId(sweepId, index) },
    })));
    progress.onSubmitted?.(sweepId, cells.length);
    const results: (VariantResult | undefined)[] = new Array(cells.length);
    const failures: JobFailure[] = [];
    const pending = new Set(cells.keys());
    while (pending.size > 0) {
      for (const index of [...pending]) {
        // The state first: a job read before its state could still be running when the state says completed.
        const state = await queue.getJobState(jobId(sweepId, index));
        if (state === 'unknown') {
          failures.push({ index, cell: cells[index]!, reason: 'the job is no longer in Redis (expired or removed)' });
          pending.delete(index);
        } else if (state === 'completed' || state === 'failed') {
          const job = await queue.getJob(jobId(sweepId, index));
          if (state === 'completed' && job?.returnvalue) {
            try {
              results[index] = parseVariantResult(job.returnvalue);
            } catch (err) {
              failures.push({ index, cell: cells[index]!, reason: errorMessage(err) });
            }
          } else failures.push({ index, cell: cells[index]!, reason: job?.failedReason || `${state} without a result` });
          pending.delete(index);
        }
      }
      progress.onProgress?.(cells.length - pending.size, cells.length);
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, resultPollIntervalMs));
    }
    failures.sort((a, b) => a.index - b.index);
    return { results: results.filter((r) => r !== undefined), failures };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
