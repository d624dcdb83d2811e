import { performance } from 'node:perf_hooks';
import { EventQueue, type EventCallback } from './event-queue.ts';
import type { Scheduler, TimerHandle } from './scheduler.ts';

/** What a timer callback that threw is reported with; the scheduler goes on with the next one. */
export type SchedulerErrorHandler = (error: unknown) => void;

/**
 * Real time for live emulation: the same queue as the simulation, driven by one Node timer armed for
 * the earliest event. `timeScale` > 1 runs model timers faster than the wall clock (for demos and
 * tests): model time = wall time x timeScale.
 *
 * A live process must outlive a failing callback (one bad session is not a reason to stop serving
 * every other), so a callback that throws is handed to `onError` and the next one runs. The
 * simulation's VirtualScheduler keeps throwing: there a failing callback is a model bug.
 */
export class RealtimeScheduler implements Scheduler {
  private readonly queue = new EventQueue();
  private readonly startWall = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private armedFor = Infinity;
  private stopped = false;
  private current = 0;
  private readonly advance = (t: number): void => {
    this.current = t;
  };

  constructor(
    private readonly timeScale = 1,
    private readonly onError: SchedulerErrorHandler = defaultErrorHandler,
  ) {
    if (!(timeScale > 0)) throw new RangeError(`Time scale must be positive, got ${timeScale}`);
  }

  now(): number {
    const wall = (performance.now() - this.startWall) * this.timeScale;
    return wall > this.current ? wall : this.current;
  }

  after(delayMs: number, callback: EventCallback, arg?: unknown, arg2?: unknown): TimerHandle {
    return this.at(this.now() + Math.max(0, delayMs), callback, arg, arg2);
  }

  at(timeMs: number, callback: EventCallback, arg?: unknown, arg2?: unknown): TimerHandle {
    const handle = this.queue.push(Math.max(timeMs, this.current), callback, arg, arg2);
    this.arm();
    return handle;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.queue.cancel(handle);
  }

  /** Stops firing timers; pending ones are dropped. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.queue.clear();
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.queue.peekTime();
    if (next === Infinity || next >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = next;
    const waitMs = (next - this.now()) / this.timeScale;
    // setTimeout cannot wait less than 1 ms; work that is already due runs after pending I/O instead.
    if (waitMs <= 0) this.immediate ??= setImmediate(this.fire);
    else this.timer = setTimeout(this.fire, waitMs);
  }

  private readonly fire = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.immediate = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    let budget = 100_000;
    while (!this.stopped && budget-- > 0 && this.queue.peekTime() <= now) {
      try {
        this.queue.popAndRun(this.advance);
      } catch (err) {
        this.report(err);
      }
    }
    this.arm();
  };

  private report(err: unknown): void {
    try {
      this.onError(err);
    } catch {
      // a reporting hook must not stop the timers
    }
  }
}

function defaultErrorHandler(error: unknown): void {
  process.emitWarning(`A timer callback failed: ${error instanceof Error ? error.message : String(error)}`);
}
