/**
 * A sweep on this machine: its seed ranges run in this thread (`jobs` 1) or in `jobs` worker threads;
 * outcomes are kept by range index, so what is printed is the same whatever the job count.
 */
import type { Worker } from 'node:worker_threads';
import { errorMessage } from '../error-details.ts';
import { startModuleThread } from '../module-thread.ts';
import type { CellFigures } from '../report/sweep-summary.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import type { SeedRange } from './sweep-chunks.ts';
import { runSeedRange } from './seed-range.ts';
import type { RangeReply, RangeRequest } from './seed-range-thread.ts';

export interface RangeTask {
  scenario: number;
  range: SeedRange;
}

/** Each range's figures, or the reason it failed. */
export type RangeOutcome = { figures: CellFigures[] } | { error: string };

export async function runRangesLocally(scenarios: readonly ScenarioText[], tasks: readonly RangeTask[], jobs: number, onProgress?: (done: number, total: number) => void): Promise<RangeOutcome[]> {
  if (jobs <= 1 || tasks.length <= 1) {
    return tasks.map((task, i) => {
      let outcome: RangeOutcome;
      try {
        outcome = { figures: runSeedRange(scenarios[task.scenario]!, task.range) };
      } catch (err) {
        outcome = { error: errorMessage(err) };
      }
      onProgress?.(i + 1, tasks.length);
      return outcome;
    });
  }
  return runInThreads(scenarios, tasks, jobs, onProgress);
}

function runInThreads(scenarios: readonly ScenarioText[], tasks: readonly RangeTask[], jobs: number, onProgress?: (done: number, total: number) => void): Promise<RangeOutcome[]> {
  return new Promise((resolve, reject) => {
    const outcomes: RangeOutcome[] = new Array(tasks.length);
    let next = 0;
    let done = 0;
    let live = 0;
    let failed = false;
    const threads: Worker[] = [];
    const feed = (thread: Worker): void => {
      if (next < tasks.length) {
        const index = next++;
        thread.postMessage({ index, ...tasks[index]! } satisfies RangeRequest);
      } else {
        thread.postMessage({ stop: true } satisfies RangeRequest);
        if (--live === 0 && !failed) resolve(outcomes);
      }
    };
    for (let i = 0; i < Math.min(jobs, tasks.length); i++) {
      const thread = startModuleThread(new URL('./seed-range-thread.ts', import.meta.url), { workerData: scenarios });
      threads.push(thread);
      live++;
      thread.on('message', (reply: RangeReply) => {
        outcomes[reply.index] = 'error' in reply ? { error: reply.error } : { figures: reply.figures };
        onProgress?.(++done, tasks.length);
        feed(thread);
      });
      thread.on('error', (err) => {
        failed = true;
        for (const other of threads) void other.terminate();
        reject(err);
      });
      thread.on('online', () => feed(thread));
    }
  });
}
