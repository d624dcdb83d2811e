/**
 * A worker thread of a local sweep: it receives the sweep's scenario texts once, then seed ranges on
 * request, and posts each range's figures (or its one-line failure) back with the range's index.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../error-details.ts';
import type { CellFigures } from '../report/sweep-summary.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import type { SeedRange } from './sweep-chunks.ts';
import { runSeedRange } from './seed-range.ts';

export type RangeRequest = { index: number; scenario: number; range: SeedRange } | { stop: true };
export type RangeReply = { index: number; figures: CellFigures[] } | { index: number; error: string };

// The sweep starts this thread with exactly these (structured-cloned) as its data.
const scenarios = workerData as ScenarioText[];
const port = parentPort;
if (!port) throw new Error('seed-range-thread.ts runs only as a worker thread (a local sweep starts it)');
port.on('message', (request: RangeRequest) => {
  if ('stop' in request) {
    port.close();
    return;
  }
  let reply: RangeReply;
  try {
    reply = { index: request.index, figures: runSeedRange(scenarios[request.scenario]!, request.range) };
  } catch (err) {
    reply = { index: request.index, error: errorMessage(err) };
  }
  port.postMessage(reply);
});
