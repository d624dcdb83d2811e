/**
 * Counts probe outcomes per flow and per time window (a migration's window, or the warm-up before
 * the first one): packets sent, delivered, bounced, dropped by reason, first and last drop, and the
 * outage: from a flow's first lost probe to its next delivered one, summed over its down periods.
 */
import type { DropReason } from '../fabric/drop-reasons.ts';

export interface FlowWindowStats {
  name: string;
  from: string;
  to: string;
  sent: number;
  delivered: number;
  bounced: number;
  dropped: Partial<Record<DropReason, number>>;
  firstDropMs: number | undefined;
  lastDropMs: number | undefined;
  outageMs: number;
  /** Still down when the window ended. */
  downAtEnd: boolean;
}

interface FlowState {
  name: string;
  from: string;
  to: string;
  downSinceMs: number | undefined;
  windows: Map<number, FlowWindowStats>;
}

export class FlowRecorder {
  private readonly flows = new Map<string, FlowState>();

  /**
   * @param windowOf maps a time to the window it belongs to (e.g. migration index, -1 before any).
   */
  constructor(private readonly windowOf: (tMs: number, flow: string) => number) {}

  record(flow: { name: string; from: string; to: string }, tMs: number, delivered: boolean, bounced: boolean, reason: DropReason | undefined): void {
    let state = this.flows.get(flow.name);
    if (!state) {
      state = { name: flow.name, from: flow.from, to: flow.to, downSinceMs: undefined, windows: new Map() };
      this.flows.set(flow.name, state);
    }
    const window = this.windowOf(state.downSinceMs ?? tMs, flow.name);
    const stats = this.statsFor(state, window);
    stats.sent++;
    if (delivered) {
      stats.delivered++;
      if (bounced) stats.bounced++;
      if (state.downSinceMs !== undefined) {
        stats.outageMs += tMs - state.downSinceMs;
        stats.downAtEnd = false;
        state.downSinceMs = undefined;
      }
      return;
    }
    const r = reason ?? 'unknown-destination';
    stats.dropped[r] = (stats.dropped[r] ?? 0) + 1;
    stats.firstDropMs ??= tMs;
    stats.lastDropMs = tMs;
    stats.downAtEnd = true;
    if (state.downSinceMs === undefined) state.downSinceMs = tMs;
  }

  /** Closes open outages at the end of the run. */
  finish(endMs: number): void {
    for (const state of this.flows.values()) {
      if (state.downSinceMs === undefined) continue;
      const stats = this.statsFor(state, this.windowOf(state.downSinceMs, state.name));
      stats.outageMs += endMs - state.downSinceMs;
      stats.downAtEnd = true;
      state.downSinceMs = undefined;
    }
  }

  /** Per-flow stats for one window, in the order flows first reported. */
  window(index: number): FlowWindowStats[] {
    const out: FlowWindowStats[] = [];
    for (const state of this.flows.values()) {
      const w = state.windows.get(index);
      if (w) out.push(w);
    }
    return out;
  }

  private statsFor(state: FlowState, window: number): FlowWindowStats {
    let stats = state.windows.get(window);
    if (!stats) {
      stats = {
        name: state.name, from: state.from, to: state.to, sent: 0, delivered: 0, bounced: 0, dropped: {},
        firstDropMs: undefined, lastDropMs: undefined, outageMs: 0, downAtEnd: false,
      };
      state.windows.set(window, stats);
    }
    return stats;
  }
}
