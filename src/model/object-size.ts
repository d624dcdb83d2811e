/**
 * An estimate of the memory a managed object holds (its strings at two bytes a character, plus a
 * fixed cost per object, property, child and value), for stores that keep a byte budget. Objects
 * are immutable (see ObjectStore) and shared, so each one is measured once.
 */
import type { ManagedObject, PropertyData } from './managed-object.ts';

const OBJECT_BYTES = 120;
const ENTRY_BYTES = 32;
const VALUE_BYTES = 16;

const measured = new WeakMap<ManagedObject, number>();

export function objectBytes(mo: ManagedObject): number {
  let bytes = measured.get(mo);
  if (bytes !== undefined) return bytes;
  bytes = OBJECT_BYTES + 2 * (mo.subject.length + mo.uri.length);
  if (mo.parent_uri !== undefined) bytes += 2 * (mo.parent_uri.length + (mo.parent_subject?.length ?? 0) + (mo.parent_relation?.length ?? 0));
  for (const child of mo.children) bytes += ENTRY_BYTES + 2 * child.length;
  for (const p of mo.properties) bytes += ENTRY_BYTES + 2 * p.name.length + dataBytes(p.data);
  measured.set(mo, bytes);
  return bytes;
}

function dataBytes(data: PropertyData): number {
  if (typeof data === 'string') return VALUE_BYTES + 2 * data.length;
  if (typeof data !== 'object') return VALUE_BYTES;
  if (Array.isArray(data)) {
    let bytes = ENTRY_BYTES;
    for (const d of data) bytes += dataBytes(d);
    return bytes;
  }
  return ENTRY_BYTES + 2 * (data.subject.length + data.reference_uri.length);
}
