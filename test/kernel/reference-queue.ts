/**
 * The specification EventQueue is checked against: pending events in one array kept sorted by
 * (time, insertion number), so ties pop first in, first out. Slow and obviously right.
 */
interface Pending {
  time: number;
  seq: number;
  id: number;
}

export class ReferenceQueue {
  private readonly sorted: Pending[] = [];
  private seq = 0;

  get pending(): number {
    return this.sorted.length;
  }

  /** Schedules `id` at `time`; returns a reference handle for cancel. */
  push(time: number, id: number): Pending {
    const entry = { time, seq: this.seq++, id };
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.sorted[mid]!;
      if (m.time < time || (m.time === time && m.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.splice(lo, 0, entry);
    return entry;
  }

  /** True when the entry was pending (and is now gone). */
  cancel(entry: Pending): boolean {
    const at = this.sorted.indexOf(entry);
    if (at < 0) return false;
    this.sorted.splice(at, 1);
    return true;
  }

  peekTime(): number {
    return this.sorted.length > 0 ? this.sorted[0]!.time : Infinity;
  }

  /** The next event's id, or undefined when empty. */
  pop(): number | undefined {
    return this.sorted.shift()?.id;
  }
}
