/**
 * Every state change in the model is a trace event: time, actor, event name and a few fields.
 * Reports, milestones, invariant checks and the live event stream all read this one source.
 */
import type { Scheduler } from './scheduler.ts';

export type TraceData = Record<string, string | number | boolean | undefined>;

export interface TraceEvent {
  tMs: number;
  actor: string;
  event: string;
  data: TraceData;
}

export type TraceListener = (event: TraceEvent) => void;

export class Trace {
  private readonly listeners: TraceListener[] = [];
  private readonly recorded: TraceEvent[] | undefined;
  private count = 0;

  constructor(
    private readonly clock: Pick<Scheduler, 'now'>,
    options: { record?: boolean } = {},
  ) {
    this.recorded = options.record === false ? undefined : [];
  }

  get events(): readonly TraceEvent[] {
    return this.recorded ?? [];
  }

  get emitted(): number {
    return this.count;
  }

  subscribe(listener: TraceListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(actor: string, event: string, data: TraceData = {}): void {
    const e: TraceEvent = { tMs: this.clock.now(), actor, event, data };
    this.count++;
    this.recorded?.push(e);
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i]!(e);
  }
}

/** One line of NDJSON per event with fixed key order and times rounded to the microsecond. */
export function formatTraceLine(e: TraceEvent): string {
  return JSON.stringify({ tMs: Math.round(e.tMs * 1000) / 1000, actor: e.actor, event: e.event, ...e.data });
}
