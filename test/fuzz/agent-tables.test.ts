import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { objectBytes } from '../../src/model/object-size.ts';
import { ObjectStore } from '../../src/model/object-store.ts';
import { UriInterner } from '../../src/model/uri-interner.ts';
import { ResolveTable } from '../../src/opflex/resolve-table.ts';
import { fuzzParameters, hostileString } from '../support/fuzz.ts';

type StoreOperation =
  | { kind: 'replace' | 'merge' | 'adopt'; mo: ManagedObject }
  | { kind: 'delete' | 'deleteRecursive' | 'subtree'; uri: string };

/** Operations on a small pool of URIs (hostile strings among them), so that they hit the same objects and link them. */
function storeOperations(): fc.Arbitrary<[string[], StoreOperation[]]> {
  return fc.uniqueArray(hostileString(16), { minLength: 1, maxLength: 24 }).chain((pool) => {
    const uri = fc.constantFrom(...pool);
    const mo: fc.Arbitrary<ManagedObject> = fc
      .record({
        uri,
        children: fc.uniqueArray(uri, { maxLength: 4 }),
        parent: fc.option(uri, { nil: undefined }),
        value: fc.string({ maxLength: 8 }),
      })
      .map(({ uri, children, parent, value }) => ({
        subject: 'C',
        uri,
        properties: [{ name: 'v', data: value }],
        children,
        ...(parent !== undefined ? { parent_subject: 'C', parent_uri: parent, parent_relation: 'R' } : {}),
      }));
    const op: fc.Arbitrary<StoreOperation> = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('replace' as const, 'merge' as const, 'adopt' as const), mo }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'deleteRecursive' as const, 'subtree' as const), uri }) },
    );
    return fc.tuple(fc.constant(pool), fc.array(op, { maxLength: 120 }));
  });
}

function apply(store: ObjectStore, op: StoreOperation): unknown {
  switch (op.kind) {
    case 'replace':
      return store.replace(op.mo);
    case 'merge':
      return store.mergeChildren(op.mo);
    case 'adopt':
      return store.adopt(op.mo);
    case 'delete':
      return store.delete(op.uri);
    case 'deleteRecursive':
      return store.deleteRecursive(op.uri);
    case 'subtree':
      return store.subtree(op.uri);
  }
}

describe('agent tables fuzz: the compact forms answer as the Maps they replace', { timeout: 60_000 }, () => {
  it('an ObjectStore indexed by interned ids answers every operation as one indexed by a Map', () => {
    fc.assert(
      fc.property(storeOperations(), ([pool, ops]) => {
        const reference = new ObjectStore(objectBytes);
        const uris = new UriInterner();
        const interned = new ObjectStore(objectBytes, uris);
        // A second agent's store on the same numbering, fed the same objects, must not disturb the first.
        const neighbour = new ObjectStore(objectBytes, uris);
        for (const op of ops) {
          assert.deepEqual(apply(interned, op), apply(reference, op), op.kind);
          apply(neighbour, op);
          assert.equal(interned.size, reference.size);
          assert.equal(interned.bytes, reference.bytes);
        }
        // A stored object is the one given (the same instance), or the store's own copy of a parent it relinked.
        const given = new Set(ops.flatMap((op) => ('mo' in op ? [op.mo] : [])));
        for (const uri of pool) {
          const expected = reference.get(uri);
          if (expected && given.has(expected)) assert.equal(interned.get(uri), expected, 'the object given, not a copy');
          else assert.deepEqual(interned.get(uri), expected);
          assert.equal(interned.has(uri), reference.has(uri));
        }
        assert.deepEqual([...interned.uris()].sort(), [...reference.uris()].sort());
        // Emptied, the stores leave no URI held.
        for (const uri of pool) {
          interned.delete(uri);
          neighbour.delete(uri);
        }
        assert.equal(uris.size, 0);
      }),
      fuzzParameters(1000),
    );
  });

  it('a ResolveTable keeps a Map\'s insertion order and each resolve\'s fields through adds, removes and reuse', () => {
    type Op = { kind: 'add' | 'remove'; uri: string } | { kind: 'set'; uri: string; refs: number; refreshAt: number; timer: number };
    const ops = fc.uniqueArray(hostileString(12), { minLength: 1, maxLength: 40 }).chain((pool) => {
      const uri = fc.constantFrom(...pool);
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), uri }),
        fc.record({ kind: fc.constant('set' as const), uri, refs: fc.nat(1000), refreshAt: fc.integer({ min: -1, max: 2 ** 40 }), timer: fc.integer({ min: -1, max: 2 ** 40 }) }),
      );
      return fc.array(op, { maxLength: 400 });
    });
    fc.assert(
      fc.property(ops, (sequence) => {
        const uris = new UriInterner();
        const table = new ResolveTable(uris, -1);
        const model = new Map<string, { subject: string; refs: number; refreshAt: number; timer: number }>();
        let n = 0;
        for (const op of sequence) {
          const slot = table.slotOf(op.uri);
          assert.equal(slot >= 0, model.has(op.uri));
          if (op.kind === 'add' && slot < 0) {
            const subject = `S${n++}`;
            table.add(op.uri, subject);
            model.set(op.uri, { subject, refs: 0, refreshAt: -1, timer: -1 });
          } else if (op.kind === 'remove' && slot >= 0) {
            table.remove(slot);
            model.delete(op.uri);
          } else if (op.kind === 'set' && slot >= 0) {
            table.setRefs(slot, op.refs);
            table.setRefreshAt(slot, op.refreshAt);
            table.setRetryTimer(slot, op.timer);
            model.set(op.uri, { ...model.get(op.uri)!, refs: op.refs, refreshAt: op.refreshAt, timer: op.timer });
          }
        }
        const listed = Array.from(table.slotsInOrder(), (slot) => {
          const uri = table.uriOf(slot);
          return [uri, { subject: table.subjectOf(slot), refs: table.refsOf(slot), refreshAt: table.refreshAtOf(slot), timer: table.retryTimerOf(slot) }] as const;
        });
        assert.deepEqual(listed, [...model.entries()]);
        assert.equal(uris.size, model.size, 'only live resolves hold URI ids');
      }),
      fuzzParameters(1000),
    );
  });
});
