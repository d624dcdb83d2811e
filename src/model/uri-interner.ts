/**
 * URIs numbered by small integers, one table per simulated twin (its agents and leaves) or per live
 * agent or leaf, so agent stores, resolve tables and leaf session subscription tables key by an Int32
 * instead of holding a Map<string, ...> each: thousands of agents and sessions hold the same few
 * hundred policy URIs.
 *
 * Every holder of an id counts: an id nobody holds is forgotten and its number reused, so a live
 * agent or leaf fed endless distinct URIs by a peer keeps only the URIs it still holds, and once
 * nothing is held it gives back the room a flood made. Which number a URI gets depends only on the
 * order of hold and release calls, so a deterministic run numbers alike.
 */

const INITIAL_CAPACITY = 64;

export class UriInterner {
  private idsByUri = new Map<string, number>();
  private uris: (string | undefined)[] = [];
  private holders = new Int32Array(INITIAL_CAPACITY);
  /** Forgotten ids, reused last-freed first. */
  private freeIds: number[] = [];
  /**
   * The URI last looked up and its id (-1: not held): a store asks for the same URI several times in
   * a row (get, replace, link), and a lookup in a Map of a fabric's URIs is a cache miss each.
   */
  private lastUri: string | undefined;
  private lastId = -1;

  /** URIs currently held. */
  get size(): number {
    return this.idsByUri.size;
  }

  /** The URI's id, or -1 when nobody holds it. */
  idOf(uri: string): number {
    if (uri === this.lastUri) return this.lastId;
    const id = this.idsByUri.get(uri) ?? -1;
    this.lastUri = uri;
    this.lastId = id;
    return id;
  }

  /**
   * idOf without the last-lookup memo, for callers whose lookups rarely repeat the previous URI: a
   * leaf's session tables, asked with a freshly parsed string per request, where comparing it with
   * the memo costs more than it saves (about 10 ns a lookup, a sixth of a subscription's cost).
   */
  idOfUncached(uri: string): number {
    return this.idsByUri.get(uri) ?? -1;
  }

  /** The URI of a held id. */
  uriOf(id: number): string {
    const uri = this.uris[id];
    if (uri === undefined) throw new RangeError(`URI id ${id} is not held`);
    return uri;
  }

  /** How many holders the id has (0 when it is free). */
  holdersOf(id: number): number {
    return id >= 0 && id < this.holders.length ? this.holders[id]! : 0;
  }

  /** The URI's id with one more holder (a new id when nobody held it). */
  hold(uri: string): number {
    let id = this.idOf(uri);
    if (id < 0) {
      id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.uris.length;
      if (id === this.uris.length) this.uris.push(uri);
      else this.uris[id] = uri;
      if (id >= this.holders.length) {
        const grown = new Int32Array(this.holders.length * 2);
        grown.set(this.holders);
        this.holders = grown;
      }
      this.idsByUri.set(uri, id);
      this.lastId = id;
    }
    this.holders[id]!++;
    return id;
  }

  /** One more holder of an id someone holds already (as `hold` of its URI, without the lookup). */
  holdId(id: number): void {
    if (this.uris[id] === undefined) throw new RangeError(`URI id ${id} is not held`);
    this.holders[id]!++;
  }

  /** One holder fewer; the last one gone, the URI is forgotten and its id free for another. */
  release(id: number): void {
    const uri = this.uris[id];
    if (uri === undefined) throw new RangeError(`URI id ${id} is not held`);
    if (--this.holders[id]! > 0) return;
    this.idsByUri.delete(uri);
    if (this.lastId === id) this.lastUri = undefined;
    if (this.idsByUri.size === 0) {
      // Nothing held: give back the room a flood of URIs may have made.
      this.idsByUri = new Map();
      this.uris = [];
      this.holders = new Int32Array(INITIAL_CAPACITY);
      this.freeIds = [];
      return;
    }
    this.uris[id] = undefined;
    this.freeIds.push(id);
  }
}
