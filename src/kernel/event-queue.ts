/**
 * The simulation's hot path: a binary min-heap keyed by (time, sequence) stored in parallel typed
 * arrays. Ties pop in insertion order because the sequence grows monotonically. Cancellation marks
 * the slot and the entry is skipped when it reaches the top, so cancel is O(1).
 *
 * Callbacks and their argument live in slot arrays, so scheduling a pre-bound method costs no
 * allocation beyond amortised array growth.
 */

export type EventCallback = (arg: any) => void;

/** Opaque handle: slot index plus a generation, so a stale handle never cancels a reused slot. */
export type EventHandle = number;

const SLOT_BITS = 2 ** 24;
const MAX_CAPACITY = SLOT_BITS;

export class EventQueue {
  private heapTime: Float64Array;
  private heapSeq: Float64Array;
  private heapSlot: Int32Array;
  private size = 0;

  private callbacks: (EventCallback | undefined)[] = [];
  private args: unknown[] = [];
  private generation: Int32Array;
  private cancelled: Uint8Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 0;
  private nextSeq = 0;
  private live = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.heapTime = new Float64Array(capacity);
    this.heapSeq = new Float64Array(capacity);
    this.heapSlot = new Int32Array(capacity);
    this.generation = new Int32Array(capacity);
    this.cancelled = new Uint8Array(capacity);
    this.freeSlots = new Int32Array(capacity);
  }

  /** Events scheduled and not yet popped or cancelled. */
  get pending(): number {
    return this.live;
  }

  get isEmpty(): boolean {
    return this.live === 0;
  }

  push(time: number, callback: EventCallback, arg?: unknown): EventHandle {
    if (!(time >= 0) || time === Infinity) throw new RangeError(`Event time must be a finite non-negative number, got ${time}`);
    if (this.size === this.heapTime.length) this.grow();
    const slot = this.allocateSlot();
    this.callbacks[slot] = callback;
    this.args[slot] = arg;
    this.cancelled[slot] = 0;

    const seq = this.nextSeq++;
    let i = this.size++;
    const heapTime = this.heapTime;
    const heapSeq = this.heapSeq;
    const heapSlot = this.heapSlot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = heapTime[parent]!;
      if (pt < time || (pt === time && heapSeq[parent]! < seq)) break;
      heapTime[i] = pt;
      heapSeq[i] = heapSeq[parent]!;
      heapSlot[i] = heapSlot[parent]!;
      i = parent;
    }
    heapTime[i] = time;
    heapSeq[i] = seq;
    heapSlot[i] = slot;
    this.live++;
    return this.generation[slot]! * SLOT_BITS + slot;
  }

  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_BITS;
    const gen = (handle - slot) / SLOT_BITS;
    if (slot >= this.slotsUsed || this.generation[slot] !== gen || this.cancelled[slot] === 1) return false;
    if (this.callbacks[slot] === undefined) return false;
    this.cancelled[slot] = 1;
    this.callbacks[slot] = undefined;
    this.args[slot] = undefined;
    this.live--;
    return true;
  }

  /** Time of the next live event, or Infinity. Drops cancelled entries found on top. */
  peekTime(): number {
    while (this.size > 0) {
      const slot = this.heapSlot[0]!;
      if (this.cancelled[slot] === 0) return this.heapTime[0]!;
      this.removeTop();
      this.releaseSlot(slot);
    }
    return Infinity;
  }

  /**
   * Pops the next live event and runs it with `onTime` called first with its time. Returns false
   * when the queue is empty. Split this way so the scheduler can advance its clock before the
   * callback runs without allocating a result object.
   */
  popAndRun(onTime: (time: number) => void): boolean {
    while (this.size > 0) {
      const slot = this.heapSlot[0]!;
      const time = this.heapTime[0]!;
      this.removeTop();
      if (this.cancelled[slot] === 1) {
        this.releaseSlot(slot);
        continue;
      }
      const callback = this.callbacks[slot]!;
      const arg = this.args[slot];
      this.callbacks[slot] = undefined;
      this.args[slot] = undefined;
      this.releaseSlot(slot);
      this.live--;
      onTime(time);
      callback(arg);
      return true;
    }
    return false;
  }

  clear(): void {
    for (let i = 0; i < this.size; i++) {
      const slot = this.heapSlot[i]!;
      this.callbacks[slot] = undefined;
      this.args[slot] = undefined;
      this.releaseSlot(slot);
    }
    this.size = 0;
    this.live = 0;
  }

  private removeTop(): void {
    const last = --this.size;
    if (last === 0) return;
    const heapTime = this.heapTime;
    const heapSeq = this.heapSeq;
    const heapSlot = this.heapSlot;
    const time = heapTime[last]!;
    const seq = heapSeq[last]!;
    const slot = heapSlot[last]!;
    const n = last;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n) {
        const ct = heapTime[child]!;
        const rt = heapTime[right]!;
        if (rt < ct || (rt === ct && heapSeq[right]! < heapSeq[child]!)) child = right;
      }
      const ct = heapTime[child]!;
      if (time < ct || (time === ct && seq < heapSeq[child]!)) break;
      heapTime[i] = ct;
      heapSeq[i] = heapSeq[child]!;
      heapSlot[i] = heapSlot[child]!;
      i = child;
    }
    heapTime[i] = time;
    heapSeq[i] = seq;
    heapSlot[i] = slot;
  }

  private allocateSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    return this.slotsUsed++;
  }

  private releaseSlot(slot: number): void {
    this.generation[slot] = (this.generation[slot]! + 1) & 0x1fffffff;
    this.freeSlots[this.freeCount++] = slot;
  }

  private grow(): void {
    const capacity = this.heapTime.length * 2;
    if (capacity > MAX_CAPACITY) throw new RangeError(`Event queue is full: more than ${MAX_CAPACITY} pending events`);
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    this.heapTime = grow64(this.heapTime);
    this.heapSeq = grow64(this.heapSeq);
    this.heapSlot = grow32(this.heapSlot);
    this.generation = grow32(this.generation);
    this.freeSlots = grow32(this.freeSlots);
    const cancelled = new Uint8Array(capacity);
    cancelled.set(this.cancelled);
    this.cancelled = cancelled;
  }
}
