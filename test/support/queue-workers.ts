/**
 * `opflex-twin worker` processes on a test's Redis, and CLI runs awaited to their exit: what the
 * queue tests (compare --queue, sweep --queue) share.
 */
import { CliChild } from './cli-child.ts';
import { waitFor } from '../transport/socket-helpers.ts';

/** A CLI process on a loaded machine: starting tsx and running a few small simulations. */
export const CLI_RUN_MS = 120_000;

/** Waits for the process to exit (generously); the child, with its output and exit code. */
export async function finished(child: CliChild): Promise<CliChild> {
  await waitFor(() => child.exitCode !== undefined, `${child.process.spawnargs.slice(2).join(' ')} to finish`, CLI_RUN_MS);
  return child;
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

  killAll(): void {
    for (const w of this.running) w.process.kill('SIGKILL');
  }
}
