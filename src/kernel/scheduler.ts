/**
 * The clock seam. Actors read time and set timers only through a Scheduler, so the same actor runs
 * on the virtual clock of a simulation and on the real clock of a live emulation.
 */
import type { EventCallback, EventHandle } from './event-queue.ts';

export type TimerHandle = EventHandle;

export interface Scheduler {
  /** Milliseconds since the start of the run. */
  now(): number;
  /** Runs `callback(arg, arg2)` `delayMs` from now (0 = after the events already due now). */
  after(delayMs: number, callback: EventCallback, arg?: unknown, arg2?: unknown): TimerHandle;
  at(timeMs: number, callback: EventCallback, arg?: unknown, arg2?: unknown): TimerHandle;
  cancel(handle: TimerHandle | undefined): void;
}

export type { EventCallback };
