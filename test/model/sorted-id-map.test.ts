import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SortedIdMap } from '../../src/model/sorted-id-map.ts';
import { fuzzParameters } from '../support/fuzz.ts';

describe('SortedIdMap', { timeout: 30_000 }, () => {
  it('finds, replaces and deletes values by id, listing them in id order', () => {
    const map = new SortedIdMap<string>();
    for (const id of [40, 3, 17, 0, 99]) assert.equal(map.set(id, `v${id}`), true);
    assert.equal(map.set(17, 'again'), false, 'a known id is replaced, not added');
    assert.equal(map.size, 5);
    assert.deepEqual([...map.ids()], [0, 3, 17, 40, 99]);
    assert.deepEqual([...map.values()], ['v0', 'v3', 'again', 'v40', 'v99']);
    assert.equal(map.get(40), 'v40');
    assert.equal(map.get(41), undefined);
    assert.equal(map.delete(3), true);
    assert.equal(map.delete(3), false);
    assert.equal(map.has(3), false);
    assert.deepEqual([...map.ids()], [0, 17, 40, 99]);
  });

  it('grows past its first capacity and shrinks back when emptied, keeping every entry', () => {
    const map = new SortedIdMap<number>();
    const ids = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1009);
    for (const id of ids) map.set(id, id * 2);
    assert.equal(map.size, 1000);
    for (const id of ids) assert.equal(map.get(id), id * 2);
    const listed = [...map.ids()];
    assert.deepEqual(listed, [...listed].sort((a, b) => a - b));
    for (const id of ids.slice(0, 990)) map.delete(id);
    assert.deepEqual([...map.ids()], ids.slice(990).sort((a, b) => a - b));
    assert.deepEqual([...map.values()], ids.slice(990).sort((a, b) => a - b).map((id) => id * 2));
  });

  it('keeps every entry through a trim and takes inserts after it', () => {
    const map = new SortedIdMap<string>();
    for (let id = 0; id < 100; id += 3) map.set(id, `v${id}`);
    map.trim();
    assert.equal(map.size, 34);
    for (let id = 0; id < 100; id += 3) assert.equal(map.get(id), `v${id}`);
    map.set(1, 'v1');
    map.set(200, 'v200');
    assert.deepEqual([...map.ids()].slice(0, 3), [0, 1, 3]);
    assert.equal(map.get(200), 'v200');
  });

  it('takes a burst of inserts into reserved room, in id order, and trims back after', () => {
    const map = new SortedIdMap<number>();
    map.reserve(500);
    for (let id = 999; id >= 0; id -= 2) map.set(id, id);
    assert.equal(map.size, 500);
    assert.deepEqual([...map.ids()].slice(0, 3), [1, 3, 5]);
    map.trim();
    for (let id = 1; id < 1000; id += 2) assert.equal(map.get(id), id);
  });

  it('answers as a Map does, in id order, under any mix of reserves, sets, deletes and trims', () => {
    const operation = fc.oneof(
      fc.record({ op: fc.constant('set' as const), id: fc.nat(300), value: fc.nat() }),
      fc.record({ op: fc.constant('delete' as const), id: fc.nat(300) }),
      fc.record({ op: fc.constant('reserve' as const), id: fc.nat(600) }),
      fc.record({ op: fc.constant('trim' as const) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400 }), (operations) => {
        const map = new SortedIdMap<number>();
        const reference = new Map<number, number>();
        for (const o of operations) {
          if (o.op === 'set') {
            assert.equal(map.set(o.id, o.value), !reference.has(o.id));
            reference.set(o.id, o.value);
          } else if (o.op === 'delete') assert.equal(map.delete(o.id), reference.delete(o.id));
          else if (o.op === 'reserve') map.reserve(o.id);
          else map.trim();
        }
        const ids = [...reference.keys()].sort((a, b) => a - b);
        assert.deepEqual([...map.ids()], ids);
        assert.deepEqual([...map.values()], ids.map((id) => reference.get(id)));
      }),
      fuzzParameters(200),
    );
  });
});
