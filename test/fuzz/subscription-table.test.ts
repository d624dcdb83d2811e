import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SubscriptionTable } from '../../src/opflex/subscription-table.ts';
import { UriInterner } from '../../src/model/uri-interner.ts';
import { fuzzParameters, hostileString } from '../support/fuzz.ts';

type Operation = { kind: 'set'; uri: string; expiry: number } | { kind: 'delete'; uri: string } | { kind: 'expire'; now: number } | { kind: 'clear' };

/** The reference the table must match: a Map, its insertion order included. */
function applyToMap(map: Map<string, number>, op: Operation): unknown {
  switch (op.kind) {
    case 'set':
      map.set(op.uri, op.expiry);
      return undefined;
    case 'delete':
      return map.delete(op.uri);
    case 'expire': {
      const dropped: string[] = [];
      for (const [uri, expiry] of map) if (expiry <= op.now) dropped.push(uri);
      for (const uri of dropped) map.delete(uri);
      return dropped;
    }
    case 'clear':
      map.clear();
      return undefined;
  }
}

function applyToTable(table: SubscriptionTable, op: Operation): unknown {
  switch (op.kind) {
    case 'set':
      table.set(op.uri, op.expiry);
      return undefined;
    case 'delete':
      return table.delete(op.uri);
    case 'expire':
      return table.deleteExpired(op.now);
    case 'clear':
      table.clear();
      return undefined;
  }
}

/** One operation on a URI of the pool: mostly sets, then deletes, now and then an expiry or a clear. */
function operationOn(pool: readonly string[]): fc.Arbitrary<Operation> {
  const uri = fc.constantFrom(...pool);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), uri, expiry: fc.integer({ min: 0, max: 10_000 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), uri }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), now: fc.integer({ min: 0, max: 10_000 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  );
}

describe('SubscriptionTable fuzz: any sequence of operations answers as a Map', { timeout: 60_000 }, () => {
  it('matches a Map in lookups, size, order and expiry', () => {
    // A small pool of URIs (hostile strings among them) so that operations hit the same entries.
    const operations = fc.array(hostileString(24), { minLength: 1, maxLength: 40 }).chain((pool) => {
      const op = operationOn(pool);
      return fc.tuple(fc.constant(pool), fc.array(op, { maxLength: 300 }));
    });
    fc.assert(
      fc.property(operations, ([pool, ops]) => {
        const table = new SubscriptionTable();
        const map = new Map<string, number>();
        for (const op of ops) {
          assert.deepEqual(applyToTable(table, op), applyToMap(map, op));
          assert.equal(table.size, map.size);
        }
        assert.deepEqual([...table.keys()], [...map.keys()]);
        for (const uri of pool) assert.equal(table.get(uri), map.get(uri));
      }),
      fuzzParameters(200),
    );
  });
});

describe('SubscriptionTable fuzz: a leaf\'s sessions sharing one UriInterner', { timeout: 60_000 }, () => {
  it('each table answers as its own Map, and the shared numbers hold exactly the URIs some table has', () => {
    const sessions = 4;
    const operations = fc.array(hostileString(24), { minLength: 1, maxLength: 30 }).chain((pool) => {
      const op = operationOn(pool);
      return fc.tuple(fc.constant(pool), fc.array(fc.tuple(fc.integer({ min: 0, max: sessions - 1 }), op), { maxLength: 300, size: 'medium' }));
    });
    const collect = (globalThis as { gc?: () => void }).gc;
    collect?.();
    const before = process.memoryUsage();
    let tried = 0;
    let applied = 0;
    fc.assert(
      fc.property(operations, ([pool, ops]) => {
        tried++;
        applied += ops.length;
        const uris = new UriInterner();
        const tables = Array.from({ length: sessions }, (_, i) => new SubscriptionTable(i * 7919, uris));
        const maps = Array.from({ length: sessions }, () => new Map<string, number>());
        for (const [session, op] of ops) {
          assert.deepEqual(applyToTable(tables[session]!, op), applyToMap(maps[session]!, op));
          const subscribed = new Set(maps.flatMap((m) => [...m.keys()]));
          assert.equal(uris.size, subscribed.size);
        }
        for (let i = 0; i < sessions; i++) {
          assert.deepEqual([...tables[i]!.keys()], [...maps[i]!.keys()]);
          for (const uri of pool) assert.equal(tables[i]!.get(uri), maps[i]!.get(uri));
          tables[i]!.clear();
        }
        assert.equal(uris.size, 0, 'every number freed once no table holds it');
      }),
      fuzzParameters(150),
    );
    collect?.();
    const after = process.memoryUsage();
    const mib = (n: number) => (n / 1048576).toFixed(1);
    console.log(`subscription-table fuzz: ${tried} runs of ${sessions} sharing tables, ${applied} operations; after every table was cleared: RSS ${mib(after.rss - before.rss)} MiB, heap ${mib(after.heapUsed - before.heapUsed)} MiB more${collect ? ' (after GC)' : ' (no --expose-gc)'}`);
  });
});
