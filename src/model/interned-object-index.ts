/**
 * An object store's index keyed by interned URI ids (UriInterner) in a SortedIdMap: what an agent's
 * store uses, a third of the memory of a Map<string, ManagedObject> at the few hundred objects an
 * agent holds. Each stored URI holds its id until the object is removed. Iterates in id order.
 */
import type { ManagedObject } from './managed-object.ts';
import { SortedIdMap } from './sorted-id-map.ts';
import type { TypedArraySlab } from './typed-array-slab.ts';
import type { UriInterner } from './uri-interner.ts';

export class InternedObjectIndex {
  private readonly objects = new SortedIdMap<ManagedObject>();

  constructor(private readonly uris: UriInterner) {}

  get size(): number {
    return this.objects.size;
  }

  get(uri: string): ManagedObject | undefined {
    const id = this.uris.idOf(uri);
    return id < 0 ? undefined : this.objects.get(id);
  }

  has(uri: string): boolean {
    const id = this.uris.idOf(uri);
    return id >= 0 && this.objects.has(id);
  }

  set(uri: string, mo: ManagedObject): void {
    const id = this.uris.idOf(uri);
    if (id < 0) this.objects.set(this.uris.hold(uri), mo);
    // Held by someone else until now: this store holds it too.
    else if (this.objects.set(id, mo)) this.uris.hold(uri);
  }

  /** `set` of a URI not in the index, known by its id (held by someone already). */
  addById(id: number, mo: ManagedObject): void {
    this.objects.set(id, mo);
    this.uris.holdId(id);
  }

  delete(uri: string): boolean {
    const id = this.uris.idOf(uri);
    if (id < 0 || !this.objects.delete(id)) return false;
    this.uris.release(id);
    return true;
  }

  reserve(entries: number, slab?: TypedArraySlab): void {
    this.objects.reserve(entries, slab);
  }

  trim(): void {
    this.objects.trim();
  }

  *keys(): IterableIterator<string> {
    for (const id of this.objects.ids()) yield this.uris.uriOf(id);
  }

  values(): IterableIterator<ManagedObject> {
    return this.objects.values();
  }
}
