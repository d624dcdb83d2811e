/** The jobs of a sweep on the queue: their names, what they carry, and how BullMQ keeps them. */
import type { JobsOptions } from 'bullmq';
import type { CompareCell } from './compare-cell.ts';

export const queueName = 'opflex-twin-sweeps';

/** How long finished jobs (results and failures) stay in Redis, so a submitter can collect them late. */
export const finishedJobTtlSeconds = 24 * 3600;

export interface CompareCellJob {
  kind: 'compare-cell';
  /** The scenario's content hash (scenario-store.ts). */
  scenario: string;
  cell: CompareCell;
}

export type SweepJob = CompareCellJob;

/** Job ids are `<sweep id>.<index>` (BullMQ reserves ":"): the submitter merges results in index order. */
export function jobId(sweepId: string, index: number): string {
  return `${sweepId}.${index}`;
}

export const sweepJobOptions: JobsOptions = {
  // A simulation is deterministic: a job that throws throws again, so it is not retried. A worker that
  // dies mid-job is another matter: BullMQ's stalled-job check hands its job to another worker.
  attempts: 1,
  removeOnComplete: { age: finishedJobTtlSeconds },
  removeOnFail: { age: finishedJobTtlSeconds },
};
