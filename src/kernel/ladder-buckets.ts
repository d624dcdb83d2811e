/**
 * The far future of a big EventQueue: (time, key) entries later than every entry of the queue's
 * heap, kept unsorted in time buckets so that pushing one costs an append, not a heap walk.
 *
 * As in a ladder queue, there is one rung of equal-width buckets over [start, start + width *
 * buckets) and an unsorted top for everything past it. An entry's bucket is
 * floor((time - start) * invWidth), which never decreases as time grows (IEEE subtraction,
 * multiplication by a positive number and floor are all monotone), so every entry of bucket i is at
 * or before every entry of bucket i + 1 and of the top, and equal times share a bucket. Buckets
 * below `next` have been handed to the heap: an entry that maps there belongs to the heap, which
 * is how `add` answers. When the heap runs dry the queue takes the next non-empty bucket; once the
 * rung is used up, a new rung is spread over the top's [min, max] with about entriesPerBucket
 * entries a bucket. Every entry is moved a bounded number of times, and the heap stays the size of a
 * bucket, in cache, however many events are pending.
 *
 * A bucket is a linked list of fixed-size chunks in one Float64Array pool (freed chunks are reused
 * first, while still in cache); the top is one growable Float64Array.
 */

/** Entries per chunk of a bucket's list: 256 bytes. */
const chunkEntries = 16;
/** Buckets a rung aims at per entry it spreads: about this many entries per bucket. */
export const entriesPerBucket = 32;
/** Most buckets in one rung. */
const rungBucketsMax = 1 << 20;
/** Used as the span of a rung whose entries all have one time, so its bucket 0 holds them all. */
const spanMin = 1e-300;

export class LadderBuckets {
  /** Entries held (rung and top). */
  size = 0;

  private start = 0;
  private invWidth = 0;
  /** Buckets in the current rung; those below `next` have gone to the heap. */
  private buckets = 0;
  private next = 0;
  private bucketHead: Int32Array;
  private bucketTail: Int32Array;
  private bucketCount: Int32Array;

  /** [time, key] pairs, chunkEntries per chunk. */
  private pool: Float64Array;
  private chunkNext: Int32Array;
  private freeChunk = -1;
  private chunksUsed = 0;

  private top: Float64Array;
  private topCount = 0;
  private topMin = Infinity;
  private topMax = -Infinity;

  constructor() {
    this.bucketHead = new Int32Array(1024);
    this.bucketTail = new Int32Array(1024);
    this.bucketCount = new Int32Array(1024);
    this.pool = new Float64Array(2 * chunkEntries * 1024);
    this.chunkNext = new Int32Array(1024);
    this.top = new Float64Array(2 * 1024);
  }

  /** Takes the entry unless it belongs to the heap (at or before a bucket already handed over): then returns false. */
  add(time: number, key: number): boolean {
    const i = Math.floor((time - this.start) * this.invWidth);
    if (i < this.next) return false;
    if (i < this.buckets) this.append(i, time, key);
    else this.addToTop(time, key);
    this.size++;
    return true;
  }

  /**
   * Moves the earliest non-empty bucket's entries to out[2 * at ...] as [time, key] pairs, in no
   * particular order, and returns how many; 0 when empty. `out` must have room for them all
   * (at most `size`).
   */
  takeNext(out: Float64Array, at: number): number {
    if (this.size === 0) {
      this.reset();
      return 0;
    }
    for (;;) {
      const counts = this.bucketCount;
      let i = this.next;
      while (i < this.buckets && counts[i] === 0) i++;
      if (i < this.buckets) {
        this.next = i + 1;
        return this.moveBucket(i, out, at);
      }
      this.next = this.buckets;
      this.spreadTop();
    }
  }

  /** Moves every entry to out[2 * at ...] in no particular order and returns how many; the ladder is empty after. */
  takeAll(out: Float64Array, at: number): number {
    let n = 0;
    for (let i = this.next; i < this.buckets; i++) if (this.bucketCount[i]! > 0) n += this.moveBucket(i, out, at + n);
    out.set(this.top.subarray(0, 2 * this.topCount), 2 * (at + n));
    n += this.topCount;
    this.reset();
    return n;
  }

  /** Replaces every held key k by map(k); map must keep the keys' order (renumbering). */
  mapKeys(map: (key: number) => number): void {
    for (let i = this.next; i < this.buckets; i++) {
      let n = this.bucketCount[i]!;
      for (let c = this.bucketHead[i]!; n > 0; c = this.chunkNext[c]!) {
        const inChunk = Math.min(n, chunkEntries);
        for (let e = 0; e < inChunk; e++) {
          const p = 2 * (c * chunkEntries + e) + 1;
          this.pool[p] = map(this.pool[p]!);
        }
        n -= inChunk;
      }
    }
    for (let e = 0; e < this.topCount; e++) this.top[2 * e + 1] = map(this.top[2 * e + 1]!);
  }

  /** Empty, with no rung: every time goes to the top until the next spread. */
  private reset(): void {
    this.bucketCount.fill(0, this.next, this.buckets);
    this.start = 0;
    this.invWidth = 0;
    this.buckets = 0;
    this.next = 0;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    this.freeChunk = -1;
    this.chunksUsed = 0;
    this.size = 0;
  }

  private append(i: number, time: number, key: number): void {
    const n = this.bucketCount[i]!;
    const offset = n & (chunkEntries - 1);
    let chunk: number;
    if (offset === 0) {
      chunk = this.allocateChunk();
      if (n === 0) this.bucketHead[i] = chunk;
      else this.chunkNext[this.bucketTail[i]!] = chunk;
      this.bucketTail[i] = chunk;
    } else chunk = this.bucketTail[i]!;
    const p = 2 * (chunk * chunkEntries + offset);
    this.pool[p] = time;
    this.pool[p + 1] = key;
    this.bucketCount[i] = n + 1;
  }

  private addToTop(time: number, key: number): void {
    if (2 * this.topCount === this.top.length) {
      const top = new Float64Array(2 * this.top.length);
      top.set(this.top);
      this.top = top;
    }
    this.top[2 * this.topCount] = time;
    this.top[2 * this.topCount + 1] = key;
    this.topCount++;
    if (time < this.topMin) this.topMin = time;
    if (time > this.topMax) this.topMax = time;
  }

  private moveBucket(i: number, out: Float64Array, at: number): number {
    const total = this.bucketCount[i]!;
    let n = total;
    let w = 2 * at;
    let c = this.bucketHead[i]!;
    while (n > 0) {
      const inChunk = n < chunkEntries ? n : chunkEntries;
      const p = 2 * c * chunkEntries;
      out.set(this.pool.subarray(p, p + 2 * inChunk), w);
      w += 2 * inChunk;
      n -= inChunk;
      const following = this.chunkNext[c]!;
      this.chunkNext[c] = this.freeChunk;
      this.freeChunk = c;
      c = following;
    }
    this.bucketCount[i] = 0;
    this.size -= total;
    return total;
  }

  /** A new rung over the top's [min, max]; entries that round past its last bucket stay in the top. */
  private spreadTop(): void {
    const n = this.topCount;
    const buckets = Math.min(rungBucketsMax, Math.ceil(n / entriesPerBucket)) + 1;
    if (buckets > this.bucketCount.length) this.growBuckets(buckets);
    const min = this.topMin;
    const span = Math.max(this.topMax - min, spanMin);
    this.start = min;
    this.invWidth = (buckets - 1) / span;
    this.buckets = buckets;
    this.next = 0;
    const top = this.top;
    let kept = 0;
    let keptMin = Infinity;
    let keptMax = -Infinity;
    for (let e = 0; e < n; e++) {
      const time = top[2 * e]!;
      const key = top[2 * e + 1]!;
      const i = Math.floor((time - min) * this.invWidth);
      if (i < buckets) this.append(i, time, key);
      else {
        top[2 * kept] = time;
        top[2 * kept + 1] = key;
        kept++;
        if (time < keptMin) keptMin = time;
        if (time > keptMax) keptMax = time;
      }
    }
    this.topCount = kept;
    this.topMin = keptMin;
    this.topMax = keptMax;
  }

  private allocateChunk(): number {
    const free = this.freeChunk;
    if (free >= 0) {
      this.freeChunk = this.chunkNext[free]!;
      return free;
    }
    if (this.chunksUsed === this.chunkNext.length) {
      const chunks = 2 * this.chunkNext.length;
      const pool = new Float64Array(2 * chunkEntries * chunks);
      pool.set(this.pool);
      this.pool = pool;
      const chunkNext = new Int32Array(chunks);
      chunkNext.set(this.chunkNext);
      this.chunkNext = chunkNext;
    }
    return this.chunksUsed++;
  }

  private growBuckets(atLeast: number): void {
    const length = 2 ** Math.ceil(Math.log2(atLeast));
    const grow = (a: Int32Array) => {
      const b = new Int32Array(length);
      b.set(a);
      return b;
    };
    this.bucketHead = grow(this.bucketHead);
    this.bucketTail = grow(this.bucketTail);
    this.bucketCount = grow(this.bucketCount);
  }
}
