/**
 * The far future of a big EventQueue: (time, key) entries later than every entry of the queue's
 * heap, kept unsorted in time buckets so that pushing one costs an append, not a heap walk.
 *
 * A ladder queue: rungs of equal-width buckets, and an unsorted top past rung 0. In a rung,
 * an entry's bucket is floor((time - start) * invWidth), which never decreases as time grows
 * (IEEE subtraction, multiplication by a positive number and floor are all monotone), so every
 * entry of bucket i is at or before every entry of bucket i + 1, and equal times share a bucket.
 * Buckets below a rung's `next` have been handed on; rung r + 1, when there is one, spreads bucket
 * next - 1 of rung r, whose entries were too many for the heap (splitFromEntries) and not all of
 * one time. An entry that maps to a bucket already handed to the heap belongs to the heap, which is
 * what `add` answers.
 *
 * When the heap runs dry the queue takes the next non-empty bucket of the deepest rung; once a rung
 * is used up, its parent continues, and once rung 0 is, a new rung 0 is spread over the top's
 * [min, max] with about entriesPerBucket entries a bucket. Every entry moves a bounded number of
 * times (at most once per rung), and the heap stays about the size of a bucket, in cache, however
 * many events are pending and however skewed their times.
 *
 * A bucket is a linked list of fixed-size chunks in one Float64Array pool (freed chunks are reused
 * first, while still in cache); the top is one growable Float64Array.
 */

/** Entries per chunk of a bucket's list: 256 bytes. */
const chunkEntries = 16;
/** A new rung has one bucket per this many entries it spreads. */
export const entriesPerBucket = 32;
/** A bucket with more entries than this (not all of one time) is spread into a finer rung rather than handed to the heap. */
export const splitFromEntries = 256;
/** Most rungs, rung 0 included; a bucket of the deepest goes to the heap whatever its size. */
export const rungsMax = 8;
/** Most buckets in one rung. */
export const rungBucketsMax = 1 << 20;
/** Used as the span of entries that all have one time, so they all land in bucket 0. */
const spanMin = 1e-300;

export class LadderBuckets {
  /** Entries held (rungs and top). */
  size = 0;

  /** Rungs in use, 1..rungsMax; rung 0 always exists (with 0 buckets before the first spread). */
  private depth = 1;
  private readonly rungStart = new Float64Array(rungsMax);
  private readonly rungInvWidth = new Float64Array(rungsMax);
  private readonly rungBuckets = new Int32Array(rungsMax);
  private readonly rungNext = new Int32Array(rungsMax);
  /** Per rung, per bucket: first and last chunk, entries. */
  private readonly bucketHead: Int32Array[] = [];
  private readonly bucketTail: Int32Array[] = [];
  private readonly bucketCount: Int32Array[] = [];

  /** [time, key] pairs, chunkEntries per chunk. */
  private pool: Float64Array;
  private chunkNext: Int32Array;
  private freeChunk = -1;
  private chunksUsed = 0;

  private top: Float64Array;
  private topCount = 0;
  private topMin = Infinity;
  private topMax = -Infinity;

  /**
   * @param splitFrom a bucket with more entries is spread into a finer rung (tests lower it).
   * @param perBucket entries per bucket a new rung aims at (tests lower it).
   */
  constructor(
    private readonly splitFrom = splitFromEntries,
    private readonly perBucket = entriesPerBucket,
  ) {
    for (let r = 0; r < rungsMax; r++) {
      this.bucketHead.push(new Int32Array(64));
      this.bucketTail.push(new Int32Array(64));
      this.bucketCount.push(new Int32Array(64));
    }
    this.pool = new Float64Array(2 * chunkEntries * 1024);
    this.chunkNext = new Int32Array(1024);
    this.top = new Float64Array(2 * 1024);
  }

  /** Takes the entry unless it belongs to the heap (at or before a bucket already handed to it): then returns false. */
  add(time: number, key: number): boolean {
    let r = 0;
    for (;;) {
      let i = Math.floor((time - this.rungStart[r]!) * this.rungInvWidth[r]!);
      const buckets = this.rungBuckets[r]!;
      if (i >= buckets) {
        if (r === 0) {
          this.addToTop(time, key);
          this.size++;
          return true;
        }
        // Past the last entry the rung was spread over, still within its parent's bucket.
        i = buckets - 1;
      }
      const next = this.rungNext[r]!;
      if (i >= next) {
        this.append(r, i, time, key);
        this.size++;
        return true;
      }
      if (i === next - 1 && r + 1 < this.depth) r++;
      else return false;
    }
  }

  /**
   * Moves the earliest non-empty bucket's entries to out[2 * at ...] as [time, key] pairs, in no
   * particular order, and returns how many; 0 when empty. `out` must have room for `size` entries:
   * a bucket being split is staged there, and left as Infinity afterwards.
   */
  takeNext(out: Float64Array, at: number): number {
    if (this.size === 0) {
      this.reset();
      return 0;
    }
    for (;;) {
      const r = this.depth - 1;
      const counts = this.bucketCount[r]!;
      const buckets = this.rungBuckets[r]!;
      let i = this.rungNext[r]!;
      while (i < buckets && counts[i] === 0) i++;
      if (i < buckets) {
        this.rungNext[r] = i + 1;
        const n = this.moveBucket(r, i, out, at);
        if (n <= this.splitFrom || this.depth === rungsMax || !this.split(out, at, n)) return n;
      } else {
        this.rungNext[r] = buckets;
        if (r > 0) this.depth--;
        else this.spreadTop();
      }
    }
  }

  /** Moves every entry to out[2 * at ...] in no particular order and returns how many; the ladder is empty after. */
  takeAll(out: Float64Array, at: number): number {
    let n = 0;
    for (let r = 0; r < this.depth; r++) {
      for (let i = this.rungNext[r]!; i < this.rungBuckets[r]!; i++) {
        if (this.bucketCount[r]![i]! > 0) n += this.moveBucket(r, i, out, at + n);
      }
    }
    out.set(this.top.subarray(0, 2 * this.topCount), 2 * (at + n));
    n += this.topCount;
    this.reset();
    return n;
  }

  /** Replaces every held key k by map(k); map must keep the keys' order (renumbering). */
  mapKeys(map: (key: number) => number): void {
    for (let r = 0; r < this.depth; r++) {
      for (let i = this.rungNext[r]!; i < this.rungBuckets[r]!; i++) {
        let n = this.bucketCount[r]![i]!;
        for (let c = this.bucketHead[r]![i]!; n > 0; c = this.chunkNext[c]!) {
          const inChunk = Math.min(n, chunkEntries);
          for (let e = 0; e < inChunk; e++) {
            const p = 2 * (c * chunkEntries + e) + 1;
            this.pool[p] = map(this.pool[p]!);
          }
          n -= inChunk;
        }
      }
    }
    for (let e = 0; e < this.topCount; e++) this.top[2 * e + 1] = map(this.top[2 * e + 1]!);
  }

  /** Empty (every bucket count is 0 here), with no rung: every time goes to the top until the next spread. */
  private reset(): void {
    this.depth = 1;
    this.rungStart[0] = 0;
    this.rungInvWidth[0] = 0;
    this.rungBuckets[0] = 0;
    this.rungNext[0] = 0;
    this.topCount = 0;
    this.topMin = Infinity;
    this.topMax = -Infinity;
    this.freeChunk = -1;
    this.chunksUsed = 0;
    this.size = 0;
  }

  private append(r: number, i: number, time: number, key: number): void {
    const counts = this.bucketCount[r]!;
    const n = counts[i]!;
    const offset = n & (chunkEntries - 1);
    let chunk: number;
    if (offset === 0) {
      chunk = this.allocateChunk();
      if (n === 0) this.bucketHead[r]![i] = chunk;
      else this.chunkNext[this.bucketTail[r]![i]!] = chunk;
      this.bucketTail[r]![i] = chunk;
    } else chunk = this.bucketTail[r]![i]!;
    const p = 2 * (chunk * chunkEntries + offset);
    this.pool[p] = time;
    this.pool[p + 1] = key;
    counts[i] = n + 1;
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

  private moveBucket(r: number, i: number, out: Float64Array, at: number): number {
    const total = this.bucketCount[r]![i]!;
    let n = total;
    let w = 2 * at;
    let c = this.bucketHead[r]![i]!;
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
    this.bucketCount[r]![i] = 0;
    this.size -= total;
    return total;
  }

  /**
   * Spreads the n entries just moved to out[2 * at ...] (the bucket next - 1 of the deepest rung)
   * into a new, deeper rung; false, leaving them there, when they all have one time.
   */
  private split(out: Float64Array, at: number, n: number): boolean {
    let min = Infinity;
    let max = -Infinity;
    for (let e = at; e < at + n; e++) {
      const time = out[2 * e]!;
      if (time < min) min = time;
      if (time > max) max = time;
    }
    if (!(max > min)) return false;
    const r = this.depth++;
    this.startRung(r, min, max, n);
    for (let e = at; e < at + n; e++) {
      const time = out[2 * e]!;
      // Only rounding can put the maximum one past the last bucket; it still belongs to this rung.
      const i = Math.min(Math.floor((time - min) * this.rungInvWidth[r]!), this.rungBuckets[r]! - 1);
      this.append(r, i, time, out[2 * e + 1]!);
    }
    // The staging area is the queue's heap past its end, which must read as empty (time Infinity).
    out.fill(Infinity, 2 * at, 2 * (at + n));
    this.size += n;
    return true;
  }

  /** Rung r over [min, max] for n entries: about perBucket a bucket, plus one for max to round into. */
  private startRung(r: number, min: number, max: number, n: number): void {
    const buckets = Math.min(rungBucketsMax, Math.ceil(n / this.perBucket)) + 1;
    if (buckets > this.bucketCount[r]!.length) this.growBuckets(r, buckets);
    this.rungStart[r] = min;
    this.rungInvWidth[r] = (buckets - 1) / Math.max(max - min, spanMin);
    this.rungBuckets[r] = buckets;
    this.rungNext[r] = 0;
  }

  /** A new rung 0 over the top's [min, max]; entries that round past its last bucket stay in the top. */
  private spreadTop(): void {
    const n = this.topCount;
    this.startRung(0, this.topMin, this.topMax, n);
    const min = this.topMin;
    const invWidth = this.rungInvWidth[0]!;
    const buckets = this.rungBuckets[0]!;
    const top = this.top;
    let kept = 0;
    let keptMin = Infinity;
    let keptMax = -Infinity;
    for (let e = 0; e < n; e++) {
      const time = top[2 * e]!;
      const key = top[2 * e + 1]!;
      const i = Math.floor((time - min) * invWidth);
      if (i < buckets) this.append(0, i, time, key);
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

  private growBuckets(r: number, atLeast: number): void {
    const length = 2 ** Math.ceil(Math.log2(atLeast));
    const grow = (a: Int32Array) => {
      const b = new Int32Array(length);
      b.set(a);
      return b;
    };
    this.bucketHead[r] = grow(this.bucketHead[r]!);
    this.bucketTail[r] = grow(this.bucketTail[r]!);
    this.bucketCount[r] = grow(this.bucketCount[r]!);
  }
}
