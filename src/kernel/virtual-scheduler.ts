import { EventQueue, type EventCallback } from './event-queue.ts';
import type { Scheduler, TimerHandle } from './scheduler.ts';

/** Virtual time: the clock jumps to each event; nothing reads the wall clock. */
export class VirtualScheduler implements Scheduler {
  private readonly queue: EventQueue;
  private time = 0;
  private executed = 0;
  private readonly advance = (t: number): void => {
    this.time = t;
  };

  constructor(initialCapacity?: number) {
    this.queue = new EventQueue(initialCapacity);
  }

  now(): number {
    return this.time;
  }

  /** Events run so far. */
  get eventsRun(): number {
    return this.executed;
  }

  get pending(): number {
    return this.queue.pending;
  }

  after(delayMs: number, callback: EventCallback, arg?: unknown, arg2?: unknown): TimerHandle {
    if (!(delayMs >= 0)) throw new RangeError(`Delay must be non-negative, got ${delayMs}`);
    return this.queue.push(this.time + delayMs, callback, arg, arg2);
  }

  at(timeMs: number, callback: EventCallback, arg?: unknown, arg2?: unknown): TimerHandle {
    if (timeMs < this.time) throw new RangeError(`Cannot schedule in the past: ${timeMs} < now ${this.time}`);
    return this.queue.push(timeMs, callback, arg, arg2);
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.queue.cancel(handle);
  }

  /** Runs every event with time <= endMs (bounded by maxEvents), then sets the clock to endMs. */
  runUntil(endMs: number, maxEvents = Number.MAX_SAFE_INTEGER): number {
    const n = this.queue.runUntil(endMs, maxEvents, this.advance);
    this.executed += n;
    if (n < maxEvents && endMs > this.time && endMs !== Infinity) this.time = endMs;
    return n;
  }

  /** Runs one event; false when none is pending. */
  step(): boolean {
    const ran = this.queue.popAndRun(this.advance);
    if (ran) this.executed++;
    return ran;
  }
}
