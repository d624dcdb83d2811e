/**
 * A store of managed objects with libopflex's update semantics (engine/MOSerializer):
 * - replace: properties replaced; existing children not listed are removed, recursively;
 * - merge_children: properties replaced; children only added;
 * - delete: the object alone (not recursive), unlinked from its parent.
 * A received object is linked into its parent's children when the parent is present.
 *
 * Objects are immutable once stored: the store keeps the objects it is given (the same object is
 * shared by APIC, leaf caches, messages and agents) and never changes one in place; a parent whose
 * children list must change is replaced by a copy.
 *
 * Objects are validated before they get here (policy-validation.ts), yet no walk trusts that: a
 * subtree lists each object once however the child lists are linked, and removals use a stack of
 * their own, so a cycle or a very deep chain ends instead of looping or overflowing.
 */
import { InternedObjectIndex } from './interned-object-index.ts';
import type { ManagedObject } from './managed-object.ts';
import type { TypedArraySlab } from './typed-array-slab.ts';
import type { UriInterner } from './uri-interner.ts';

/** Estimates the memory an object holds, for a store that keeps a budget. */
type ObjectSizer = (mo: ManagedObject) => number;

/** Where a store finds its objects by URI: a Map, or an InternedObjectIndex. */
interface ObjectIndex {
  readonly size: number;
  get(uri: string): ManagedObject | undefined;
  has(uri: string): boolean;
  set(uri: string, mo: ManagedObject): unknown;
  delete(uri: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<ManagedObject>;
  trim?(): void;
  reserve?(entries: number, slab?: TypedArraySlab): void;
}

/** `put` without the object it replaces: looked up if the store keeps a byte count. */
const NOT_KNOWN = Symbol('not known');

export class ObjectStore {
  private readonly objects: ObjectIndex;
  private heldBytes = 0;

  /**
   * With a sizer, `bytes` sums the estimated size of the objects held. With `uris`, objects are
   * indexed by interned URI ids (compact, for the many stores of a fabric's agents) and `uris()` and
   * `values()` list them in id order; without, in insertion order.
   */
  constructor(
    private readonly sizer?: ObjectSizer,
    uris?: UriInterner,
  ) {
    this.objects = uris ? new InternedObjectIndex(uris) : new Map<string, ManagedObject>();
  }

  get size(): number {
    return this.objects.size;
  }

  /** Estimated bytes held (0 without a sizer). */
  get bytes(): number {
    return this.heldBytes;
  }

  has(uri: string): boolean {
    return this.objects.has(uri);
  }

  get(uri: string): ManagedObject | undefined {
    return this.objects.get(uri);
  }

  uris(): IterableIterator<string> {
    return this.objects.keys();
  }

  values(): IterableIterator<ManagedObject> {
    return this.objects.values();
  }

  /** Makes room for `objects` in all where the index keeps room (before a steady start's burst of inserts), from `slab` when given. */
  reserve(objects: number, slab?: TypedArraySlab): void {
    this.objects.reserve?.(objects, slab);
  }

  /** Gives back spare room in the index after a burst of inserts (a steady start's), where the index keeps any. */
  trim(): void {
    this.objects.trim?.();
  }

  /** Inserts or replaces; returns the URIs removed because they were no longer listed as children. */
  replace(mo: ManagedObject): string[] {
    const removed: string[] = [];
    const existing = this.objects.get(mo.uri);
    if (existing) {
      const keep = new Set(mo.children);
      for (const child of existing.children) if (!keep.has(child)) this.removeRecursive(child, removed);
    }
    // What is stored under the URI now (a removal above may have taken it, in a cycle no walk trusts away).
    this.put(mo, removed.length === 0 ? existing : this.objects.get(mo.uri));
    this.linkToParent(mo);
    return removed;
  }

  /**
   * `replace` of each object of `objects`, for objects of which the store holds none, each after the
   * first with its parent earlier in the list listing it, the first's parent not held: nothing to
   * remove or link, so only the index and the byte count change. `ids` are the objects' interned ids
   * (held by the caller), `bytes` their estimated size. Only for a store indexed by interned ids.
   */
  addDisjoint(objects: readonly ManagedObject[], ids: Int32Array, bytes: number): void {
    const index = this.objects;
    if (!(index instanceof InternedObjectIndex)) throw new Error('addDisjoint needs a store indexed by interned URI ids');
    for (let i = 0; i < objects.length; i++) index.addById(ids[i]!, objects[i]!);
    if (this.sizer) this.heldBytes += bytes;
  }

  /** Stores the object as it is, without linking it into its parent. */
  adopt(mo: ManagedObject): void {
    this.put(mo);
  }

  mergeChildren(mo: ManagedObject): void {
    const existing = this.objects.get(mo.uri);
    let merged = mo;
    if (existing) {
      const known = new Set(mo.children);
      const extra = existing.children.filter((c) => !known.has(c));
      if (extra.length > 0) merged = { ...mo, children: [...extra, ...mo.children] };
    }
    this.put(merged, existing);
    this.linkToParent(mo);
  }

  /** Removes one object (not its children); true when it was present. */
  delete(uri: string): boolean {
    const mo = this.objects.get(uri);
    if (!mo) return false;
    this.take(mo);
    this.unlinkFromParent(mo);
    return true;
  }

  /** Removes an object and everything below it; returns the URIs removed, parents first. */
  deleteRecursive(uri: string): string[] {
    const removed: string[] = [];
    const mo = this.objects.get(uri);
    this.removeRecursive(uri, removed);
    if (mo) this.unlinkFromParent(mo);
    return removed;
  }

  /** The object and its present descendants, pre-order (parents before children), as stored; each once. */
  subtree(uri: string): ManagedObject[] {
    const out: ManagedObject[] = [];
    const root = this.objects.get(uri);
    if (!root) return out;
    const stack: ManagedObject[] = [root];
    while (stack.length > 0) {
      const mo = stack.pop()!;
      out.push(mo);
      // More entries than the store holds: some object was reached twice (children linked in a
      // cycle or a diamond). Walk again, remembering what was visited.
      if (out.length > this.objects.size) return this.subtreeVisitingOnce(root);
      for (let i = mo.children.length - 1; i >= 0; i--) {
        const child = this.objects.get(mo.children[i]!);
        if (child) stack.push(child);
      }
    }
    return out;
  }

  private subtreeVisitingOnce(root: ManagedObject): ManagedObject[] {
    const out: ManagedObject[] = [];
    const visited = new Set<string>();
    const stack: ManagedObject[] = [root];
    while (stack.length > 0) {
      const mo = stack.pop()!;
      if (visited.has(mo.uri)) continue;
      visited.add(mo.uri);
      out.push(mo);
      for (let i = mo.children.length - 1; i >= 0; i--) {
        const child = this.objects.get(mo.children[i]!);
        if (child && !visited.has(child.uri)) stack.push(child);
      }
    }
    return out;
  }

  /** Removes `uri` and everything below it, parents first; each object is gone before its children are visited. */
  private removeRecursive(uri: string, removed: string[]): void {
    const stack = [uri];
    while (stack.length > 0) {
      const mo = this.objects.get(stack.pop()!);
      if (!mo) continue;
      this.take(mo);
      removed.push(mo.uri);
      for (let i = mo.children.length - 1; i >= 0; i--) stack.push(mo.children[i]!);
    }
  }

  /** Stores `mo` in place of `old`, what the store holds under its URI (looked up when not known). */
  private put(mo: ManagedObject, old: ManagedObject | undefined | typeof NOT_KNOWN = NOT_KNOWN): void {
    if (this.sizer) {
      const previous = old === NOT_KNOWN ? this.objects.get(mo.uri) : old;
      if (previous) this.heldBytes -= this.sizer(previous);
      this.heldBytes += this.sizer(mo);
    }
    this.objects.set(mo.uri, mo);
  }

  private take(mo: ManagedObject): void {
    if (this.sizer) this.heldBytes -= this.sizer(mo);
    this.objects.delete(mo.uri);
  }

  private linkToParent(mo: ManagedObject): void {
    if (!mo.parent_uri || mo.parent_uri === mo.uri) return;
    const parent = this.objects.get(mo.parent_uri);
    if (parent && !parent.children.includes(mo.uri)) this.put({ ...parent, children: [...parent.children, mo.uri] }, parent);
  }

  private unlinkFromParent(mo: ManagedObject): void {
    if (!mo.parent_uri) return;
    const parent = this.objects.get(mo.parent_uri);
    if (parent?.children.includes(mo.uri)) this.put({ ...parent, children: parent.children.filter((c) => c !== mo.uri) }, parent);
  }
}
