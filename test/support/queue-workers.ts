/**
 * The CLI as a queue's submitter and workers in tests of `--queue`: a run waited for to its end, and
 * `opflex-twin worker` processes started until they have connected, stopped with SIGTERM, and killed
 * whatever happens.
 */
import { CliChild } from './cli-child.ts';
import { waitFor } from '../transport/socket-helpers.ts';

/** A CLI process on a loaded machine: starting tsx and running a few small simulations. */
export const cliRunMs = 120_000;

/** Waits for the CLI process to end. */
export async function finished(child: CliChild, timeoutMs = cliRunMs): Promise<CliChild> {
  await waitFor(() => child.exitCode !== undefined, `${child.process.spawnargs.slice(2).join(' ')} to finish`, timeoutMs);
  return child;
}

export class QueueWorkers {
  private readonly running: CliChild[] = [];

  /** A worker on `queueUrl`, once it says it takes jobs. */
  async start(queueUrl: string, ...extra: string[]): Promise<CliChild> {
    const worker = new CliChild(['worker', '--queue', queueUrl, ...extra]);
    this.running.push(worker);
    await worker.waitForOutput(/taking jobs from/, 'the worker to connect', cliRunMs);
    return worker;
  }

  /** SIGTERM to every worker started; their exit codes in start order. */
  async stop(): Promise<(number | null)[]> {
    const codes = await Promise.all(this.running.map((w) => w.stop()));
    this.running.length = 0;
    return codes;
  }

  /** For a test's `after`: whatever is still running. */
  kill(): void {
    for (const w of this.running) w.process.kill('SIGKILL');
    this.running.length = 0;
  }
}
