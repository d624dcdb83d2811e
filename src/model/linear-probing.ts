/**
 * The two halves of an open-addressing index with linear probing that the fabric's largest tables
 * share (EndpointKeyMap, RegistrationSlots): an index is an Int32Array of a power-of-two length whose
 * positions hold an entry (a slot + 1) or 0; each entry sits at most `probesMax` positions after its
 * home, and a removal moves the rest of its run back so that no entry is ever further from home.
 */

/** Puts `entry` (not 0) in the first empty position of `index` from `home` on, within `probesMax` positions; false when that run is full. */
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
