/**
 * Open addressing with linear probing: the two halves of an index the fabric's largest tables share
 * (EndpointKeyMap, RegistrationSlots), and a repeat check for the loader's million-pod lists. An
 * index is an Int32Array of a power-of-two length whose positions hold an entry (a slot + 1) or 0;
 * each entry sits at most `probesMax` positions after its home, and a removal moves the rest of its
 * run back so that no entry is ever further from home.
 */

/** murmur3's finalizer: neighbouring numbers (a subnet's pods) land far apart in an index. */
export function mix(n: number): number {
  let h = n | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Puts `entry` (not 0) in the first empty position of `index` from `home` on, within `probesMax` positions; false when that run is full. */
/** The index size (a power of two) that holds `entries` at most half full, as the indexes here keep theirs. */
export function indexSizeFor(entries: number): number {
  let size = 2;
  while (size < entries * 2) size *= 2;
  return size;
}

export function placeInRun(index: Int32Array, home: number, entry: number, probesMax: number): boolean {
  const mask = index.length - 1;
  let at = home;
  for (let probe = 0; probe < probesMax; probe++) {
    if (index[at] === 0) {
      index[at] = entry;
      return true;
    }
    at = (at + 1) & mask;
  }
  return false;
}

/**
 * Empties the position `hole` (which holds an entry) and moves later entries of its run back into
 * the hole where their home allows, so that every entry stays reachable from its home.
 */
export function removeFromRun(index: Int32Array, hole: number, homeOf: (entry: number) => number): void {
  const mask = index.length - 1;
  let at = hole;
  for (;;) {
    at = (at + 1) & mask;
    const entry = index[at]!;
    if (entry === 0) break;
    const home = homeOf(entry);
    // The entry may fill the hole unless its home lies after the hole, up to where it sits.
    const stays = hole <= at ? home > hole && home <= at : home > hole || home <= at;
    if (stays) continue;
    index[hole] = entry;
    hole = at;
  }
  index[hole] = 0;
}

/**
 * Whether a list of non-negative numbers (below 2^53) holds one twice: one pass through an index twice
 * its size. Numbers chosen to crowd one run of the index (the hash is no secret) make it sort a copy
 * instead, so no list costs more than a sort.
 */
export function hasRepeatedNumber(values: ArrayLike<number>): boolean {
  let capacity = 16;
  while (capacity < values.length * 2) capacity *= 2;
  const seen = new Float64Array(capacity).fill(-1);
  const mask = capacity - 1;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let at = mix((value >>> 0) ^ Math.imul((value / 4294967296) | 0, 0x9e3779b1)) & mask;
    for (let probe = 0; ; probe++) {
      const held = seen[at]!;
      if (held === value) return true;
      if (held < 0) break;
      if (probe === CROWDED_RUN) return hasRepeatedNumberSorted(values);
      at = (at + 1) & mask;
    }
    seen[at] = value;
  }
  return false;
}

/** A run this long in an index at most half full is no accident. */
const CROWDED_RUN = 256;

function hasRepeatedNumberSorted(values: ArrayLike<number>): boolean {
  const sorted = Float64Array.from(values).sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return true;
  return false;
}
