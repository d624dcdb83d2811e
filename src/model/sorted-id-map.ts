/**
 * A map keyed by small non-negative integers (interned URI ids), held as a sorted Int32Array of keys
 * beside an array of values: about 12 bytes an entry where a Map takes about 35. A lookup is a binary
 * search; an insert or delete moves the entries after it, cheap at the hundreds of entries an agent
 * holds and bounded by the limits of whoever fills it (ids are mostly handed out in increasing order,
 * so most inserts append). Iterates in key order.
 */

import type { TypedArraySlab } from './typed-array-slab.ts';
import { copyElements } from './typed-array-copy.ts';

const INITIAL_CAPACITY = 8;

export class SortedIdMap<V> {
  private keys: Int32Array = new Int32Array(INITIAL_CAPACITY);
  /** Values at [0, count); room reserved past it may hold holes. */
  private vals: (V | undefined)[] = [];
  /** Whether `vals` grew past its length since it was last made to measure (so may keep spare room). */
  private valsGrown = false;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): V | undefined {
    const i = this.indexOf(id);
    return i >= 0 ? this.vals[i] : undefined;
  }

  has(id: number): boolean {
    return this.indexOf(id) >= 0;
  }

  /** Adds or replaces; true when the key was new. */
  set(id: number, value: V): boolean {
    const i = this.indexOf(id);
    if (i >= 0) {
      this.vals[i] = value;
      return false;
    }
    const at = ~i;
    if (this.count === this.keys.length) this.resize(this.keys.length * 2);
    if (at < this.count) this.keys.copyWithin(at + 1, at, this.count);
    // Shifted by hand: splice would allocate the (empty) list of what it removed, every insert.
    const vals = this.vals;
    if (this.count === vals.length) this.valsGrown = true;
    for (let j = this.count; j > at; j--) vals[j] = vals[j - 1];
    vals[at] = value;
    this.keys[at] = id;
    this.count++;
    return true;
  }

  /** True when the key was present. */
  delete(id: number): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.keys.copyWithin(i, i + 1, this.count);
    const vals = this.vals;
    for (let j = i; j < this.count - 1; j++) vals[j] = vals[j + 1];
    vals[--this.count] = undefined;
    if (this.keys.length > INITIAL_CAPACITY && this.count < this.keys.length / 4) this.resize(this.keys.length / 2);
    return true;
  }

  /**
   * Makes room for `entries` in all, so a burst of inserts that size does not grow the map step by
   * step; the keys' room comes from `slab` when given.
   */
  reserve(entries: number, slab?: TypedArraySlab): void {
    if (entries <= this.keys.length) return;
    this.resize(entries, slab);
    if (this.vals.length < entries) {
      const vals = new Array<V | undefined>(entries);
      for (let i = 0; i < this.count; i++) vals[i] = this.vals[i];
      this.vals = vals;
      this.valsGrown = false;
    }
  }

  /** Gives back the room beyond the entries held (after a burst of inserts that is over). */
  trim(): void {
    const capacity = Math.max(this.count, INITIAL_CAPACITY);
    if (this.keys.length > capacity) this.resize(capacity);
    // An array grown one value at a time keeps up to half again its length in spare room, a reserved
    // one its holes; a copy has none.
    if (this.valsGrown || this.vals.length !== this.count) {
      this.vals = this.vals.slice(0, this.count);
      this.valsGrown = false;
    }
  }

  *ids(): IterableIterator<number> {
    for (let i = 0; i < this.count; i++) yield this.keys[i]!;
  }

  *values(): IterableIterator<V> {
    for (let i = 0; i < this.count; i++) yield this.vals[i]!;
  }

  /** The key's index, or ~(where it would go). */
  private indexOf(id: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = this.count - 1;
    // Appends and lookups of the newest key are the common case.
    if (hi >= 0 && keys[hi]! < id) return ~this.count;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid]!;
      if (k < id) lo = mid + 1;
      else if (k > id) hi = mid - 1;
      else return mid;
    }
    return ~lo;
  }

  private resize(capacity: number, slab?: TypedArraySlab): void {
    const keys = slab ? slab.int32(capacity) : new Int32Array(capacity);
    copyElements(keys, this.keys, this.count);
    this.keys = keys;
  }
}
