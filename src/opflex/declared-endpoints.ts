/**
 * An agent's declared endpoints in the order first declared: for each, its objects, one list per
 * endpoint_declare (the endpoint is the first list's EprL2Ep, built by EndpointObjectFactory). A list
 * rather than a Map by uuid: the agents of an XL fabric hold a million, and a uuid string and a Map
 * entry each cost more than the endpoint's list does. The index by uuid is made at the first question
 * by uuid (a pod added or removed after the start), from the endpoints themselves; it behaves as the
 * Map would (a re-declared endpoint keeps its place, one removed and declared again goes last).
 */
import type { ManagedObject } from '../model/managed-object.ts';
import { endpointOfDeclared } from './endpoint-objects.ts';

type Declared = ManagedObject[][];

/** Below this many positions the list is never compacted. */
const compactFrom = 16;

export class DeclaredEndpoints {
  /** In the order first declared; undefined where one was removed. */
  private lists: (Declared | undefined)[] = [];
  private live = 0;
  private byUuid: Map<string, number> | undefined;

  get size(): number {
    return this.live;
  }

  get(uuid: string): Declared | undefined {
    const at = this.index().get(uuid);
    return at === undefined ? undefined : this.lists[at];
  }

  /** Declares the endpoint, or replaces what it declared (keeping its place). */
  set(uuid: string, declared: Declared): void {
    const index = this.index();
    const at = index.get(uuid);
    if (at !== undefined) {
      this.lists[at] = declared;
      return;
    }
    index.set(uuid, this.lists.length);
    this.lists.push(declared);
    this.live++;
  }

  /**
   * Declares an endpoint that is not declared yet, without asking by uuid: a steady start declares
   * each pod of its node once (the scenario's pod names are distinct), and a million uuid strings
   * would be made only to be kept.
   */
  add(declared: Declared): void {
    this.byUuid?.set(endpointOfDeclared(declared).uuid, this.lists.length);
    this.lists.push(declared);
    this.live++;
  }

  delete(uuid: string): boolean {
    const index = this.index();
    const at = index.get(uuid);
    if (at === undefined) return false;
    index.delete(uuid);
    this.lists[at] = undefined;
    this.live--;
    if (this.lists.length >= compactFrom && this.live <= this.lists.length / 2) this.compact();
    return true;
  }

  /** In the order first declared. */
  *values(): IterableIterator<Declared> {
    // The array read when the walk starts: a compaction makes a new one.
    for (const declared of this.lists) if (declared !== undefined) yield declared;
  }

  /** Gives back the spare room the list grew into (after a steady start has added its node's pods). */
  fitToSize(): void {
    if (this.lists.length === this.live) this.lists = this.lists.slice();
    else this.compact();
  }

  private index(): Map<string, number> {
    if (this.byUuid === undefined) {
      const byUuid = new Map<string, number>();
      this.lists.forEach((declared, at) => {
        if (declared !== undefined) byUuid.set(endpointOfDeclared(declared).uuid, at);
      });
      this.byUuid = byUuid;
    }
    return this.byUuid;
  }

  private compact(): void {
    const lists = new Array<Declared>(this.live);
    let to = 0;
    for (const declared of this.lists) if (declared !== undefined) lists[to++] = declared;
    this.lists = lists;
    if (this.byUuid !== undefined) {
      this.byUuid = undefined;
      this.index();
    }
  }
}
