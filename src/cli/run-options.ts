/** Options every command that runs simulations shares: the seed, the event budget, an output file. */
import { createWriteStream } from 'node:fs';
import { eventsMaxBase, eventsMaxPerEndpoint } from '../simulation.ts';
import { errnoCode, errorMessage } from '../error-details.ts';
import type { IntegerOption } from './option-table.ts';

/** The largest event budget --max-events accepts (about an hour of simulation at 0.5M events/s). */
const maxEventsOptionMax = 2_000_000_000;

export const MAX_EVENTS_OPTION = {
  kind: 'integer',
  min: 1,
  max: maxEventsOptionMax,
  value: 'n',
  help: `Stop a simulation that needs more events than this (default: ${eventsMaxBase.toLocaleString('en-US')} + ${eventsMaxPerEndpoint} per node and pod)`,
} as const satisfies IntegerOption;

/** Writes an output file; a failure is one line naming the option and the file. */
export async function writeOutputFile(path: string, option: string, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => reject(new Error(`--${option} ${path}: cannot write: ${errnoCode(err) ?? errorMessage(err)}`));
    // end()'s callback runs on an error too (with it), so both paths are checked.
    createWriteStream(path)
      .on('error', fail)
      .end(text, (err?: Error | null) => (err ? fail(err) : resolve()));
  });
}
