import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDistribution, parseDuration } from '../../src/scenario/duration.ts';

describe('parseDuration', { timeout: 120_000 }, () => {
  it('reads a bare number as milliseconds', () => {
    assert.equal(parseDuration(250), 250);
    assert.equal(parseDuration(0), 0);
    assert.equal(parseDuration(0.5), 0.5);
  });

  it('reads strings with ms, s, m and h units', () => {
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('0.1ms'), 0.1);
    assert.equal(parseDuration(' 30 s '), 30_000);
    assert.equal(parseDuration('.5s'), 500);
  });

  it('has no binary noise in converted values', () => {
    assert.equal(parseDuration('1.1s'), 1100);
    assert.equal(parseDuration('0.3s'), 300);
  });

  it('rejects negative values', () => {
    assert.throws(() => parseDuration(-1), { name: 'RangeError', message: /must not be negative, got -1/ });
    assert.throws(() => parseDuration('-5s'), { name: 'RangeError', message: /must not be negative, got "-5s"/ });
  });

  it('rejects NaN and infinities', () => {
    assert.throws(() => parseDuration(Number.NaN), { name: 'RangeError', message: /finite number of milliseconds, got NaN/ });
    assert.throws(() => parseDuration(Number.POSITIVE_INFINITY), { name: 'RangeError', message: /finite/ });
  });

  it('rejects unknown units, naming the unit and the accepted ones', () => {
    assert.throws(() => parseDuration('5x'), { name: 'RangeError', message: 'unknown unit "x" in duration "5x": use ms, s, m or h' });
    assert.throws(() => parseDuration('5sec'), { message: /unknown unit "sec"/ });
    assert.throws(() => parseDuration('5constructor'), { message: /unknown unit "constructor"/ });
  });

  it('rejects a string without a unit, suggesting one', () => {
    assert.throws(() => parseDuration('250'), { name: 'RangeError', message: 'duration "250" has no unit: use ms, s, m or h (e.g. "250ms")' });
  });

  it('rejects text that is not a number with a unit, and wrong types', () => {
    assert.throws(() => parseDuration('abc'), { name: 'RangeError', message: /invalid duration "abc"/ });
    assert.throws(() => parseDuration('1.2.3s'), { name: 'RangeError', message: /invalid duration/ });
    assert.throws(() => parseDuration(''), { name: 'RangeError', message: /empty/ });
    assert.throws(() => parseDuration(null), { name: 'TypeError', message: /expected a duration/ });
    assert.throws(() => parseDuration(true), { name: 'TypeError', message: /got boolean true/ });
    assert.throws(() => parseDuration({}), { name: 'TypeError', message: /got a mapping/ });
  });
});

describe('formatDuration', { timeout: 120_000 }, () => {
  it('writes the largest whole unit, falling back to seconds or milliseconds', () => {
    assert.equal(formatDuration(0), '0ms');
    assert.equal(formatDuration(90), '90ms');
    assert.equal(formatDuration(0.5), '0.5ms');
    assert.equal(formatDuration(1250), '1.25s');
    assert.equal(formatDuration(630_000), '630s');
    assert.equal(formatDuration(600_000), '10m');
    assert.equal(formatDuration(7_200_000), '2h');
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [0, 0.1, 5, 999, 1000, 1250, 60_000, 630_000, 3_600_000, 5_400_000]) {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }
  });
});

describe('parseDistribution', { timeout: 120_000 }, () => {
  it('reads a duration as a fixed distribution', () => {
    assert.deepEqual(parseDistribution(250), { kind: 'fixed', valueMs: 250 });
    assert.deepEqual(parseDistribution('1.5s'), { kind: 'fixed', valueMs: 1500 });
  });

  it('reads "A..B" as a uniform distribution between two durations', () => {
    assert.deepEqual(parseDistribution('10ms..200ms'), { kind: 'uniform', minMs: 10, maxMs: 200 });
    assert.deepEqual(parseDistribution('0.1ms..0.5ms'), { kind: 'uniform', minMs: 0.1, maxMs: 0.5 });
    assert.deepEqual(parseDistribution('5s..20s'), { kind: 'uniform', minMs: 5000, maxMs: 20_000 });
    assert.deepEqual(parseDistribution('200ms .. 1s'), { kind: 'uniform', minMs: 200, maxMs: 1000 });
    assert.deepEqual(parseDistribution('1s..1s'), { kind: 'uniform', minMs: 1000, maxMs: 1000 });
  });

  it('lets one end of a range borrow the other end\'s unit', () => {
    assert.deepEqual(parseDistribution('10..200ms'), { kind: 'uniform', minMs: 10, maxMs: 200 });
    assert.deepEqual(parseDistribution('1s..2'), { kind: 'uniform', minMs: 1000, maxMs: 2000 });
  });

  it('reads the tagged mapping forms', () => {
    assert.deepEqual(parseDistribution({ uniform: ['10ms', '1s'] }), { kind: 'uniform', minMs: 10, maxMs: 1000 });
    assert.deepEqual(parseDistribution({ normal: { mean: '500ms', sd: '100ms' } }), { kind: 'normal', meanMs: 500, sdMs: 100, minMs: 0 });
    assert.deepEqual(parseDistribution({ normal: { mean: '500ms', sd: '100ms', min: '200ms' } }), { kind: 'normal', meanMs: 500, sdMs: 100, minMs: 200 });
    assert.deepEqual(parseDistribution({ lognormal: { median: '100ms', sigma: 0.5 } }), {
      kind: 'lognormal',
      medianMs: 100,
      sigma: 0.5,
      maxMs: Number.POSITIVE_INFINITY,
    });
    assert.deepEqual(parseDistribution({ lognormal: { median: '100ms', sigma: 0.5, max: '2s' } }), { kind: 'lognormal', medianMs: 100, sigma: 0.5, maxMs: 2000 });
    assert.deepEqual(parseDistribution({ exponential: { mean: '1s' } }), { kind: 'exponential', meanMs: 1000, maxMs: Number.POSITIVE_INFINITY });
    assert.deepEqual(parseDistribution({ exponential: { mean: '1s', max: '10s' } }), { kind: 'exponential', meanMs: 1000, maxMs: 10_000 });
  });

  it('rejects a range whose lower bound is above its upper bound', () => {
    assert.throws(() => parseDistribution('200ms..10ms'), { name: 'RangeError', message: /lower bound must not be greater than the upper bound/ });
    assert.throws(() => parseDistribution({ uniform: ['2s', '1s'] }), { name: 'RangeError', message: /lower bound \(2s\) must not be greater than the upper bound \(1s\)/ });
  });

  it('rejects negative values anywhere', () => {
    assert.throws(() => parseDistribution(-5), { name: 'RangeError', message: /negative/ });
    assert.throws(() => parseDistribution('-5ms..10ms'), { name: 'RangeError', message: /negative/ });
    assert.throws(() => parseDistribution({ normal: { mean: '-1ms', sd: '1ms' } }), { name: 'RangeError', message: /negative/ });
    assert.throws(() => parseDistribution({ lognormal: { median: '1s', sigma: -1 } }), { name: 'RangeError', message: /sigma must be a finite number >= 0/ });
  });

  it('rejects a cap below the median or mean', () => {
    assert.throws(() => parseDistribution({ lognormal: { median: '2s', sigma: 1, max: '1s' } }), { message: 'median (2s) must not be greater than max (1s)' });
    assert.throws(() => parseDistribution({ exponential: { mean: '2s', max: '1s' } }), { message: 'mean (2s) must not be greater than max (1s)' });
  });

  it('rejects unknown forms, ranges without units and malformed mappings', () => {
    assert.throws(() => parseDistribution('10..200'), { name: 'RangeError', message: /has no unit/ });
    assert.throws(() => parseDistribution('..5ms'), { name: 'RangeError', message: /invalid range/ });
    assert.throws(() => parseDistribution({ gamma: { k: 1 } }), { name: 'TypeError', message: /unknown distribution "gamma"/ });
    assert.throws(() => parseDistribution({ uniform: ['1ms', '2ms'], normal: {} }), { name: 'TypeError', message: /exactly one of/ });
    assert.throws(() => parseDistribution({ uniform: ['1ms'] }), { name: 'TypeError', message: /two durations/ });
    assert.throws(() => parseDistribution({ normal: { mean: '1ms' } }), { name: 'TypeError', message: /needs "sd"/ });
    assert.throws(() => parseDistribution({ normal: { mean: '1ms', sd: '1ms', max: '5ms' } }), { name: 'TypeError', message: /unknown key "max"/ });
    assert.throws(() => parseDistribution([1, 2]), { name: 'TypeError', message: /got a list/ });
  });
});
