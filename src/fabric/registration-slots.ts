/**
 * Endpoint URIs numbered for the registries of one leaf pair: both leaves of a pair register the
 * same endpoints (an agent declares each to both), so they share one URI -> slot table, and each
 * leaf keeps what it holds in its own columns at those slots. At XL that is two million table
 * entries where a table per leaf held four million (half the memory), and the second leaf to
 * register a URI finds it where the first put it instead of adding it again.
 *
 * A URI with a number (endpoint-uri-numbers.ts: an endpoint's MAC or IPv4 address under its domain)
 * is found by its domain's id and that number in an open-addressing index: a Map keyed by the URIs
 * themselves compares each probe's string (a cache miss a probe at XL's two million), and that, not
 * hashing, was most of a steady start's registration cost. An agent's own declared objects give
 * their number without their URI being read (`slotOfDeclared`). Any other URI is kept in a Map.
 *
 * Bounded against chosen keys: a numbered URI is never further than `registrationProbesMax`
 * positions from its hash's place in the index, and a table numbers at most `endpointDomainsMax`
 * domains; a URI past either is kept in the Map instead, so a peer's choices cost a Map entry each.
 *
 * A slot stays numbered while any registry of the pair holds it; a freed slot is reused by a later
 * URI. A registry alone (a live leaf, a test) has a table of its own.
 */
import type { ManagedObject } from '../model/managed-object.ts';
import { indexSizeFor, placeInRun, removeFromRun } from '../model/linear-probing.ts';
import { copyElements } from '../model/typed-array-copy.ts';
import { EprL2Ep, EprL3Ep } from '../opflex/endpoint-objects.ts';
import { ipv4Key, mix } from './endpoint-key-map.ts';
import { macNumber, numberedPrefixEnd, numberedUriText, uriNumber } from './endpoint-uri-numbers.ts';

/** Slots at first; the holder counts double when full. */
const initialSlots = 64;
/** Registries that may share one table (a leaf pair's two, with room to spare). */
export const registriesPerTableMax = 255;
/** The slot of a URI no registry holds. */
export const NO_SLOT = -1;
/** Furthest a numbered URI sits from its home position in the index (linear probing). */
export const registrationProbesMax = 32;
/** Domains (bridge or routing domains, by URI prefix) one table numbers; later ones' URIs go to the Map. */
export const endpointDomainsMax = 65_536;

// What a slot's key column holds besides a domain id (>= 0).
/** The slot is free. */
const FREE = -1;
/** Its URI has no number: the Map has it. */
const BY_TEXT = -2;
/** Its URI has a number but the Map has it (too far from home, or its domain was not numbered). */
const NUMBERED_BY_TEXT = -3;

const TWO_32 = 2 ** 32;

interface Options {
  /** Smaller only in tests, to reach the Map fallback without crafting collisions. */
  probesMax?: number;
  domainsMax?: number;
}

export class RegistrationSlots {
  /** How many registries hold each slot (0: free). */
  private holders = new Uint8Array(initialSlots);
  /** Each slot's domain id, or FREE, BY_TEXT, NUMBERED_BY_TEXT. */
  private domains = new Int32Array(initialSlots).fill(FREE);
  /** Each numbered slot's number (a MAC or an IPv4 address). */
  private numbers = new Float64Array(initialSlots);
  private readonly freeSlots: number[] = [];
  private used = 0;

  /** Slot + 1 of each numbered URI, by hash with linear probing; 0 is an empty position. */
  private index = new Int32Array(initialSlots * 2);
  private indexed = 0;
  /** URIs without a number, and numbered ones the index could not take. */
  private readonly byUri = new Map<string, number>();
  /** Of those, how many have a number: while none does, a numbered URI missing from the index is not held. */
  private numberedByText = 0;

  /** Domain ids by prefix (`/EprL2Universe/EprL2Ep/<escaped BD>/`), and each id's prefix. */
  private readonly domainIds = new Map<string, number>();
  private readonly prefixes: string[] = [];

  private readonly probesMax: number;
  private readonly domainsMax: number;

  // The key the last numbering found (numberUri, numberDeclared): read at once, before the next.
  private keyDomain = 0;
  private keyNumber = 0;
  /** The object numberDeclared numbered last, and what it found. */
  private lastNumbered: ManagedObject | undefined;
  private lastResult = 0;
  private lastDomain = 0;
  private lastNumber = 0;

  constructor(options: Options = {}) {
    this.probesMax = options.probesMax ?? registrationProbesMax;
    this.domainsMax = options.domainsMax ?? endpointDomainsMax;
  }

  /** Slots numbered so far, free ones included: every slot is below this. */
  get highWater(): number {
    return this.used;
  }

  /** URIs held by at least one registry. */
  get size(): number {
    return this.indexed + this.byUri.size;
  }

  /** The URI's slot, or NO_SLOT. */
  slotOf(uri: string): number {
    const numbered = this.numberUri(uri, false);
    return numbered > 0 ? this.numberedSlot(uri) : this.byUri.get(uri) ?? NO_SLOT;
  }

  /** The slot of the URI of `top` (a declare's first object), or NO_SLOT; the agent's own objects are numbered without reading their URI. */
  slotOfDeclared(top: ManagedObject): number {
    const numbered = this.numberDeclared(top, false);
    return numbered > 0 ? this.numberedSlot(top) : this.byUri.get(top.uri) ?? NO_SLOT;
  }

  /**
   * One more registry holds the URI of `top` (a declare's first object): its slot. `known` is what
   * `slotOfDeclared(top)` gave, for a caller that has just asked (a steady start at XL registers four
   * million).
   */
  hold(top: ManagedObject, known = this.slotOfDeclared(top)): number {
    let slot = known;
    if (slot === NO_SLOT) {
      slot = this.freeSlots.pop() ?? this.used++;
      if (slot === this.holders.length) this.growSlots(this.holders.length * 2);
      this.key(slot, top);
    } else if (this.holders[slot] === registriesPerTableMax) {
      throw new RangeError(`more than ${registriesPerTableMax} registries hold ${top.uri}: a table is for one leaf pair`);
    }
    this.holders[slot]!++;
    return slot;
  }

  /** Makes room for `entries` slots in all (a steady start registers a pair's endpoints at once). */
  reserve(entries: number): void {
    if (entries > this.holders.length) this.growSlots(entries);
    const indexSize = indexSizeFor(entries);
    if (indexSize > this.index.length) this.rebuildIndex(indexSize);
  }

  /** A registry no longer holds the URI of `top` (its registration's first object) at `slot`; the slot is freed when none does. */
  release(slot: number, top: ManagedObject): void {
    if (--this.holders[slot]! > 0) return;
    const domain = this.domains[slot]!;
    if (domain >= 0) this.removeFromIndex(slot);
    else {
      this.byUri.delete(top.uri);
      if (domain === NUMBERED_BY_TEXT) this.numberedByText--;
    }
    this.domains[slot] = FREE;
    this.freeSlots.push(slot);
  }

  /** Keys a new slot by the URI of `top`: in the index when it has a number and fits, else in the Map. */
  private key(slot: number, top: ManagedObject): void {
    const numbered = this.numberDeclared(top, true);
    if (numbered > 0) {
      const domain = this.keyDomain;
      const value = this.keyNumber;
      if ((this.indexed + 1) * 2 > this.index.length) this.rebuildIndex(this.index.length * 2);
      this.domains[slot] = domain;
      this.numbers[slot] = value;
      if (this.place(slot)) return;
    }
    this.domains[slot] = numbered === 0 ? BY_TEXT : NUMBERED_BY_TEXT;
    if (numbered !== 0) this.numberedByText++;
    this.byUri.set(top.uri, slot);
  }

  /** The slot of the key just numbered: from the index, else from the Map when it may hold one. */
  private numberedSlot(uriOrTop: string | ManagedObject): number {
    const slot = this.indexedSlot(this.keyDomain, this.keyNumber);
    if (slot !== NO_SLOT || this.numberedByText === 0) return slot;
    return this.byUri.get(typeof uriOrTop === 'string' ? uriOrTop : uriOrTop.uri) ?? NO_SLOT;
  }

  /**
   * Numbers a URI into keyDomain/keyNumber: 1 when it has a number and its domain an id, 0 when it has
   * no number, -1 when it has one but its domain no id (not `assign`ed one, or past the bound).
   */
  private numberUri(uri: string, assign: boolean): number {
    const prefixEnd = numberedPrefixEnd(uri);
    if (prefixEnd < 0) return 0;
    const value = uriNumber(uri, prefixEnd);
    if (value < 0) return 0;
    const domain = this.domainOfPrefix(uri.slice(0, prefixEnd), assign);
    if (domain < 0) return -1;
    this.keyDomain = domain;
    this.keyNumber = value;
    return 1;
  }

  /** numberUri for a declare's first object: the agent's own EprL2Ep and EprL3Ep from their MAC or IP and domain. */
  private numberDeclared(top: ManagedObject, assign: boolean): number {
    // A declare numbers its first object three times (each leaf asks, the first one holds it): once
    // is enough. A number found stays right (objects and domain ids do not change); "no domain id"
    // may not, once one is assigned.
    if (top === this.lastNumbered && this.lastResult >= 0) {
      this.keyDomain = this.lastDomain;
      this.keyNumber = this.lastNumber;
      return this.lastResult;
    }
    const result = this.numberDeclaredAfresh(top, assign);
    this.lastNumbered = top;
    this.lastResult = result;
    this.lastDomain = this.keyDomain;
    this.lastNumber = this.keyNumber;
    return result;
  }

  private numberDeclaredAfresh(top: ManagedObject, assign: boolean): number {
    let value: number;
    let domain: number;
    // Their URI is their domain's prefix and the escaped MAC or IP (endpoint-objects.ts).
    if (top instanceof EprL2Ep) {
      value = macNumber(top.endpoint.mac);
      if (value < 0) return 0;
      domain = this.domainOfPrefix(top.prefix, assign);
    } else if (top instanceof EprL3Ep) {
      value = ipv4Key(top.ip);
      if (value < 0) return 0;
      domain = this.domainOfPrefix(top.prefix, assign);
    } else return this.numberUri(top.uri, assign);
    if (domain < 0) return -1;
    this.keyDomain = domain;
    this.keyNumber = value;
    return 1;
  }

  private domainOfPrefix(prefix: string, assign: boolean): number {
    const known = this.domainIds.get(prefix);
    if (known !== undefined || !assign || this.prefixes.length >= this.domainsMax) return known ?? -1;
    const id = this.prefixes.length;
    this.prefixes.push(prefix);
    this.domainIds.set(prefix, id);
    return id;
  }

  private home(domain: number, value: number): number {
    const low = value >>> 0;
    const high = (value / TWO_32) | 0;
    return mix(low ^ mix(Math.imul(domain, 0x9e3779b1) ^ high)) & (this.index.length - 1);
  }

  private indexedSlot(domain: number, value: number): number {
    const index = this.index;
    const mask = index.length - 1;
    let at = this.home(domain, value);
    for (let probe = 0; probe < this.probesMax; probe++) {
      const entry = index[at]!;
      if (entry === 0) return NO_SLOT;
      if (this.numbers[entry - 1] === value && this.domains[entry - 1] === domain) return entry - 1;
      at = (at + 1) & mask;
    }
    return NO_SLOT;
  }

  /** Puts a numbered slot in the index (which has room) within probesMax of its home; false when that run is full. */
  private place(slot: number): boolean {
    if (!placeInRun(this.index, this.home(this.domains[slot]!, this.numbers[slot]!), slot + 1, this.probesMax)) return false;
    this.indexed++;
    return true;
  }

  /** Removes an indexed slot, moving later entries of its run back so that none is further from home. */
  private removeFromIndex(slot: number): void {
    const index = this.index;
    const mask = index.length - 1;
    let hole = this.home(this.domains[slot]!, this.numbers[slot]!);
    for (let probe = 0; index[hole] !== slot + 1; probe++) {
      if (probe === this.probesMax) throw new Error(`registration slot ${slot} is missing from its index`);
      hole = (hole + 1) & mask;
    }
    removeFromRun(index, hole, this.homeOfEntry);
    this.indexed--;
  }

  /** The home of an index entry (slot + 1). */
  private readonly homeOfEntry = (entry: number): number => this.home(this.domains[entry - 1]!, this.numbers[entry - 1]!);

  /** Indexes every numbered slot again in an index of `capacity` positions (those too far from home join the Map). */
  private rebuildIndex(capacity: number): void {
    this.index = new Int32Array(capacity);
    this.indexed = 0;
    for (let slot = 0; slot < this.used; slot++) {
      const domain = this.domains[slot]!;
      if (domain < 0 || this.place(slot)) continue;
      this.domains[slot] = NUMBERED_BY_TEXT;
      this.numberedByText++;
      this.byUri.set(numberedUriText(this.prefixes[domain]!, this.numbers[slot]!), slot);
    }
  }

  private growSlots(capacity: number): void {
    const holders = new Uint8Array(capacity);
    copyElements(holders, this.holders, this.used);
    const domains = new Int32Array(capacity).fill(FREE);
    copyElements(domains, this.domains, this.used);
    const numbers = new Float64Array(capacity);
    copyElements(numbers, this.numbers, this.used);
    this.holders = holders;
    this.domains = domains;
    this.numbers = numbers;
  }
}
