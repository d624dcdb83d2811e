import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TypedArraySlab } from '../../src/model/typed-array-slab.ts';

describe('TypedArraySlab: small typed arrays cut from shared buffers', { timeout: 30_000 }, () => {
  it('gives zeroed arrays of the length asked, each its own room, doubles 8-byte aligned', () => {
    const slab = new TypedArraySlab();
    const arrays = [slab.int32(3), slab.float64(5), slab.int32(1), slab.float64(2)];
    assert.deepEqual(arrays.map((a) => a.length), [3, 5, 1, 2]);
    for (const a of arrays) {
      assert.ok(a.every((v) => v === 0));
      assert.equal(a.byteOffset % 8, 0);
      a.fill(7);
    }
    assert.deepEqual([...arrays[0]!], [7, 7, 7], 'writing one array leaves the others as they were');
    assert.deepEqual([...arrays[2]!], [7]);
    assert.equal(arrays[0]!.buffer, arrays[1]!.buffer, 'small arrays share a buffer');
  });

  it('starts a new buffer when the current one is full, and gives a large array a buffer of its own', () => {
    const slab = new TypedArraySlab();
    const first = slab.int32(60_000);
    const second = slab.int32(60_000);
    const third = slab.int32(60_000);
    const fourth = slab.int32(60_000);
    const fifth = slab.int32(60_000);
    assert.equal(first.buffer, fourth.buffer);
    assert.notEqual(fifth.buffer, first.buffer, '5 x 240,000 bytes do not fit one 1 MiB buffer');
    assert.deepEqual([second, third].map((a) => a.buffer === first.buffer), [true, true]);
    const large = slab.float64(100_000);
    assert.equal(large.byteOffset, 0);
    assert.equal(large.buffer.byteLength, 800_000);
  });
});
