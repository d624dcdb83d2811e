/**
 * The simulation's hot path: a priority queue keyed by (time, sequence). Ties pop in insertion
 * order because the sequence grows monotonically. Cancellation marks the slot and the entry is
 * skipped when it reaches the top, so cancel is O(1).
 *
 * Callbacks and their two arguments live in slot arrays, so scheduling a pre-bound method costs no
 * allocation beyond amortised array growth, and an event can carry what it is about and for whom
 * (a link's message and its sender) without a record made to hold both.
 *
 * Layout and algorithm, measured with the HOLD model and the model mix in bench/kernel.ts
 * (`npm run bench`, figures in bench/README.md):
 * - A heap entry is 16 bytes in one Float64Array, [time, key] with key = seq * 2^24 + slot: keys
 *   compare as sequences (the slot only fills the low bits), so a sift moves one (time, key) pair in
 *   one array, as a C++ heap of (time, seq) pairs does.
 * - From ladderFromEntries pending, only the nearest events are in the heap: the rest wait unsorted
 *   in the time buckets of a ladder queue (LadderBuckets), and the heap takes the next bucket when
 *   it runs dry. A push to the far future is an append, and the heap stays the size of a bucket, in
 *   cache, however many events are pending. Everything in the heap is before everything in the
 *   buckets, so the pop order is the heap's: exactly (time, key), and so are the slots released.
 * - Removing the top is bottom-up: the hole walks to a leaf along the smaller child, chosen without
 *   a branch, then the former last entry sifts up from there (it belongs near the bottom). Which
 *   child is smaller is a coin flip a branch predictor cannot learn; without the branch, big heaps
 *   load the great-grandchildren ahead to overlap the cache misses of the next levels.
 * - From wideFrom (2^18) heap entries the heap turns 4-ary: half the levels, so half the cache misses
 *   per pop once the heap is out of cache. With the ladder, the heap gets that big only when one
 *   bucket does (a burst of events at one time). Below that the binary walk wins, so the heap
 *   rebuilds itself in the other arity when the size crosses the threshold, with 2x hysteresis.
 */

import { LadderBuckets } from './ladder-buckets.ts';

export type EventCallback = (arg: any, arg2: any) => void;

/** Opaque handle: slot index plus a generation, so a stale handle never cancels a reused slot. */
export type EventHandle = number;

const SLOT_BITS = 2 ** 24;
const MAX_CAPACITY = SLOT_BITS;
const GENERATION_MASK = 0x1fffffff;
/** key = seq * SLOT_BITS + slot must stay an exact integer: seq < 2^53 / 2^24. */
const SEQ_LIMIT = 2 ** 29;

/** Heaps larger than this (16 bytes an entry) load ahead in removeTop; smaller ones sit in cache. */
const PREFETCH_FROM = 1 << 13;
/** Entries from which the heap turns 4-ary (fewer levels, so fewer cache misses per pop); below half of it, binary again. */
const wideFromEntries = 1 << 18;
/**
 * Pending entries from which the far future moves to LadderBuckets (the heap then holds one bucket at
 * a time); below half of it, everything is one heap again.
 */
const ladderFromEntries = 1 << 9;
/** Sentinel entries past the capacity, so a 4-ary walk can always read a whole group of siblings. */
const PADDING = 4;

/** Scratch for reading the sign bit of a double without a branch: write the double, read its high word. */
const scratch = new Float64Array(1);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const scratchHigh = new Int32Array(scratch.buffer, littleEndian ? 4 : 0, 1);

export class EventQueue {
  /** [time, key] per entry; its length is a power of two. */
  private heap: Float64Array;
  private capacity: number;
  private size = 0;
  /** 4-ary (children 4i+1..4i+4) when true, binary (2i+1, 2i+2) when false; see wideFromEntries. */
  private wide = false;
  /** The entries later than all of the heap's, while the queue is big (see ladderFromEntries). */
  private far: LadderBuckets | undefined;
  /** Sink for the look-ahead loads in removeTop, so the compiler keeps them. */
  private prefetched = 0;

  /**
   * Callback at 3 * slot, its arguments at 3 * slot + 1 and + 2: one or two cache misses fetch all three.
   */
  private events: unknown[] = [];
  /** Per slot: generation * 2 + 1 if its event is cancelled (one array, so one cache miss per pop). */
  private state: Int32Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 0;
  private nextSeq = 0;
  private live = 0;

  /**
   * @param sequenceLimit where sequence numbers are renumbered (tests lower it to exercise that path).
   * @param wideFrom entries from which the heap is 4-ary; binary again below half of it (tests lower it).
   */
  constructor(
    initialCapacity = 1024,
    private readonly sequenceLimit = SEQ_LIMIT,
    private readonly wideFrom = wideFromEntries,
    private readonly ladderFrom = ladderFromEntries,
  ) {
    if (!(sequenceLimit >= 2 && sequenceLimit <= SEQ_LIMIT)) throw new RangeError(`sequenceLimit must be in [2, 2^29], got ${sequenceLimit}`);
    if (!(Number.isInteger(wideFrom) && wideFrom >= 2)) throw new RangeError(`wideFrom must be an integer >= 2, got ${wideFrom}`);
    if (!(Number.isInteger(ladderFrom) && ladderFrom >= 2)) throw new RangeError(`ladderFrom must be an integer >= 2, got ${ladderFrom}`);
    // A power of two, so removeTop can mask its look-ahead indexes into the heap.
    const capacity = Math.min(MAX_CAPACITY, 2 ** Math.ceil(Math.log2(Math.max(16, initialCapacity))));
    this.capacity = capacity;
    this.heap = emptyHeap(capacity);
    this.freeSlots = new Int32Array(capacity);
    this.state = new Int32Array(capacity);
  }

  /** Events scheduled and not yet popped or cancelled. */
  get pending(): number {
    return this.live;
  }

  get isEmpty(): boolean {
    return this.live === 0;
  }

  push(time: number, callback: EventCallback, arg?: unknown, arg2?: unknown): EventHandle {
    if (!(time >= 0) || time === Infinity) throw new RangeError(`Event time must be a finite non-negative number, got ${time}`);
    const entries = this.far === undefined ? this.size : this.size + this.far.size;
    if (entries === this.capacity) this.grow();
    if (this.nextSeq >= this.sequenceLimit) this.renumber();
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount]! : this.slotsUsed++;
    // A free slot's state has its cancelled bit clear (releaseSlot clears it).
    this.events[3 * slot] = callback;
    this.events[3 * slot + 1] = arg;
    this.events[3 * slot + 2] = arg2;

    const key = this.nextSeq++ * SLOT_BITS + slot;
    this.live++;
    const handle = (this.state[slot]! >>> 1) * SLOT_BITS + slot;
    if (this.far === undefined) {
      if (entries >= this.ladderFrom) this.startLadder();
    }
    if (this.far !== undefined && this.far.add(time, key)) return handle;
    if (this.size >= this.wideFrom && !this.wide) this.reshape(true);
    if (this.wide) this.siftUp4(this.size++, time, key);
    else this.siftUp(this.size++, time, key);
    return handle;
  }

  cancel(handle: EventHandle): boolean {
    const slot = handle % SLOT_BITS;
    const gen = (handle - slot) / SLOT_BITS;
    if (!(slot >= 0 && slot < this.slotsUsed) || this.state[slot] !== 2 * gen) return false;
    if (this.events[3 * slot] === undefined) return false;
    this.state[slot] = 2 * gen + 1;
    this.events[3 * slot] = undefined;
    this.events[3 * slot + 1] = undefined;
    this.events[3 * slot + 2] = undefined;
    this.live--;
    return true;
  }

  /** Time of the next live event, or Infinity. Drops cancelled entries found on top. */
  peekTime(): number {
    while (this.size > 0 || this.refill()) {
      const slot = slotOf(this.heap[1]!);
      if ((this.state[slot]! & 1) === 0) return this.heap[0]!;
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
    return this.runUntil(Infinity, 1, onTime) === 1;
  }

  /**
   * Runs events in (time, sequence) order while the next one is due by `endTime`, at most
   * `maxEvents`, each with `onTime` called first with its time; returns how many ran. One pass per
   * event where peekTime then popAndRun would read the top twice.
   */
  runUntil(endTime: number, maxEvents: number, onTime: (time: number) => void): number {
    let n = 0;
    while (n < maxEvents && (this.size > 0 || this.refill())) {
      const heap = this.heap;
      const time = heap[0]!;
      if (time > endTime) break;
      const slot = slotOf(heap[1]!);
      this.removeTop();
      if ((this.state[slot]! & 1) === 1) {
        this.releaseSlot(slot);
        continue;
      }
      const events = this.events;
      const callback = events[3 * slot] as EventCallback;
      const arg = events[3 * slot + 1];
      const arg2 = events[3 * slot + 2];
      events[3 * slot] = undefined;
      events[3 * slot + 1] = undefined;
      events[3 * slot + 2] = undefined;
      this.releaseSlot(slot);
      this.live--;
      onTime(time);
      n++;
      callback(arg, arg2);
    }
    return n;
  }

  clear(): void {
    if (this.far !== undefined) {
      this.size += this.far.takeAll(this.heap, this.size);
      this.far = undefined;
    }
    for (let i = 0; i < this.size; i++) {
      const slot = slotOf(this.heap[2 * i + 1]!);
      this.heap[2 * i] = Infinity;
      this.events[3 * slot] = undefined;
      this.events[3 * slot + 1] = undefined;
      this.events[3 * slot + 2] = undefined;
      this.releaseSlot(slot);
    }
    this.size = 0;
    this.live = 0;
    this.wide = false;
  }

  /** Moves the hole at `i` up until (time, key) fits there, and puts it there. */
  private siftUp(i: number, time: number, key: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = heap[2 * parent]!;
      if (pt < time || (pt === time && heap[2 * parent + 1]! < key)) break;
      heap[2 * i] = pt;
      heap[2 * i + 1] = heap[2 * parent + 1]!;
      i = parent;
    }
    heap[2 * i] = time;
    heap[2 * i + 1] = key;
  }

  /**
   * Bottom-up removal: walk the hole from the root to a leaf along the smaller child, then sift the
   * former last entry (which belongs near the bottom) up from there. The child is chosen without a
   * branch, from the sign bit of the difference of the times (of the keys on a tie): which child is
   * smaller is a coin flip the branch predictor cannot learn. With no branch the CPU does not
   * speculate down the heap, so in a big heap the walk loads the hole's great-grandchildren (two
   * loads cover the 8 entries, 128 bytes) a level early to overlap the cache misses.
   */
  private removeTop(): void {
    if (this.wide) {
      if (2 * this.size > this.wideFrom) return this.removeTop4();
      this.reshape(false);
    }
    const last = --this.size;
    const heap = this.heap;
    const time = heap[2 * last]!;
    const key = heap[2 * last + 1]!;
    if (last === 0) {
      heap[0] = Infinity;
      return;
    }
    // Entry `last` has been taken out; its place becomes the sentinel that makes a missing right
    // child never win.
    heap[2 * last] = Infinity;
    const sign = scratch;
    const high = scratchHigh;
    const mask = 2 * this.capacity - 1; // capacity is a power of two: prefetch indexes stay in bounds
    let ahead = 0;
    let i = 0;
    let child = 1;
    if (last > PREFETCH_FROM) {
      // Same walk as below, plus the look-ahead.
      while (child < last) {
        ahead += heap[(8 * child + 6) & mask]! + heap[(8 * child + 14) & mask]!;
        let d = heap[2 * child + 2]! - heap[2 * child]!;
        if (d === 0) d = heap[2 * child + 3]! - heap[2 * child + 1]!;
        sign[0] = d;
        child += high[0]! >>> 31;
        heap[2 * i] = heap[2 * child]!;
        heap[2 * i + 1] = heap[2 * child + 1]!;
        i = child;
        child = 2 * i + 1;
      }
    } else {
      while (child < last) {
        let d = heap[2 * child + 2]! - heap[2 * child]!;
        if (d === 0) d = heap[2 * child + 3]! - heap[2 * child + 1]!;
        sign[0] = d;
        child += high[0]! >>> 31; // the right child when it is smaller
        heap[2 * i] = heap[2 * child]!;
        heap[2 * i + 1] = heap[2 * child + 1]!;
        i = child;
        child = 2 * i + 1;
      }
    }
    this.siftUp(i, time, key);
    this.prefetched = ahead; // keeps the look-ahead loads alive
  }

  /** siftUp for the 4-ary layout. */
  private siftUp4(i: number, time: number, key: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = heap[2 * parent]!;
      if (pt < time || (pt === time && heap[2 * parent + 1]! < key)) break;
      heap[2 * i] = pt;
      heap[2 * i + 1] = heap[2 * parent + 1]!;
      i = parent;
    }
    heap[2 * i] = time;
    heap[2 * i + 1] = key;
  }

  /**
   * removeTop for the 4-ary layout, bottom-up as the binary one. Here the smallest of 4 siblings is
   * chosen with branches: branch-free it costs a store and a reload per comparison, three a level,
   * which measured slower (bench/README.md). Siblings past the end read as Infinity.
   */
  private removeTop4(): void {
    const last = --this.size;
    const heap = this.heap;
    const time = heap[2 * last]!;
    const key = heap[2 * last + 1]!;
    heap[2 * last] = Infinity;
    let i = 0;
    let child = 1;
    while (child < last) {
      let m = child;
      let mt = heap[2 * child]!;
      let mk = heap[2 * child + 1]!;
      for (let c = child + 1; c < child + 4; c++) {
        const t = heap[2 * c]!;
        if (t < mt || (t === mt && heap[2 * c + 1]! < mk)) {
          m = c;
          mt = t;
          mk = heap[2 * c + 1]!;
        }
      }
      heap[2 * i] = mt;
      heap[2 * i + 1] = mk;
      i = m;
      child = 4 * i + 1;
    }
    this.siftUp4(i, time, key);
  }

  /**
   * Rebuilds the heap in the other arity in place: entries 0..k-1 already form a heap of the new
   * arity, and entry k sifts up into it. The pop order is fixed by the (time, key) order, so it does
   * not change; hysteresis between the two thresholds keeps the O(n) rebuild rare.
   */
  private reshape(wide: boolean): void {
    const heap = this.heap;
    this.wide = wide;
    for (let k = 1; k < this.size; k++) {
      const time = heap[2 * k]!;
      const key = heap[2 * k + 1]!;
      if (wide) this.siftUp4(k, time, key);
      else this.siftUp(k, time, key);
    }
  }

  /** Moves every heap entry to a new LadderBuckets, whose first spread decides the buckets. */
  private startLadder(): void {
    const far = new LadderBuckets();
    const heap = this.heap;
    for (let i = 0; i < this.size; i++) {
      far.add(heap[2 * i]!, heap[2 * i + 1]!);
      heap[2 * i] = Infinity;
    }
    this.far = far;
    this.size = 0;
    this.wide = false;
  }

  /**
   * Fills the empty heap from the far future: its next bucket, or all of it (back to one heap)
   * once fewer than half of ladderFrom entries are left. False when nothing is pending there.
   */
  private refill(): boolean {
    const far = this.far;
    if (far === undefined) return false;
    const heap = this.heap;
    let n: number;
    if (far.size < this.ladderFrom / 2) {
      n = far.takeAll(heap, 0);
      this.far = undefined;
    } else n = far.takeNext(heap, 0);
    this.wide = false;
    for (let k = 1; k < n; k++) this.siftUp(k, heap[2 * k]!, heap[2 * k + 1]!);
    this.size = n;
    return n > 0;
  }

  private releaseSlot(slot: number): void {
    this.state[slot] = (((this.state[slot]! >>> 1) + 1) & GENERATION_MASK) * 2;
    this.freeSlots[this.freeCount++] = slot;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    if (capacity > MAX_CAPACITY) throw new RangeError(`Event queue is full: more than ${MAX_CAPACITY} pending events`);
    const heap = emptyHeap(capacity);
    heap.set(this.heap.subarray(0, 2 * this.size));
    this.heap = heap;
    const grow32 = (a: Int32Array) => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    this.freeSlots = grow32(this.freeSlots);
    this.state = grow32(this.state);
    this.capacity = capacity;
  }

  /**
   * After 2^29 pushes the next sequence number would not fit in a key: renumber the pending entries
   * 0..size-1 in their existing order. Relative order is unchanged, so the heap stays valid.
   */
  private renumber(): void {
    const heap = this.heap;
    const far = this.far;
    const n = this.size;
    const keys = new Float64Array(n + (far === undefined ? 0 : far.size));
    for (let i = 0; i < n; i++) keys[i] = heap[2 * i + 1]!;
    let k = n;
    far?.mapKeys((key) => (keys[k++] = key));
    keys.sort();
    const renumbered = (key: number): number => {
      let lo = 0;
      let hi = keys.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keys[mid]! < key) lo = mid + 1;
        else hi = mid;
      }
      return lo * SLOT_BITS + slotOf(key);
    };
    for (let i = 0; i < n; i++) heap[2 * i + 1] = renumbered(heap[2 * i + 1]!);
    far?.mapKeys(renumbered);
    this.nextSeq = keys.length;
  }
}

/** A heap array whose entries all read as Infinity (past-the-end sentinels), padding included. */
function emptyHeap(capacity: number): Float64Array {
  const heap = new Float64Array(2 * (capacity + PADDING));
  for (let i = 0; i < heap.length; i += 2) heap[i] = Infinity;
  return heap;
}

/** The slot in the low 24 bits of a key (exact: keys are integers below 2^53). */
function slotOf(key: number): number {
  return key - Math.floor(key * (1 / SLOT_BITS)) * SLOT_BITS;
}
