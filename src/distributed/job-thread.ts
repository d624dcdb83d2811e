/**
 * A worker thread of `opflex-twin worker --concurrency`: runs one sweep job at a time with runSweepJob,
 * so the main thread stays free to renew the jobs' locks. Scenario texts come from the main thread
 * (which reads them from Redis) on first use and are kept here for the jobs that follow.
 */
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../error-details.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import { cachedScenariosMax } from './scenario-store.ts';
import { runSweepJob, type SweepJobResult } from './sweep-job-runner.ts';

export type ToJobThread =
  | { type: 'run'; data: unknown }
  | { type: 'scenario'; hash: string; scenario: ScenarioText }
  | { type: 'scenario-error'; hash: string; message: string };

export type FromJobThread =
  | { type: 'scenario'; hash: string }
  | { type: 'done'; result: SweepJobResult }
  | { type: 'failed'; message: string };

if (!parentPort) throw new Error('job-thread.ts runs only as a worker thread (opflex-twin worker starts it)');
const port = parentPort;

const scenarios = new Map<string, ScenarioText>();
const waiting = new Map<string, { resolve: (s: ScenarioText) => void; reject: (e: Error) => void }[]>();

function scenarioFor(hash: string): Promise<ScenarioText> {
  const cached = scenarios.get(hash);
  if (cached) return Promise.resolve(cached);
  return new Promise((resolve, reject) => {
    const waiters = waiting.get(hash);
    if (waiters) waiters.push({ resolve, reject });
    else {
      waiting.set(hash, [{ resolve, reject }]);
      port.postMessage({ type: 'scenario', hash } satisfies FromJobThread);
    }
  });
}

function answer(hash: string, outcome: { scenario: ScenarioText } | { error: Error }): void {
  const waiters = waiting.get(hash) ?? [];
  waiting.delete(hash);
  if ('scenario' in outcome) {
    if (scenarios.size >= cachedScenariosMax) scenarios.delete(scenarios.keys().next().value!);
    scenarios.set(hash, outcome.scenario);
  }
  for (const w of waiters) {
    if ('scenario' in outcome) w.resolve(outcome.scenario);
    else w.reject(outcome.error);
  }
}

port.on('message', (message: ToJobThread) => {
  switch (message.type) {
    case 'run':
      runSweepJob(message.data, scenarioFor).then(
        (result) => port.postMessage({ type: 'done', result } satisfies FromJobThread),
        (err: unknown) => port.postMessage({ type: 'failed', message: errorMessage(err) } satisfies FromJobThread),
      );
      break;
    case 'scenario':
      answer(message.hash, { scenario: message.scenario });
      break;
    case 'scenario-error':
      answer(message.hash, { error: new Error(message.message) });
      break;
  }
});
