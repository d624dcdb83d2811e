import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomStreams } from '../../src/kernel/random.ts';

const draws = (s: { next(): number }, n: number) => Array.from({ length: n }, () => s.next());

describe('RandomStreams', { timeout: 120_000 }, () => {
  it('gives the same sequence for the same root seed and stream name', () => {
    assert.deepEqual(draws(new RandomStreams(7).stream('leaf:leaf-101'), 50), draws(new RandomStreams(7).stream('leaf:leaf-101'), 50));
  });

  it('gives different sequences for different seeds or names', () => {
    const a = draws(new RandomStreams(7).stream('x'), 10);
    assert.notDeepEqual(a, draws(new RandomStreams(8).stream('x'), 10));
    assert.notDeepEqual(a, draws(new RandomStreams(7).stream('y'), 10));
  });

  it('keeps streams independent: drawing from one does not shift another', () => {
    const streams = new RandomStreams(3);
    const expected = draws(new RandomStreams(3).stream('b'), 20);
    draws(streams.stream('a'), 1000);
    assert.deepEqual(draws(streams.stream('b'), 20), expected);
  });

  it('samples every distribution inside its bounds', () => {
    const s = new RandomStreams(1).stream('d');
    for (let i = 0; i < 2000; i++) {
      const u = s.sample({ kind: 'uniform', minMs: 10, maxMs: 20 });
      assert.ok(u >= 10 && u <= 20);
      assert.ok(s.sample({ kind: 'normal', meanMs: 5, sdMs: 10, minMs: 0 }) >= 0);
      assert.ok(s.sample({ kind: 'lognormal', medianMs: 100, sigma: 2, maxMs: 500 }) <= 500);
      const e = s.sample({ kind: 'exponential', meanMs: 50, maxMs: 400 });
      assert.ok(e >= 0 && e <= 400);
    }
    assert.equal(s.sample({ kind: 'fixed', valueMs: 42 }), 42);
  });

  it('draws uniform values whose mean is near the middle', () => {
    const s = new RandomStreams(99).stream('mean');
    let sum = 0;
    for (let i = 0; i < 20000; i++) sum += s.next();
    assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
  });
});
