/**
 * The worker threads of `opflex-twin worker --concurrency N`: up to N threads, each running one job at
 * a time and reused for the next. A thread that dies (out of its heap, an exception outside the job)
 * fails only the job it had, in one line, and a new thread takes its place for the next job.
 */
import type { Worker } from 'node:worker_threads';
import { errnoCode, errorMessage } from '../error-details.ts';
import { startModuleThread } from '../module-thread.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import type { FromJobThread, ToJobThread } from './job-thread.ts';
import type { SweepJobResult } from './sweep-job-runner.ts';

export interface JobThreadPoolOptions {
  threads: number;
  /** Each thread's heap limit in MiB (V8's old generation); Node's default when absent. */
  heapMb?: number;
  /** The scenario text with this content hash (from Redis, cached). */
  scenarioFor: (hash: string) => Promise<ScenarioText>;
}

export interface ThreadRun {
  result: SweepJobResult;
  /** Threads are numbered from 1 in the order they were started; a replacement gets a new number. */
  thread: number;
  startedAt: Date;
  endedAt: Date;
}

/** A run stopped by its abort signal (a shutdown past its grace period): the job goes back to the queue. */
export class JobHandedBack extends Error {
  override name = 'JobHandedBack';
}

export class JobThreadPool {
  private readonly idle: JobThread[] = [];
  private readonly live = new Set<JobThread>();
  private readonly waitingForThread: ((thread: JobThread) => void)[] = [];
  private threadsStarted = 0;
  private closed = false;

  constructor(private readonly options: JobThreadPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`A job thread pool needs at least one thread, got ${options.threads}`);
  }

  /** Runs one job's data in a thread; an abort of `signal` ends the thread and rejects with JobHandedBack. */
  async run(data: unknown, signal?: AbortSignal): Promise<ThreadRun> {
    if (signal?.aborted) throw new JobHandedBack('The worker was shutting down before the job started');
    const thread = await this.take();
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      void thread.worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const startedAt = new Date();
    try {
      const result = await thread.run(data);
      return { result, thread: thread.number, startedAt, endedAt: new Date() };
    } catch (err) {
      if (aborted) throw new JobHandedBack(`Job thread ${thread.number} was stopped by the shutdown`);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.release(thread);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live].map((t) => t.worker.terminate()));
  }

  private take(): Promise<JobThread> {
    if (this.closed) return Promise.reject(new Error('The job thread pool is closed'));
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.live.size < this.options.threads) return Promise.resolve(this.startThread());
    return new Promise((resolve) => this.waitingForThread.push(resolve));
  }

  private release(thread: JobThread): void {
    const next = thread.ended ? (this.live.size < this.options.threads && this.waitingForThread.length ? this.startThread() : undefined) : thread;
    if (!next) return;
    const waiter = this.waitingForThread.shift();
    if (waiter) waiter(next);
    else this.idle.push(next);
  }

  private startThread(): JobThread {
    const thread = new JobThread(++this.threadsStarted, this.options, () => {
      this.live.delete(thread);
      const at = this.idle.indexOf(thread);
      if (at >= 0) this.idle.splice(at, 1);
    });
    this.live.add(thread);
    return thread;
  }
}

class JobThread {
  readonly worker: Worker;
  ended = false;
  private current: { resolve: (r: SweepJobResult) => void; reject: (e: Error) => void } | undefined;
  private crash: Error | undefined;

  constructor(readonly number: number, private readonly options: JobThreadPoolOptions, onEnd: () => void) {
    this.worker = startModuleThread(new URL('./job-thread.ts', import.meta.url), {
      ...(options.heapMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: options.heapMb } } : {}),
    });
    this.worker.on('message', (message: FromJobThread) => this.onMessage(message));
    this.worker.on('error', (err) => (this.crash ??= err));
    this.worker.on('exit', (code) => {
      this.ended = true;
      onEnd();
      this.settle({ error: new Error(`Job thread ${this.number} crashed: ${this.crashReason(code)}`) });
    });
  }

  run(data: unknown): Promise<SweepJobResult> {
    if (this.current) throw new Error(`Job thread ${this.number} already runs a job`);
    return new Promise((resolve, reject) => {
      this.current = { resolve, reject };
      this.post({ type: 'run', data });
    });
  }

  private onMessage(message: FromJobThread): void {
    switch (message.type) {
      case 'scenario':
        this.options.scenarioFor(message.hash).then(
          (scenario) => this.post({ type: 'scenario', hash: message.hash, scenario }),
          (err: unknown) => this.post({ type: 'scenario-error', hash: message.hash, message: errorMessage(err) }),
        );
        break;
      case 'done':
        this.settle({ result: message.result });
        break;
      case 'failed':
        this.settle({ error: new Error(message.message) });
        break;
    }
  }

  private settle(outcome: { result: SweepJobResult } | { error: Error }): void {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    if ('result' in outcome) current.resolve(outcome.result);
    else current.reject(outcome.error);
  }

  private post(message: ToJobThread): void {
    if (!this.ended) this.worker.postMessage(message);
  }

  private crashReason(exitCode: number): string {
    if (!this.crash) return `the thread exited with code ${exitCode}`;
    const heap = errnoCode(this.crash) === 'ERR_WORKER_OUT_OF_MEMORY' && this.options.heapMb !== undefined ? ` (its heap limit is ${this.options.heapMb} MiB)` : '';
    return `${errorMessage(this.crash)}${heap}`.replace(/\s+/g, ' ').trim();
  }
}
