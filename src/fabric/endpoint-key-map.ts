/**
 * A Map from endpoint keys (an endpoint's IP address, as COOP and the EPM key it) to values, for the
 * fabric's largest tables: COOP knows every endpoint of its pod and each leaf every endpoint behind
 * its pair, a million and two million at XL. A key that is an IPv4 address in its usual spelling is
 * kept as a 32-bit number in an open-addressing index instead of in a Map entry that points at its
 * string; any other key (IPv6, a MAC, "10.0.0.01") goes to an ordinary Map beside it.
 *
 * It behaves as a Map: entries iterate in insertion order (a key set again keeps its place, a key
 * deleted and set again goes last; entries added while iterating are visited, deleted ones are not),
 * and a key reads back as the same text. Entries live in slots taken in insertion order; a deleted
 * one leaves a dead slot until the slots are full, when they are compacted (never while iterating).
 *
 * Bounded against chosen keys: an IPv4 key is never further than `probesMax` positions from where
 * its hash puts it in the index; one that would be goes to the Map instead, so addresses a peer
 * picks to collide cost a Map entry each, never a long scan.
 */
import { ipv4Number } from './pod-ip-owners.ts';
import { indexSizeFor, mix, placeInRun, removeFromRun } from '../model/linear-probing.ts';
import { copyElements } from '../model/typed-array-copy.ts';

const FREE = 0;
const IPV4 = 1;
const OTHER = 2;

/** Slots and index positions at first. */
const initialSlots = 16;
/** Furthest an IPv4 key sits from its home position in the index (linear probing). */
export const probesMax = 32;

/** The number of an IPv4 key in its usual spelling (no leading zeros), or -1 for any other key. */
export function ipv4Key(key: string): number {
  const length = key.length;
  if (length < 7 || length > 15) return -1;
  const n = ipv4Number(key);
  if (n === undefined) return -1;
  // Leading zeros are the only other spelling ipv4Number accepts, and they make the text longer.
  return length === octetDigits(n >>> 24) + octetDigits((n >>> 16) & 255) + octetDigits((n >>> 8) & 255) + octetDigits(n & 255) + 3 ? n : -1;
}

function octetDigits(octet: number): number {
  return octet < 10 ? 1 : octet < 100 ? 2 : 3;
}

/** An IPv4 address's usual spelling. */
export function ipv4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export { mix };

export class EndpointKeyMap<V> {
  // Slot columns, in insertion order.
  private states = new Uint8Array(initialSlots);
  private addresses = new Uint32Array(initialSlots);
  private slotValues: (V | undefined)[] = [];
  /** The text of OTHER slots (made at the first such key). */
  private texts: (string | undefined)[] | undefined;
  private slotsUsed = 0;
  private live = 0;

  /** Slot + 1 of each IPv4 key, by hash with linear probing; 0 is an empty position. */
  private index = new Int32Array(initialSlots * 2);
  private indexed = 0;
  /** Keys that are not IPv4 in the usual spelling, or were too far from home: their slot. */
  private others: Map<string, number> | undefined;
  private iterators = 0;

  get size(): number {
    return this.live;
  }

  get(key: string): V | undefined {
    const slot = this.slotOf(key);
    return slot < 0 ? undefined : this.slotValues[slot];
  }

  has(key: string): boolean {
    return this.slotOf(key) >= 0;
  }

  set(key: string, value: V): this {
    const n = ipv4Key(key);
    const existing = n >= 0 ? this.indexedSlot(n) : -1;
    if (existing >= 0) {
      this.slotValues[existing] = value;
      return this;
    }
    const other = this.others?.get(key);
    if (other !== undefined) {
      this.slotValues[other] = value;
      return this;
    }
    const slot = this.takeSlot();
    this.slotValues[slot] = value;
    this.live++;
    if (n >= 0 && this.addToIndex(n, slot)) {
      this.states[slot] = IPV4;
      this.addresses[slot] = n;
    } else this.keepAsText(slot, key);
    return this;
  }

  /** Makes room for `entries` in all, so that filling it (a steady start's million endpoints) grows nothing on the way. */
  reserve(entries: number): void {
    if (entries > this.states.length) this.growSlots(entries);
    const indexSize = indexSizeFor(entries);
    if (indexSize > this.index.length) this.rebuildIndex(indexSize);
  }

  delete(key: string): boolean {
    const n = ipv4Key(key);
    let slot = n >= 0 ? this.indexedSlot(n) : -1;
    if (slot >= 0) this.removeFromIndex(n);
    else {
      slot = this.others?.get(key) ?? -1;
      if (slot < 0) return false;
      this.others!.delete(key);
      this.texts![slot] = undefined;
    }
    this.states[slot] = FREE;
    this.slotValues[slot] = undefined;
    this.live--;
    return true;
  }

  clear(): void {
    this.states = new Uint8Array(initialSlots);
    this.addresses = new Uint32Array(initialSlots);
    this.slotValues = [];
    this.texts = undefined;
    this.slotsUsed = 0;
    this.live = 0;
    this.index = new Int32Array(initialSlots * 2);
    this.indexed = 0;
    this.others = undefined;
  }

  *entries(): IterableIterator<[string, V]> {
    for (const slot of this.liveSlots()) yield [this.states[slot] === IPV4 ? ipv4Text(this.addresses[slot]!) : this.texts![slot]!, this.slotValues[slot]!];
  }

  /** The values alone: no key text is made. */
  *values(): IterableIterator<V> {
    for (const slot of this.liveSlots()) yield this.slotValues[slot]!;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** The live slots in insertion order; no compaction moves them while a walk is under way. */
  private *liveSlots(): IterableIterator<number> {
    this.iterators++;
    try {
      // The columns and the slot count are read afresh each step: the map may change between steps.
      for (let slot = 0; slot < this.slotsUsed; slot++) if (this.states[slot] !== FREE) yield slot;
    } finally {
      this.iterators--;
    }
  }

  private slotOf(key: string): number {
    const n = ipv4Key(key);
    if (n >= 0) {
      const slot = this.indexedSlot(n);
      if (slot >= 0) return slot;
    }
    return this.others?.get(key) ?? -1;
  }

  private home(n: number): number {
    return mix(n) & (this.index.length - 1);
  }

  /** The home of an index entry (slot + 1). */
  private readonly homeOfEntry = (entry: number): number => this.home(this.addresses[entry - 1]!);

  private indexedSlot(n: number): number {
    const index = this.index;
    const mask = index.length - 1;
    const addresses = this.addresses;
    let at = this.home(n);
    for (let probe = 0; probe < probesMax; probe++) {
      const entry = index[at]!;
      if (entry === 0) return -1;
      if (addresses[entry - 1] === n) return entry - 1;
      at = (at + 1) & mask;
    }
    return -1;
  }

  /** Indexes `n` (not indexed yet) at `slot`; false when its home run is full, `probesMax` long. */
  private addToIndex(n: number, slot: number): boolean {
    if ((this.indexed + 1) * 2 > this.index.length) this.rebuildIndex(this.index.length * 2);
    return this.place(n, slot);
  }

  /** Removes indexed `n`, moving later entries of its run back so that none is further from home. */
  private removeFromIndex(n: number): void {
    const index = this.index;
    const mask = index.length - 1;
    const addresses = this.addresses;
    let hole = this.home(n);
    while (addresses[index[hole]! - 1] !== n) hole = (hole + 1) & mask;
    removeFromRun(index, hole, this.homeOfEntry);
    this.indexed--;
  }

  /** The next slot in insertion order: compacting the dead ones when full, or growing. */
  private takeSlot(): number {
    if (this.slotsUsed === this.states.length) {
      if (this.iterators === 0 && this.live <= this.slotsUsed / 2) this.compact();
      else this.growSlots(this.states.length * 2);
    }
    return this.slotsUsed++;
  }

  private growSlots(capacity: number): void {
    const states = new Uint8Array(capacity);
    copyElements(states, this.states, this.slotsUsed);
    const addresses = new Uint32Array(capacity);
    copyElements(addresses, this.addresses, this.slotsUsed);
    this.states = states;
    this.addresses = addresses;
  }

  /** Moves the live slots to the front, in order, and indexes them again. */
  private compact(): void {
    const { states, addresses, slotValues: values, texts } = this;
    let to = 0;
    for (let from = 0; from < this.slotsUsed; from++) {
      const state = states[from]!;
      if (state === FREE) continue;
      states[to] = state;
      addresses[to] = addresses[from]!;
      values[to] = values[from];
      if (texts) texts[to] = texts[from];
      to++;
    }
    states.fill(FREE, to, this.slotsUsed);
    values.length = to;
    if (texts) texts.length = to;
    this.slotsUsed = to;
    this.rebuildIndex(this.index.length);
  }

  /** Indexes every slot again in an index of `capacity` positions (IPv4 keys too far from home join the Map). */
  private rebuildIndex(capacity: number): void {
    this.index = new Int32Array(capacity);
    this.indexed = 0;
    this.others = undefined;
    for (let slot = 0; slot < this.slotsUsed; slot++) {
      const state = this.states[slot];
      if (state === IPV4) {
        if (!this.place(this.addresses[slot]!, slot)) this.keepAsText(slot, ipv4Text(this.addresses[slot]!));
      } else if (state === OTHER) this.keepAsText(slot, this.texts![slot]!);
    }
  }

  /** Puts `n` in the index (which has room) within `probesMax` of its home; false when that run is full. */
  private place(n: number, slot: number): boolean {
    if (!placeInRun(this.index, this.home(n), slot + 1, probesMax)) return false;
    this.indexed++;
    return true;
  }

  private keepAsText(slot: number, text: string): void {
    this.states[slot] = OTHER;
    (this.texts ??= [])[slot] = text;
    (this.others ??= new Map()).set(text, slot);
  }
}
