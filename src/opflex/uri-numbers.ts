/**
 * The URIs a leaf's sessions subscribe to, each under a small number while any session holds it.
 * A fabric subscribes the same few thousand policy URIs from every node behind a leaf (two sessions
 * per node, ~135 subscriptions each): each session's table keeps numbers (4 bytes) instead of string
 * references (8 bytes each, and in live serving a string of its own per parsed request), and a
 * lookup hashes the URI once per leaf rather than once per session table.
 *
 * A number is held by the session tables that contain it (counted) and freed when the last one lets
 * it go, so the table never outgrows what the sessions subscribe (each of them bounded by
 * subscriptionsPerSessionMax). Numbers only say where entries sit; nothing iterates in their order.
 */
export class UriNumbers {
  private readonly numbers = new Map<string, number>();
  /** By number; undefined where the number is free. */
  private uris: (string | undefined)[] = [];
  /** By number: how many session tables hold it. */
  private holders = new Int32Array(INITIAL_NUMBERS);
  /** Freed numbers, reused last freed first. */
  private free: number[] = [];

  /** URIs held by at least one table. */
  get size(): number {
    return this.numbers.size;
  }

  numberOf(uri: string): number | undefined {
    return this.numbers.get(uri);
  }

  uriOf(number: number): string {
    return this.uris[number]!;
  }

  /** How many tables hold the number (0 when it is free). */
  holdersOf(number: number): number {
    return number < this.holders.length ? this.holders[number]! : 0;
  }

  /** One more table holds the URI: its number, assigned when no table held it. */
  hold(uri: string): number {
    let number = this.numbers.get(uri);
    if (number === undefined) {
      number = this.free.length > 0 ? this.free.pop()! : this.uris.length;
      if (number >= this.holders.length) {
        const wider = new Int32Array(this.holders.length * 2);
        wider.set(this.holders);
        this.holders = wider;
      }
      this.numbers.set(uri, number);
      this.uris[number] = uri;
    }
    this.holders[number]!++;
    return number;
  }

  /** One table fewer holds the number; the last one frees it. */
  release(number: number): void {
    if (--this.holders[number]! > 0) return;
    this.numbers.delete(this.uris[number]!);
    if (this.numbers.size === 0) {
      // Nothing held: give back the room a flood of subscriptions may have made.
      this.uris = [];
      this.holders = new Int32Array(INITIAL_NUMBERS);
      this.free = [];
      return;
    }
    this.uris[number] = undefined;
    this.free.push(number);
  }
}

/** Numbers made room for first; the count column doubles when full. */
const INITIAL_NUMBERS = 64;
