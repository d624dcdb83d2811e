/**
 * A session's subscriptions, URI -> expiry (whole ms, scheduler time), in about half the memory of a
 * Map<string, number>: a fabric holds two sessions per node with ~135 subscriptions each, and a Map
 * of that size doubles into 256 three-word entries plus buckets (~7 KB) where this table holds the
 * URIs in one array, the expiries in a Float64Array and an Int32Array open-addressing index (~3.3 KB).
 * Iteration is in insertion order, as a Map's: the leaf releases cached policy in that order, and
 * the order of the collection timers it schedules is part of the simulation's output.
 */
export class SubscriptionTable {
  /** Insertion order; undefined where an entry was deleted (squeezed out at the next rebuild). */
  private uris: (string | undefined)[] = [];
  private expiries = new Float64Array(0);
  /** Open addressing with linear probing: 0 empty, DELETED_SLOT, else position + 1. */
  private slots = new Int32Array(0);
  /** Positions taken in `uris`, deleted ones included. */
  private used = 0;
  private live = 0;

  constructor(private readonly hashSeed = 0) {}

  get size(): number {
    return this.live;
  }

  has(uri: string): boolean {
    return this.positionOf(uri) >= 0;
  }

  get(uri: string): number | undefined {
    const position = this.positionOf(uri);
    return position >= 0 ? this.expiries[position] : undefined;
  }

  set(uri: string, expiryMs: number): this {
    const position = this.positionOf(uri);
    if (position >= 0) {
      this.expiries[position] = expiryMs;
      return this;
    }
    if (this.used === this.uris.length) this.rebuild(this.live < this.used / 2 ? this.used : Math.max(MIN_ENTRIES, Math.ceil(this.live * ENTRY_GROWTH)));
    const at = this.used++;
    this.uris[at] = uri;
    this.expiries[at] = expiryMs;
    this.live++;
    const mask = this.slots.length - 1;
    let slot = hashOf(uri, this.hashSeed) & mask;
    while (this.slots[slot]! > 0) slot = (slot + 1) & mask;
    this.slots[slot] = at + 1;
    return this;
  }

  delete(uri: string): boolean {
    const slot = this.slotOf(uri);
    if (slot < 0) return false;
    this.uris[this.slots[slot]! - 1] = undefined;
    this.slots[slot] = DELETED_SLOT;
    this.live--;
    return true;
  }

  clear(): void {
    this.uris = [];
    this.expiries = new Float64Array(0);
    this.slots = new Int32Array(0);
    this.used = 0;
    this.live = 0;
  }

  *keys(): IterableIterator<string> {
    for (let position = 0; position < this.used; position++) {
      const uri = this.uris[position];
      if (uri !== undefined) yield uri;
    }
  }

  /** Deletes the entries whose expiry is at or before `nowMs`; returns their URIs in insertion order. */
  deleteExpired(nowMs: number): string[] {
    const dropped: string[] = [];
    for (let position = 0; position < this.used; position++) {
      const uri = this.uris[position];
      if (uri !== undefined && this.expiries[position]! <= nowMs) {
        this.delete(uri);
        dropped.push(uri);
      }
    }
    return dropped;
  }

  private positionOf(uri: string): number {
    const slot = this.slotOf(uri);
    return slot < 0 ? -1 : this.slots[slot]! - 1;
  }

  private slotOf(uri: string): number {
    const slots = this.slots;
    if (slots.length === 0) return -1;
    const mask = slots.length - 1;
    for (let slot = hashOf(uri, this.hashSeed) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot]!;
      if (entry === 0) return -1;
      if (entry > 0 && this.uris[entry - 1] === uri) return slot;
    }
  }

  /** Copies the live entries, in order, into room for `capacity` entries, and indexes them afresh. */
  private rebuild(capacity: number): void {
    const uris = new Array<string | undefined>(capacity);
    const expiries = new Float64Array(capacity);
    let slotCount = MIN_ENTRIES;
    while (slotCount * SLOT_LOAD_MAX < capacity) slotCount *= 2;
    const slots = new Int32Array(slotCount);
    const mask = slotCount - 1;
    let at = 0;
    for (let position = 0; position < this.used; position++) {
      const uri = this.uris[position];
      if (uri === undefined) continue;
      uris[at] = uri;
      expiries[at] = this.expiries[position]!;
      let slot = hashOf(uri, this.hashSeed) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = ++at;
    }
    this.uris = uris;
    this.expiries = expiries;
    this.slots = slots;
    this.used = at;
  }
}

const DELETED_SLOT = -1;
/** Entries a table makes room for first. */
const MIN_ENTRIES = 8;
/** Room grows by half of the live entries when it runs out (a Map doubles). */
const ENTRY_GROWTH = 1.5;
/** Index slots in use (live and deleted) at most this fraction of the index, so probes stay short. */
const SLOT_LOAD_MAX = 0.75;

/**
 * `seed` keeps a peer from crafting URIs that all land on one probe chain; the leaf draws it from a
 * seeded stream of its own. It decides only where entries sit in the index, never what a lookup
 * answers nor the iteration order.
 */
function hashOf(text: string, seed: number): number {
  let hash = seed ^ text.length;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x5bd1e995);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x27d4eb2d);
  return (hash ^ (hash >>> 13)) >>> 0;
}
