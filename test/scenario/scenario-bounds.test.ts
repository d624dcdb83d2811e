import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationMsMax, lognormalSigmaMax, parseDuration } from '../../src/scenario/duration.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import { scenarioDurationMsMax } from '../../src/scenario/schema.ts';
import { tiny } from './fixtures.ts';

function messages(text: string): string[] {
  try {
    parseScenario(text, 'bounds.yaml');
  } catch (err) {
    assert.ok(err instanceof ScenarioError, String(err));
    return err.message.split('\n');
  }
  assert.fail('expected the scenario to be rejected');
}

describe('bounds on scenario times', { timeout: 30_000 }, () => {
  it('refuses any duration past 7 days, whatever its unit or form', () => {
    assert.equal(parseDuration('168h'), durationMsMax);
    assert.throws(() => parseDuration('1000000h'), { name: 'RangeError', message: 'duration "1000000h" is longer than the longest accepted, 168h (7 days)' });
    assert.throws(() => parseDuration(1e15), /duration 1000000000000000 is longer than the longest accepted/);
    assert.throws(() => parseDuration(`${'9'.repeat(400)}ms`), /out of range/);
  });

  it('refuses duration: 1000000h at its line', () => {
    assert.deepEqual(messages(tiny({ 2: 'duration: 1000000h' })), ['bounds.yaml:2:11: duration: duration "1000000h" is longer than the longest accepted, 168h (7 days)']);
  });

  it('refuses a run longer than 24 h, written or implied by the last migration', () => {
    assert.equal(scenarioDurationMsMax, 24 * 3_600_000);
    assert.deepEqual(messages(tiny({ 2: 'duration: 25h' })), ['bounds.yaml:2:11: duration: 25h is too long: the longest run accepted is 24h']);
    assert.deepEqual(messages(tiny({ 39: '  - at: 24h' })), ['bounds.yaml:39:9: migrations[0].at: 24h makes the run last 1442m (the last start + 120s): the longest run accepted is 24h']);
  });

  it('refuses at: 1e15 at the migration', () => {
    assert.deepEqual(messages(tiny({ 39: '  - at: 1e15' })), ['bounds.yaml:39:9: migrations[0].at: duration 1000000000000000 is longer than the longest accepted, 168h (7 days)']);
  });

  it('refuses periods and intervals under 1 ms (interval: 0.0001ms would run forever)', () => {
    assert.deepEqual(messages(tiny({ 43: '  - { name: web, from: web-2, to: web-1, interval: 0.0001ms }' })), ['bounds.yaml:43:52: flows[0].interval: must be at least 1ms']);
    assert.deepEqual(messages(tiny({}, ['timers:', '  keepaliveRepeat: 0.5ms'])), ['bounds.yaml:45:20: timers.keepaliveRepeat: must be at least 1ms']);
    assert.doesNotThrow(() => parseScenario(tiny({ 43: '  - { name: web, from: web-2, to: web-1, interval: 1ms }' }), 'bounds.yaml'));
  });

  it(`refuses a lognormal sigma over ${lognormalSigmaMax} (samples would overflow to Infinity)`, () => {
    assert.deepEqual(messages(tiny({}, ['latencies:', '  apicFetch: { lognormal: { median: 0ms, sigma: 1e300 } }'])), [
      'bounds.yaml:45:49: latencies.apicFetch.lognormal.sigma: must be <= 10, got 1e+300',
    ]);
  });
});
