/**
 * fast-check generators of managed-object batches: well-formed trees (what every source may send),
 * the same trees with one defect each, and random object graphs (cycles, strangers, shared children).
 */
import fc from 'fast-check';
import type { ManagedObject, PropertyData } from '../../src/model/managed-object.ts';
import { escapeUriComponent } from '../../src/model/uri.ts';
import { hostileJson, hostileString } from './fuzz.ts';

const CLASS = fc.constantFrom('FuzzThing', 'FuzzPart', 'FuzzLeaf');

/** Property data that every source must accept: strings, exact integers, references, short vectors. */
function goodData(uris: readonly string[]): fc.Arbitrary<PropertyData> {
  const scalar = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.boolean(),
    fc.constantFrom(...uris).map((uri) => ({ subject: 'FuzzThing', reference_uri: uri })),
  );
  return fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) });
}

/** A well-formed tree: each object's uri extends its parent's, parents list children, parent triples agree. */
export function wellFormedTree(maxObjects = 12): fc.Arbitrary<ManagedObject[]> {
  return fc
    .record({
      root: fc.string({ minLength: 1, maxLength: 8 }),
      nodes: fc.array(fc.record({ parent: fc.nat(), subject: CLASS, name: hostileString(10) }), { maxLength: maxObjects - 1 }),
    })
    .chain(({ root, nodes }) => {
      const objects: ManagedObject[] = [{ subject: 'FuzzRoot', uri: `/${escapeUriComponent(root)}/`, properties: [], children: [] }];
      nodes.forEach((n, i) => {
        const parent = objects[n.parent % objects.length]!;
        const uri = `${parent.uri}${n.subject}/${escapeUriComponent(n.name)}-${i}/`;
        parent.children.push(uri);
        objects.push({ subject: n.subject, uri, properties: [], children: [], parent_subject: parent.subject, parent_uri: parent.uri, parent_relation: n.subject });
      });
      const uris = objects.map((o) => o.uri);
      return fc.tuple(...objects.map(() => fc.uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), data: goodData(uris) }), { maxLength: 4, selector: (p) => p.name }))).map((props) =>
        objects.map((o, i) => ({ ...o, properties: props[i]! })),
      );
    });
}

/** One defect that makes a batch ill-formed, applied to a copy. */
export const DEFECTS: Record<string, (objects: ManagedObject[], pick: number) => unknown[]> = {
  selfChild: (o, k) => replaceAt(o, k, (m) => ({ ...m, children: [...m.children, m.uri] })),
  ancestorChild: (o, k) => {
    const child = o.find((m, i) => i > 0 && i >= k % o.length) ?? o[o.length - 1]!;
    return o.map((m) => (m === child ? { ...m, children: [...m.children, o[0]!.uri] } : m));
  },
  strangerChild: (o, k) => replaceAt(o, k, (m) => ({ ...m, children: [...m.children, '/Elsewhere/x/'] })),
  childrenNull: (o, k) => replaceAt(o, k, (m) => ({ ...m, children: null })),
  deepData: (o, k) => replaceAt(o, k, (m) => ({ ...m, properties: [{ name: 'deep', data: [[[[['x']]]]] }] })),
  fractional: (o, k) => replaceAt(o, k, (m) => ({ ...m, properties: [{ name: 'f', data: 0.5 }] })),
  lossyInteger: (o, k) => replaceAt(o, k, (m) => ({ ...m, properties: [{ name: 'big', data: 2 ** 64 }] })),
  wrongRelation: (o, k) => replaceAt(o, Math.max(1, k), (m) => ({ ...m, parent_relation: 'Other' })),
  wrongParentSubject: (o, k) => replaceAt(o, Math.max(1, k), (m) => ({ ...m, parent_subject: 'Other' })),
  duplicateUri: (o, k) => [...o, o[k % o.length]],
  unknownField: (o, k) => replaceAt(o, k, (m) => ({ ...m, colour: 'red' })),
};

function replaceAt(objects: ManagedObject[], k: number, change: (mo: ManagedObject) => unknown): unknown[] {
  const at = objects.length === 1 ? 0 : k % objects.length;
  return objects.map((m, i) => (i === at ? change(m) : m));
}

/** A defect that applies to the tree (the parent triple exists only below the root). */
export function defective(): fc.Arbitrary<{ defect: string; objects: unknown[] }> {
  return fc.record({ tree: wellFormedTree(), defect: fc.constantFrom(...Object.keys(DEFECTS)), pick: fc.nat() })
    .filter(({ tree, defect }) => tree.length > 1 || !['ancestorChild', 'wrongRelation', 'wrongParentSubject'].includes(defect))
    .map(({ tree, defect, pick }) => ({ defect, objects: DEFECTS[defect]!(tree, pick) }));
}

/** Objects linked at random over a small pool of uris: cycles, self-links, shared and missing children. */
export function randomGraph(): fc.Arbitrary<unknown[]> {
  const pool = ['/a/', '/a/b/', '/a/b/c/', '/a/d/', '/e/', '/a/b/c/d/'];
  const uri = fc.constantFrom(...pool);
  return fc.array(
    fc.record(
      {
        subject: fc.oneof(CLASS, fc.constantFrom('PlatformConfig', 'GbpEpGroup')),
        uri,
        properties: fc.oneof(fc.constant([]), fc.array(fc.record({ name: fc.string({ maxLength: 4 }), data: hostileJson(3) }), { maxLength: 3 })),
        children: fc.array(uri, { maxLength: 4 }),
        parent_subject: CLASS,
        parent_uri: uri,
        parent_relation: CLASS,
      },
      { requiredKeys: ['subject', 'uri', 'properties', 'children'] },
    ),
    { maxLength: 6 },
  );
}
