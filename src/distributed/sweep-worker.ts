/**
 * A queue worker: takes sweep jobs from Redis and runs them in worker threads (job-thread-pool.ts) with
 * the same code as the local commands, so its main thread stays free to renew the jobs' locks however
 * long a job runs. close() stops taking jobs and lets the running ones finish, or past a grace period
 * hands them back to the queue.
 */
import { hostname } from 'node:os';
import { WaitingError, Worker, type Job } from 'bullmq';
import { Stopwatch } from '../report/stopwatch.ts';
import { JobHandedBack, JobThreadPool } from './job-thread-pool.ts';
import { QueueReachability } from './queue-reachability.ts';
import { connectionOptions, redisClient, type QueueAddress } from './queue-url.ts';
import { ScenarioCache } from './scenario-store.ts';
import type { SweepJobResult } from './sweep-job-runner.ts';
import { queueName } from './sweep-jobs.ts';

export { runSweepJob } from './sweep-job-runner.ts';

/** Times a job may be handed to another worker after its worker stopped renewing the lock (died or hung). */
export const stalledHandoversMax = 3;
/** Jobs one worker process runs at once, one worker thread each. */
export const concurrencyMax = 64;
/**
 * Once every job this worker took has its outcome in Redis, how long close() still waits for BullMQ's
 * own close: BullMQ 6.7 can wait forever on a blocking connection caught between reconnects after a
 * Redis restart (taskforcesh/bullmq#4656), and nothing is left to lose by not waiting.
 */
export const closeWaitAfterJobsMs = 5_000;

export type JobOutcome = 'done' | 'failed' | 'handed-back';

export interface SweepWorkerOptions {
  /** Jobs run at once, each in its own worker thread (1 to concurrencyMax; default 1). */
  concurrency?: number;
  /** Each job thread's heap limit in MiB; past it the thread dies and only its job fails. Node's default when absent. */
  jobHeapMb?: number;
  /** How long a job's lock lasts without renewal (BullMQ's lockDuration; default 30 s). */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose lock expired (BullMQ's stalledInterval; default 30 s). */
  stalledIntervalMs?: number;
  /** When a job starts running (for the jobs-running gauge). */
  onJobStart?: () => void;
  /** After each job with its run time: done, failed, or handed back to the queue at shutdown. */
  onJobEnd?: (outcome: JobOutcome, seconds: number) => void;
  /** Redis unreachable after the start: ioredis keeps retrying (Redis may be restarting); this is for a log line. */
  onConnectionError?: (err: Error) => void;
}

export interface SweepWorker {
  /**
   * Stops taking jobs and waits for the running ones; past `graceMs` (default: no limit) their threads
   * are stopped and the jobs go back to the queue for another worker. Then closes the connections.
   */
  close(graceMs?: number): Promise<void>;
  /** undefined while Redis answers; otherwise why not, in one line (for /healthz). */
  queueProblem(): Promise<string | undefined>;
}

/** Resolves once the worker is connected and taking jobs. */
export async function startSweepWorker(address: QueueAddress, options: SweepWorkerOptions = {}): Promise<SweepWorker> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > concurrencyMax) throw new RangeError(`concurrency must be an integer from 1 to ${concurrencyMax}, got ${concurrency}`);
  const redis = redisClient(address);
  const reachability = new QueueReachability(address.url, redis);
  const scenarios = new ScenarioCache(redis);
  const threads = new JobThreadPool({
    threads: concurrency,
    ...(options.jobHeapMb !== undefined ? { heapMb: options.jobHeapMb } : {}),
    scenarioFor: (hash) => scenarios.get(hash),
  });
  const handBack = new AbortController();
  const unsettled = new UnsettledJobs();

  const worker = new Worker<unknown, SweepJobResult>(queueName, async (job, token) => {
    unsettled.taken(job.id);
    options.onJobStart?.();
    const stopwatch = new Stopwatch();
    try {
      const run = await threads.run(job.data, handBack.signal);
      await logRun(job, `${hostname()} thread ${run.thread}: ran from ${run.startedAt.toISOString()} to ${run.endedAt.toISOString()}`);
      options.onJobEnd?.('done', stopwatch.elapsedMs / 1000);
      return run.result;
    } catch (err) {
      if (!(err instanceof JobHandedBack)) {
        options.onJobEnd?.('failed', stopwatch.elapsedMs / 1000);
        throw err;
      }
      await logRun(job, `${hostname()}: handed back to the queue at shutdown after ${(stopwatch.elapsedMs / 1000).toFixed(1)} s`);
      // Should this fail, the job keeps its lock until it lapses; then the stalled-job check hands it over.
      await job.moveToWait(token).catch(() => undefined);
      unsettled.settled(job.id);
      options.onJobEnd?.('handed-back', stopwatch.elapsedMs / 1000);
      // BullMQ's way to say the job was moved back to waiting by its processor: neither done nor failed.
      throw new WaitingError();
    }
  }, {
    connection: connectionOptions(address),
    concurrency,
    maxStalledCount: stalledHandoversMax,
    ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
  });
  // Emitted once the job's result or failure is in Redis.
  worker.on('completed', (job) => unsettled.settled(job.id));
  worker.on('failed', (job) => unsettled.settled(job?.id));
  worker.on('error', (err) => {
    reachability.noteError(err);
    options.onConnectionError?.(err);
  });
  await worker.waitUntilReady();
  return {
    async close(graceMs = Number.POSITIVE_INFINITY) {
      const timer = Number.isFinite(graceMs) ? setTimeout(() => handBack.abort(), graceMs) : undefined;
      try {
        const afterJobs = (async () => {
          // A job fetched just as the close began may still start: wait for it too.
          do {
            await unsettled.none();
            await delay(closeWaitAfterJobsMs);
          } while (unsettled.any);
        })();
        await Promise.race([worker.close(), afterJobs]);
      } finally {
        clearTimeout(timer);
        await threads.close();
        if (redis.status === 'ready') await Promise.race([scenarios.close(), delay(closeWaitAfterJobsMs)]);
        redis.disconnect();
      }
    },
    queueProblem: () => reachability.problem(),
  };
}

/** Jobs this worker took whose outcome is not in Redis yet. */
class UnsettledJobs {
  private readonly ids = new Set<string | undefined>();
  private readonly waiting: (() => void)[] = [];

  get any(): boolean {
    return this.ids.size > 0;
  }

  taken(id: string | undefined): void {
    this.ids.add(id);
  }

  settled(id: string | undefined): void {
    if (!this.ids.delete(id) || this.ids.size > 0) return;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Resolves when no job is unsettled. */
  none(): Promise<void> {
    return this.ids.size === 0 ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Where and when a job ran, in the job's log (BullMQ keeps it with the job); a failed write does not fail the job. */
async function logRun(job: Job, line: string): Promise<void> {
  await job.log(line).catch(() => undefined);
}
