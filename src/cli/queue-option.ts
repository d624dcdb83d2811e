import { errorMessage } from '../error-details.ts';
import { parseQueueUrl, type QueueAddress } from '../distributed/queue-url.ts';
import { SweepMismatchError, sweepIdPattern } from '../distributed/sweep-submitter.ts';
import type { CommandIO } from './command.ts';
import { UsageError } from './usage-error.ts';

/** The --queue option as an address; a malformed URL (or a missing one when required) is a usage error. */
export function queueAddressOption(text: string | undefined, required: true): QueueAddress;
export function queueAddressOption(text: string | undefined, required: false): QueueAddress | undefined;
export function queueAddressOption(text: string | undefined, required: boolean): QueueAddress | undefined {
  if (text === undefined) {
    if (required) throw new UsageError('--queue redis://HOST:PORT[/DB] is required');
    return undefined;
  }
  try {
    return parseQueueUrl(text);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
}

/** --sweep ID: only with --queue, and only an id a queued run printed; a usage error otherwise. */
export function sweepIdOption(text: string | undefined, queue: QueueAddress | undefined, command: string): string | undefined {
  if (text === undefined) return undefined;
  if (!queue) throw new UsageError('--sweep needs --queue');
  if (!sweepIdPattern.test(text)) throw new UsageError(`--sweep takes the id a queued ${command} printed, got "${text}"`);
  return text;
}

/**
 * The first line a queued run writes to stderr: its sweep id, so a submitter that is interrupted can
 * collect the results with --sweep.
 */
export function sweepSubmittedLine(command: string, queue: QueueAddress, io: CommandIO, what = ''): (sweepId: string, jobs: number) => void {
  return (id, jobs) => io.stderr.write(`opflex-twin ${command}: sweep ${id}: ${jobs} jobs${what} on ${queue.url} (collect later with --sweep ${id})\n`);
}

/** A sweep id given with other inputs than it was submitted with is the user's mistake: a usage error. */
export function rethrowSweepMismatch(err: unknown): void {
  if (err instanceof SweepMismatchError) throw new UsageError(`--sweep: ${err.message}`);
}
