/**
 * A worker thread that runs seeds: it receives the base scenario and the schedule options once, then
 * seed after seed on request, and posts each seed's outcome back (without its trace).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Scenario } from '../scenario/types.ts';
import { runSeed, type SeedOutcome } from './seed-outcome.ts';
import type { ScheduleOptions } from './schedule-generator.ts';

type WorkerRequest = { seed: number } | { stop: true };
type WorkerReply = SeedOutcome;

// The explorer starts this worker with exactly these (structured-cloned) as its data.
const { base, schedule } = workerData as { base: Scenario; schedule: ScheduleOptions };
const port = parentPort;
if (!port) throw new Error('seed-worker.ts runs only as a worker thread (the explorer starts it)');
port.on('message', (request: WorkerRequest) => {
  if ('stop' in request) {
    port.close();
    return;
  }
  port.postMessage(runSeed(base, request.seed, schedule) satisfies WorkerReply);
});
