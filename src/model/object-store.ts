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
 */
import type { ManagedObject } from './managed-object.ts';

export class ObjectStore {
  private readonly objects = new Map<string, ManagedObject>();

  get size(): number {
    return this.objects.size;
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

  /** Inserts or replaces; returns the URIs removed because they were no longer listed as children. */
  replace(mo: ManagedObject): string[] {
    const removed: string[] = [];
    const existing = this.objects.get(mo.uri);
    if (existing) {
      const keep = new Set(mo.children);
      for (const child of existing.children) if (!keep.has(child)) this.removeRecursive(child, removed);
    }
    this.objects.set(mo.uri, mo);
    this.linkToParent(mo);
    return removed;
  }

  /** Stores the object as it is, without linking it into its parent. */
  adopt(mo: ManagedObject): void {
    this.objects.set(mo.uri, mo);
  }

  mergeChildren(mo: ManagedObject): void {
    const existing = this.objects.get(mo.uri);
    let merged = mo;
    if (existing) {
      const known = new Set(mo.children);
      const extra = existing.children.filter((c) => !known.has(c));
      if (extra.length > 0) merged = { ...mo, children: [...extra, ...mo.children] };
    }
    this.objects.set(mo.uri, merged);
    this.linkToParent(mo);
  }

  /** Removes one object (not its children); true when it was present. */
  delete(uri: string): boolean {
    const mo = this.objects.get(uri);
    if (!mo) return false;
    this.objects.delete(uri);
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

  /** The object and its present descendants, pre-order (parents before children), as stored. */
  subtree(uri: string): ManagedObject[] {
    const out: ManagedObject[] = [];
    const root = this.objects.get(uri);
    if (!root) return out;
    const stack: ManagedObject[] = [root];
    while (stack.length > 0) {
      const mo = stack.pop()!;
      out.push(mo);
      for (let i = mo.children.length - 1; i >= 0; i--) {
        const child = this.objects.get(mo.children[i]!);
        if (child) stack.push(child);
      }
    }
    return out;
  }

  private removeRecursive(uri: string, removed: string[]): void {
    const mo = this.objects.get(uri);
    if (!mo) return;
    this.objects.delete(uri);
    removed.push(uri);
    for (const child of mo.children) this.removeRecursive(child, removed);
  }

  private linkToParent(mo: ManagedObject): void {
    if (!mo.parent_uri) return;
    const parent = this.objects.get(mo.parent_uri);
    if (parent && !parent.children.includes(mo.uri)) this.objects.set(parent.uri, { ...parent, children: [...parent.children, mo.uri] });
  }

  private unlinkFromParent(mo: ManagedObject): void {
    if (!mo.parent_uri) return;
    const parent = this.objects.get(mo.parent_uri);
    if (parent?.children.includes(mo.uri)) this.objects.set(parent.uri, { ...parent, children: parent.children.filter((c) => c !== mo.uri) });
  }
}
