/**
 * Managed objects in the libopflex wire shape (MOSerializer): the same object is stored, served and
 * sent, so field names follow the wire (`parent_subject`, `reference_uri`).
 */

export interface Reference {
  subject: string;
  reference_uri: string;
}

/** Property data as typed on the wire: strings, integers (bigint past 2^53), enum names, references, vectors. */
export type PropertyData = string | number | bigint | boolean | Reference | PropertyData[];

export interface Property {
  name: string;
  data: PropertyData;
}

export interface ManagedObject {
  subject: string;
  uri: string;
  properties: Property[];
  children: string[];
  parent_subject?: string;
  parent_uri?: string;
  parent_relation?: string;
}

export function isReference(data: unknown): data is Reference {
  return (
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data) &&
    'subject' in data &&
    typeof data.subject === 'string' &&
    'reference_uri' in data &&
    typeof data.reference_uri === 'string'
  );
}

export function property(mo: ManagedObject, name: string): PropertyData | undefined {
  for (const p of mo.properties) if (p.name === name) return p.data;
  return undefined;
}

/** Every reference an object's properties hold, scalar or inside vectors, in property order. */
export function referencesOf(mo: ManagedObject): Reference[] {
  const out: Reference[] = [];
  for (const p of mo.properties) collectReferences(p.data, out);
  return out;
}

function collectReferences(data: PropertyData, out: Reference[]): void {
  if (typeof data !== 'object') return;
  if (Array.isArray(data)) {
    for (const d of data) collectReferences(d, out);
  } else if (isReference(data)) {
    out.push(data);
  }
}
