/**
 * URIs numbered by small integers, one table per twin (or per live agent), so the stores and resolve
 * tables of its agents key by an Int32 instead of holding a Map<string, ...> each: thousands of agents
 * hold the same few hundred policy URIs.
 *
 * Every holder of an id counts: an id nobody holds is forgotten and its number reused, so a live
 * agent fed endless distinct URIs by a peer keeps only the URIs it still holds. Which number a URI
 * gets depends only on the order of hold and release calls, so a deterministic run numbers alike.
 */

const INITIAL_CAPACITY = 64;

export class UriInterner {
  private readonly idsByUri = new Map<string, number>();
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

  /** The URI of a held id. */
  uriOf(id: number): string {
    const uri = this.uris[id];
    if (uri === undefined) throw new RangeError(`URI id ${id} is not held`);
    return uri;
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

  /** One holder fewer; the last one gone, the URI is forgotten and its id free for another. */
  release(id: number): void {
    const uri = this.uris[id];
    if (uri === undefined) throw new RangeError(`URI id ${id} is not held`);
    if (--this.holders[id]! > 0) return;
    this.idsByUri.delete(uri);
    if (this.lastId === id) this.lastUri = undefined;
    this.uris[id] = undefined;
    this.freeIds.push(id);
  }
}
