/**
 * An agent's declared endpoints in the order first declared: for each, its objects, one list per
 * endpoint_declare (the endpoint is the first list's EprL2Ep, built by EndpointObjectFactory). A list
 * rather than a Map by uuid: the agents of an XL fabric hold a million, and a uuid string and a Map
 * entry each cost more than the endpoint's list does. The index by uuid is made at the first question
 * by uuid (a pod added or removed after the start), from the endpoints themselves; it behaves as the
 * Map would (a re-declared endpoint keeps its place, one removed and declared again goes last).
 *
 * An endpoint's lists are kept in two columns rather than in an array of their own: its first list
 * (the EprL2Ep and its attribute set), and the rest, which for a pod with one IP is its one EprL3Ep
 * list. The array `get` and `values` give is made when asked (a million arrays of two kept cost 64
 * bytes each at XL).
 */
import type { ManagedObject } from '../model/managed-object.ts';
import { endpointOfDeclared } from './endpoint-objects.ts';

type Declared = ManagedObject[][];
/** What follows an endpoint's first list: nothing, its one other list, or (two or more) the lists. */
type Rest = ManagedObject[] | ManagedObject[][] | undefined;

/** Below this many positions the columns are never compacted. */
const compactFrom = 16;

/** The endpoint at `at` of these columns, as declared (a new array). */
function declaredAt(heads: readonly (ManagedObject[] | undefined)[], rests: readonly Rest[], at: number): Declared | undefined {
  const head = heads[at];
  if (head === undefined) return undefined;
  const rest = rests[at];
  if (rest === undefined) return [head];
  // A list of objects holds no arrays; a list of lists only arrays (two or more).
  return Array.isArray(rest[0]) ? [head, ...(rest as ManagedObject[][])] : [head, rest as ManagedObject[]];
}

function restOf(declared: Declared): Rest {
  if (declared.length <= 1) return undefined;
  return declared.length === 2 ? declared[1] : declared.slice(1);
}

export class DeclaredEndpoints {
  /** In the order first declared; undefined where one was removed. */
  private heads: (ManagedObject[] | undefined)[] = [];
  private rests: Rest[] = [];
  private live = 0;
  private byUuid: Map<string, number> | undefined;

  get size(): number {
    return this.live;
  }

  get(uuid: string): Declared | undefined {
    const at = this.index().get(uuid);
    return at === undefined ? undefined : declaredAt(this.heads, this.rests, at);
  }

  /** Declares the endpoint, or replaces what it declared (keeping its place). */
  set(uuid: string, declared: Declared): void {
    const index = this.index();
    const at = index.get(uuid);
    if (at !== undefined) {
      this.put(at, declared);
      return;
    }
    index.set(uuid, this.heads.length);
    this.put(this.heads.length, declared);
    this.live++;
  }

  /**
   * Declares an endpoint that is not declared yet, without asking by uuid: a steady start declares
   * each pod of its node once (the scenario's pod names are distinct), and a million uuid strings
   * would be made only to be kept.
   */
  add(declared: Declared): void {
    this.byUuid?.set(endpointOfDeclared(declared).uuid, this.heads.length);
    this.put(this.heads.length, declared);
    this.live++;
  }

  delete(uuid: string): boolean {
    const index = this.index();
    const at = index.get(uuid);
    if (at === undefined) return false;
    index.delete(uuid);
    this.heads[at] = undefined;
    this.rests[at] = undefined;
    this.live--;
    if (this.heads.length >= compactFrom && this.live <= this.heads.length / 2) this.compact();
    return true;
  }

  /** In the order first declared. */
  *values(): IterableIterator<Declared> {
    // The columns read when the walk starts: a compaction makes new ones.
    const { heads, rests } = this;
    for (let at = 0; at < heads.length; at++) if (heads[at] !== undefined) yield declaredAt(heads, rests, at)!;
  }

  /** Gives back the spare room the columns grew into (after a steady start has added its node's pods). */
  fitToSize(): void {
    if (this.heads.length === this.live) {
      this.heads = this.heads.slice();
      this.rests = this.rests.slice();
    } else this.compact();
  }

  private put(at: number, declared: Declared): void {
    if (declared.length === 0) throw new RangeError('an endpoint declares at least one list of objects');
    this.heads[at] = declared[0];
    this.rests[at] = restOf(declared);
  }

  private index(): Map<string, number> {
    if (this.byUuid === undefined) {
      const byUuid = new Map<string, number>();
      this.heads.forEach((head, at) => {
        if (head !== undefined) byUuid.set(endpointOfDeclared([head]).uuid, at);
      });
      this.byUuid = byUuid;
    }
    return this.byUuid;
  }

  private compact(): void {
    const heads = new Array<ManagedObject[] | undefined>(this.live);
    const rests = new Array<Rest>(this.live);
    let to = 0;
    for (let at = 0; at < this.heads.length; at++) {
      if (this.heads[at] === undefined) continue;
      heads[to] = this.heads[at];
      rests[to++] = this.rests[at];
    }
    this.heads = heads;
    this.rests = rests;
    if (this.byUuid !== undefined) {
      this.byUuid = undefined;
      this.index();
    }
  }
}
