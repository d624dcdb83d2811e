/** A queue worker under test, seen from outside: its /metrics and /healthz, and the jobs of a sweep in Redis. */
import type { Job, Queue } from 'bullmq';
import { delay } from '../transport/socket-helpers.ts';

/** Polls an asynchronous condition until it holds; fails after `timeoutMs` naming `what`. */
export async function eventually(predicate: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(50);
  }
}

/** Every sample of a worker's GET /metrics, by name with its labels (`opflex_twin_worker_jobs_total{outcome="done"}`). */
export async function workerMetrics(healthUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${healthUrl}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const sample = /^(\S+) (\S+)$/.exec(line);
    if (sample && !line.startsWith('#')) samples.set(sample[1]!, Number(sample[2]));
  }
  return samples;
}

export async function workerMetric(healthUrl: string, name: string): Promise<number> {
  const value = (await workerMetrics(healthUrl)).get(name);
  if (value === undefined) throw new Error(`${healthUrl}/metrics has no ${name}`);
  return value;
}

/** The sweep id a queued compare printed on stderr, once it has. */
export function sweepIdIn(stderr: string): string | undefined {
  return /sweep ([0-9a-f-]+): \d+ jobs on/.exec(stderr)?.[1];
}

export interface JobRun {
  thread: string;
  from: number;
  to: number;
}

/** A sweep's jobs in index order (ids are `<sweep id>.<index>`), with their log lines. */
export async function sweepJobs(queue: Queue, sweepId: string, count: number): Promise<{ job: Job; logs: string[] }[]> {
  const jobs = [];
  for (let index = 0; index < count; index++) {
    const id = `${sweepId}.${index}`;
    const job = await queue.getJob(id);
    if (!job) throw new Error(`job ${id} is not in Redis`);
    jobs.push({ job, logs: (await queue.getJobLogs(id)).logs });
  }
  return jobs;
}

/** The runs a worker logged for a job: `HOST thread N: ran from ISO to ISO`. */
export function runsIn(logs: string[]): JobRun[] {
  return logs.flatMap((line) => {
    const run = /^(.+ thread \d+): ran from (\S+) to (\S+)$/.exec(line);
    return run ? [{ thread: run[1]!, from: Date.parse(run[2]!), to: Date.parse(run[3]!) }] : [];
  });
}
