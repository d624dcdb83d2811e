/**
 * `opflex-twin worker` processes on a test's Redis, and CLI runs awaited to their exit: what the
 * queue tests (compare --queue, sweep --queue, check --queue) share.
 */
import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { queueName } from '../../src/distributed/sweep-jobs.ts';
import { CliChild } from './cli-child.ts';
import { waitFor } from '../transport/socket-helpers.ts';

/** A CLI process on a loaded machine: starting tsx and running a few small simulations. */
export const CLI_RUN_MS = 120_000;

/** Waits for the process to exit (generously); the child, with its output and exit code. */
export async function finished(child: CliChild): Promise<CliChild> {
  await waitFor(() => child.exitCode !== undefined, `${child.process.spawnargs.slice(2).join(' ')} to finish`, CLI_RUN_MS);
  return child;
}

/** Waits until a submitter has put its jobs on the queue; the sweep id it printed for `--sweep`. */
export async function submittedSweepId(submitter: CliChild): Promise<string> {
  const printed = /sweep ([0-9a-f-]+): \d+ jobs/;
  await waitFor(() => printed.test(submitter.stderr) || submitter.exitCode !== undefined, 'the jobs to be submitted', CLI_RUN_MS);
  const sweepId = printed.exec(submitter.stderr)?.[1];
  assert.ok(sweepId, `no sweep id in ${JSON.stringify(submitter.stderr)}`);
  return sweepId;
}

export class QueueWorkers {
  readonly running: CliChild[] = [];

  constructor(private readonly queueUrl: () => string) {}

  /** A worker process, once it says it is taking jobs. */
  async start(...extra: string[]): Promise<CliChild> {
    const worker = new CliChild(['worker', '--queue', this.queueUrl(), ...extra]);
    this.running.push(worker);
    await worker.waitForOutput(/taking jobs from/, 'the worker to connect', CLI_RUN_MS);
    return worker;
  }

  /** SIGTERM to every worker; their exit codes in start order. */
  async stopAll(): Promise<(number | null)[]> {
    const codes = await Promise.all(this.running.map((w) => w.stop()));
    this.running.length = 0;
    return codes;
  }

  /**
   * A worker with a short lock takes the first job of the submitter `submit` starts, and is SIGKILLed
   * while the job runs; a second worker takes over once the lock expires. The submitter, finished.
   */
  async killOneMidJob(redisPort: number, submit: () => CliChild): Promise<CliChild> {
    const recovery = ['--lock-duration', '3', '--stalled-interval', '1'];
    const doomed = await this.start(...recovery);
    const submitter = submit();
    const queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: null } });
    try {
      let active = 0;
      while (active === 0 && submitter.exitCode === undefined) active = await queue.getActiveCount();
    } finally {
      await queue.close();
    }
    doomed.process.kill('SIGKILL');
    await doomed.exited;
    await this.start(...recovery);
    return finished(submitter);
  }

  killAll(): void {
    for (const w of this.running) w.process.kill('SIGKILL');
  }
}
