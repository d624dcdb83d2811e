/**
 * A session's subscriptions, URI -> expiry (whole ms, scheduler time), in a fraction of the memory of
 * a Map<string, number>: a fabric holds two sessions per node with ~135 subscriptions each. The URIs
 * are numbered by an interner the leaf's sessions share (UriInterner): an entry is its number and its
 * expiry, found through an open-addressing index; the numbers and the index share one Int32Array
 * (one allocation per table and per growth: a fabric has tens of thousands of tables). While every entry
 * expires at the same time (a steady start subscribes them all at once; a session renews them
 * together) that time is kept once; the first entry with another expiry gives each its own.
 * Iteration is in insertion order, as a Map's: the leaf releases cached policy in that order, and
 * the order of the collection timers it schedules is part of the simulation's output.
 */
import type { TypedArraySlab } from '../model/typed-array-slab.ts';
import { UriInterner } from '../model/uri-interner.ts';

export class SubscriptionTable {
  /**
   * [0, capacity): URI numbers in insertion order, NO_ENTRY where an entry was deleted (squeezed out
   * at the next rebuild). [capacity, end): the index, open addressing with linear probing over a power
   * of two of slots: 0 empty, DELETED_SLOT, else position + 1.
   */
  private cells: Int32Array = new Int32Array(0);
  private capacity = 0;
  /** Index slots less one (their count is a power of two); -1 while there is no index. */
  private slotMask = -1;
  /** Each position's expiry; undefined while every live entry expires at `sharedExpiryMs`. */
  private expiries: Float64Array | undefined;
  private sharedExpiryMs = 0;
  /** Positions taken, deleted ones included. */
  private used = 0;
  private live = 0;

  /**
   * `uris` numbers the URIs (the leaf shares one among its sessions, the simulation one among all
   * leaves and agents; an interner of its own where not given). `hashSeed` keeps a peer from crafting subscriptions that all land on one probe chain; the
   * leaf draws it from a seeded stream of its own. It decides only where entries sit in the index,
   * never what a lookup answers nor the iteration order.
   */
  constructor(
    private readonly hashSeed = 0,
    private readonly uris: UriInterner = new UriInterner(),
  ) {}

  get size(): number {
    return this.live;
  }

  has(uri: string): boolean {
    return this.positionOf(uri) >= 0;
  }

  get(uri: string): number | undefined {
    const position = this.positionOf(uri);
    return position >= 0 ? this.expiryAt(position) : undefined;
  }

  set(uri: string, expiryMs: number): this {
    this.add(uri, expiryMs);
    return this;
  }

  /**
   * Sets the URI's expiry, as `set`; true when the table did not have it (one lookup where has + set
   * take two). `uriId` is the URI's id in this table's UriInterner for a caller that holds it there
   * (a steady start's agent: five million subscriptions at XL), -1 to look it up.
   */
  add(uri: string, expiryMs: number, uriId = -1): boolean {
    const known = uriId >= 0 ? uriId : this.uris.idOfUncached(uri);
    const position = known < 0 ? -1 : this.positionOfNumber(known);
    if (position >= 0) {
      this.setExpiry(position, expiryMs);
      return false;
    }
    if (this.used === this.capacity) this.rebuild(this.live < this.used / 2 ? this.used : Math.max(MIN_ENTRIES, Math.ceil(this.live * ENTRY_GROWTH)));
    // Known already (a policy URI some agent holds, nearly always): held by its id, not looked up again.
    let number = known;
    if (number >= 0) this.uris.holdId(number);
    else number = this.uris.hold(uri);
    const at = this.used++;
    const cells = this.cells;
    cells[at] = number;
    this.live++;
    this.setExpiry(at, expiryMs);
    const index = this.capacity;
    const mask = this.slotMask;
    let slot = hashOf(number, this.hashSeed) & mask;
    while (cells[index + slot]! > 0) slot = (slot + 1) & mask;
    cells[index + slot] = at + 1;
    return true;
  }

  /** Makes room for `entries` in all (a steady start subscribes a session to all it will hold at once), from `slab` when given. */
  reserve(entries: number, slab?: TypedArraySlab): void {
    if (entries > this.capacity) this.rebuild(entries, slab);
  }

  delete(uri: string): boolean {
    const number = this.uris.idOfUncached(uri);
    const slot = number < 0 ? -1 : this.slotOf(number);
    if (slot < 0) return false;
    const cells = this.cells;
    cells[cells[this.capacity + slot]! - 1] = NO_ENTRY;
    cells[this.capacity + slot] = DELETED_SLOT;
    this.uris.release(number);
    if (--this.live === 0) this.expiries = undefined;
    return true;
  }

  clear(): void {
    for (let position = 0; position < this.used; position++) {
      const number = this.cells[position]!;
      if (number !== NO_ENTRY) this.uris.release(number);
    }
    this.cells = new Int32Array(0);
    this.capacity = 0;
    this.slotMask = -1;
    this.expiries = undefined;
    this.used = 0;
    this.live = 0;
  }

  *keys(): IterableIterator<string> {
    for (let position = 0; position < this.used; position++) {
      const number = this.cells[position]!;
      if (number !== NO_ENTRY) yield this.uris.uriOf(number);
    }
  }

  /** Deletes the entries whose expiry is at or before `nowMs`; returns their URIs in insertion order. */
  deleteExpired(nowMs: number): string[] {
    if (this.live === 0 || (this.expiries === undefined && this.sharedExpiryMs > nowMs)) return [];
    const dropped: string[] = [];
    for (let position = 0; position < this.used; position++) {
      const number = this.cells[position]!;
      if (number === NO_ENTRY || this.expiryAt(position) > nowMs) continue;
      const uri = this.uris.uriOf(number);
      this.delete(uri);
      dropped.push(uri);
    }
    return dropped;
  }

  private expiryAt(position: number): number {
    return this.expiries === undefined ? this.sharedExpiryMs : this.expiries[position]!;
  }

  /** Sets the expiry of a live position, giving each entry its own when it differs from the shared one. */
  private setExpiry(position: number, expiryMs: number): void {
    if (this.expiries !== undefined) {
      this.expiries[position] = expiryMs;
    } else if (this.live === 1) {
      this.sharedExpiryMs = expiryMs;
    } else if (expiryMs !== this.sharedExpiryMs) {
      const expiries = new Float64Array(this.capacity);
      expiries.fill(this.sharedExpiryMs, 0, this.used);
      expiries[position] = expiryMs;
      this.expiries = expiries;
    }
  }

  private positionOf(uri: string): number {
    const number = this.uris.idOfUncached(uri);
    return number < 0 ? -1 : this.positionOfNumber(number);
  }

  private positionOfNumber(number: number): number {
    const slot = this.slotOf(number);
    return slot < 0 ? -1 : this.cells[this.capacity + slot]! - 1;
  }

  private slotOf(number: number): number {
    const mask = this.slotMask;
    if (mask < 0) return -1;
    const cells = this.cells;
    const index = this.capacity;
    for (let slot = hashOf(number, this.hashSeed) & mask; ; slot = (slot + 1) & mask) {
      const entry = cells[index + slot]!;
      if (entry === 0) return -1;
      if (entry > 0 && cells[entry - 1] === number) return slot;
    }
  }

  /** Copies the live entries, in order, into room for `capacity` entries, and indexes them afresh. */
  private rebuild(capacity: number, slab?: TypedArraySlab): void {
    let slotCount = MIN_ENTRIES;
    while (slotCount * SLOT_LOAD_MAX < capacity) slotCount *= 2;
    const cells = slab ? slab.int32(capacity + slotCount) : new Int32Array(capacity + slotCount);
    const expiries = this.expiries === undefined ? undefined : new Float64Array(capacity);
    const mask = slotCount - 1;
    let at = 0;
    for (let position = 0; position < this.used; position++) {
      const number = this.cells[position]!;
      if (number === NO_ENTRY) continue;
      cells[at] = number;
      if (expiries !== undefined) expiries[at] = this.expiries![position]!;
      let slot = hashOf(number, this.hashSeed) & mask;
      while (cells[capacity + slot] !== 0) slot = (slot + 1) & mask;
      cells[capacity + slot] = ++at;
    }
    this.cells = cells;
    this.capacity = capacity;
    this.slotMask = mask;
    this.expiries = expiries;
    this.used = at;
  }
}

/** A deleted position among the numbers (URI numbers are never negative). */
const NO_ENTRY = -1;
const DELETED_SLOT = -1;
/** Entries a table makes room for first. */
const MIN_ENTRIES = 8;
/** Room grows by half of the live entries when it runs out (a Map doubles). */
const ENTRY_GROWTH = 1.5;
/** Index slots in use (live and deleted) at most this fraction of the index, so probes stay short. */
const SLOT_LOAD_MAX = 0.75;

/** Where a URI number goes in the index: a seeded multiplicative hash, mixed so the low bits vary. */
function hashOf(number: number, seed: number): number {
  let hash = Math.imul(number ^ seed, 0x9e3779b1);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x27d4eb2d);
  return (hash ^ (hash >>> 13)) >>> 0;
}
