import { errorMessage } from '../error-details.ts';
import { parseQueueUrl, type QueueAddress } from '../distributed/queue-url.ts';
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
