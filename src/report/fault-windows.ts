/**
 * When each injected fault was active, read from the trace's `fault-start` and `fault-end` events:
 * what a report shades on a run's timeline. A fault still active when the run ends lasts to the end.
 */
import type { TraceEvent } from '../kernel/trace.ts';

/** Fault windows a report keeps per run (a hand-written schedule may hold thousands). */
const faultWindowsPerRunMax = 500;

export interface FaultWindow {
  /** The fault's index in the schedule. */
  fault: number;
  kind: string;
  target: string;
  startMs: number;
  endMs: number;
  /** Still active when the run ended. */
  openAtEnd: boolean;
}

export class FaultWindowRecorder {
  private readonly windows: FaultWindow[] = [];
  private readonly open = new Map<number, FaultWindow>();
  /** Faults that started past the bound. */
  omitted = 0;

  readonly onEvent = (event: TraceEvent): void => {
    if (event.event !== 'fault-start' && event.event !== 'fault-end') return;
    // Times as RunReportBuilder keeps them (to the microsecond), so windows and milestones line up.
    const e = { ...event, tMs: Math.round(event.tMs * 1000) / 1000 };
    const fault = e.data.fault;
    if (typeof fault !== 'number') return;
    if (e.event === 'fault-end') {
      const w = this.open.get(fault);
      if (w) {
        w.endMs = e.tMs;
        w.openAtEnd = false;
        this.open.delete(fault);
      }
      return;
    }
    if (this.windows.length >= faultWindowsPerRunMax) {
      this.omitted++;
      return;
    }
    const w: FaultWindow = { fault, kind: String(e.data.kind), target: String(e.data.target ?? ''), startMs: e.tMs, endMs: e.tMs, openAtEnd: true };
    this.windows.push(w);
    this.open.set(fault, w);
  };

  /** The windows in the order the faults started; open ones end at `endMs`. */
  finish(endMs: number): FaultWindow[] {
    for (const w of this.open.values()) w.endMs = endMs;
    this.open.clear();
    return this.windows;
  }
}
