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

const { base, schedule } = workerData as { base: Scenario; schedule: ScheduleOptions };
parentPort!.on('message', (request: WorkerRequest) => {
  if ('stop' in request) {
    parentPort!.close();
    return;
  }
  parentPort!.postMessage(runSeed(base, request.seed, schedule) satisfies WorkerReply);
});
