/**
 * The loader's repeat check (pod names, IPs and MACs of a million pods) against sorting, including
 * numbers chosen to crowd one run of its index, where it must fall back to sorting rather than scan.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hasRepeatedNumber, mix } from '../../src/model/linear-probing.ts';
import { fuzzParameters, fuzzTimeoutMs } from '../support/fuzz.ts';

const sortedRepeat = (values: number[]) => values.some((v, i) => values.indexOf(v) !== i);

/** `count` numbers whose hash puts them all at one home of an index of `capacity` positions. */
function crowding(count: number, capacity: number): number[] {
  const out: number[] = [];
  for (let n = 1; out.length < count; n++) if ((mix(n) & (capacity - 1)) === 0) out.push(n);
  return out;
}

describe('hasRepeatedNumber', { timeout: fuzzTimeoutMs(60_000) }, () => {
  it('answers as a sort would, for numbers up to 2^53', () => {
    const value = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 0xffffffff }), fc.maxSafeNat());
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (values) => {
        assert.equal(hasRepeatedNumber(values), sortedRepeat(values));
        assert.equal(hasRepeatedNumber(Float64Array.from(values)), sortedRepeat(values));
      }),
      fuzzParameters(500),
    );
  });

  it('numbers crowding one home are still checked, with or without a repeat', () => {
    const crowded = crowding(600, 2048);
    assert.equal(hasRepeatedNumber(crowded), false);
    assert.equal(hasRepeatedNumber([...crowded, crowded[417]!]), true);
    assert.equal(hasRepeatedNumber(Uint32Array.from([...crowded, 7, 7])), true);
  });
});
