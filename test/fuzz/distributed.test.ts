/**
 * Seeded fuzzing of what the job queue reads from outside: --queue URLs, and job data from Redis
 * (anything that can write to the Redis can put a job there). A URL parses to an address or fails with
 * one SyntaxError line; job data runs as a compare cell or fails with an Error, never anything else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { JobThreadPool } from '../../src/distributed/job-thread-pool.ts';
import { parseQueueUrl } from '../../src/distributed/queue-url.ts';
import { scenarioHash } from '../../src/distributed/scenario-store.ts';
import { parseVariantResult } from '../../src/distributed/sweep-jobs.ts';
import { runSweepJob } from '../../src/distributed/sweep-worker.ts';
import { readScenarioText } from '../../src/scenario/variants.ts';
import { fuzzParameters, fuzzTimeoutMs, hostileJson, hostileString } from '../support/fuzz.ts';

const SCENARIO = readScenarioText(undefined);
const HASH = scenarioHash(SCENARIO);
const scenarioFor = async (hash: string) => {
  if (hash !== HASH) throw new Error(`Scenario ${hash} is not in the queue's Redis`);
  return SCENARIO;
};

/** A job's data with each part either valid or hostile. */
function jobData(): fc.Arbitrary<unknown> {
  const yamlScalar = fc.oneof(hostileString(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
  const override = fc.record({
    path: fc.oneof(fc.constantFrom(['latencies', 'apicFetch'], ['settings', 'enable_opflex_agent_reconnect'], ['duration']), fc.array(hostileString(16), { maxLength: 10 }), hostileJson(2)),
    value: fc.oneof(yamlScalar, fc.constantFrom('10ms', '200ms', true, false, '5s'), hostileJson(2)),
  });
  const cell = fc.record({
    label: fc.oneof(hostileString(), hostileJson(1)),
    values: fc.oneof(fc.dictionary(hostileString(8), hostileString(8), { maxKeys: 3 }), hostileJson(2)),
    overrides: fc.oneof(fc.array(override, { maxLength: 3 }), hostileJson(2)),
    seed: fc.oneof(fc.nat(1_000), fc.integer(), fc.double(), hostileJson(1)),
    // A small budget keeps the valid jobs quick; the ones that run out fail like a real over-budget run.
    maxEvents: fc.oneof(fc.integer({ min: 1, max: 3_000 }), hostileJson(1)),
  }, { requiredKeys: ['label', 'values', 'overrides', 'seed'] });
  const validCell = fc.record({
    label: hostileString(),
    values: fc.dictionary(hostileString(8), hostileString(8), { maxKeys: 3 }),
    overrides: fc.array(fc.record({
      path: fc.constantFrom(['latencies', 'apicFetch'], ['settings', 'enable_opflex_agent_reconnect'], ['duration']),
      value: fc.oneof(fc.constantFrom('10ms', '200ms', true, false, '5s', '30s'), yamlScalar),
    }), { maxLength: 3 }),
    seed: fc.nat(1_000),
    maxEvents: fc.integer({ min: 1, max: 20_000 }),
  });
  return fc.oneof(
    fc.record({ kind: fc.constant('compare-cell'), scenario: fc.constant(HASH), cell: validCell }),
    fc.record({ kind: fc.constant('compare-cell'), scenario: fc.oneof(fc.constant(HASH), hostileString()), cell }),
    fc.record({ kind: hostileJson(1), scenario: fc.constant(HASH), cell }),
    hostileJson(),
  );
}

describe('job queue inputs under fuzzing', { timeout: fuzzTimeoutMs(240_000) }, () => {
  it('a --queue URL parses to an address in range, or fails with one SyntaxError line naming --queue', (t) => {
    let parsed = 0;
    let tried = 0;
    const url = fc.oneof(
      hostileString(80),
      fc.tuple(fc.oneof(fc.domain(), fc.ipV4(), hostileString(12)), fc.integer({ min: -1, max: 70_000 }), fc.option(fc.integer({ min: -1, max: 2_000 }))).map(([host, port, db]) => `redis://${host}:${port}${db === null ? '' : `/${db}`}`),
    );
    fc.assert(fc.property(url, (text) => {
      tried++;
      try {
        const address = parseQueueUrl(text);
        parsed++;
        assert.ok(address.port >= 1 && address.port <= 65_535 && Number.isInteger(address.db) && address.db >= 0 && address.db <= 1_000);
        assert.equal(`redis://${address.host}:${address.port}${text.endsWith(`/${address.db}`) || text.endsWith(`/${address.db}/`) ? `/${address.db}` : ''}`, text.replace(/\/$/, ''));
      } catch (err) {
        assert.ok(err instanceof SyntaxError, String(err));
        assert.ok(err.message.startsWith('--queue takes redis://HOST:PORT[/DB], got '), err.message);
      }
    }), fuzzParameters(400));
    t.diagnostic(`${tried} URLs tried, ${parsed} parsed`);
    assert.ok(parsed > 0 && parsed < tried);
  });

  it('job data runs as a compare cell or is refused with an Error; nothing else escapes', { timeout: 120_000 }, async (t) => {
    let tried = 0;
    let ran = 0;
    // Run with node --expose-gc for a growth figure that is not just garbage waiting for collection.
    const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
    collect();
    const rssBefore = process.memoryUsage().rss;
    await fc.assert(fc.asyncProperty(jobData(), async (data) => {
      tried++;
      try {
        const result = await runSweepJob(data, scenarioFor);
        ran++;
        assert.ok(Array.isArray(result.migrations));
        assert.deepEqual(parseVariantResult(JSON.parse(JSON.stringify(result))), result, 'a result survives the trip through Redis unchanged');
      } catch (err) {
        assert.ok(err instanceof Error, `threw a non-Error: ${String(err)}`);
        assert.ok(err.message.length > 0);
      }
    }), fuzzParameters(60));
    collect();
    const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    t.diagnostic(`${tried} jobs tried, ${ran} ran to a result; RSS growth ${rssGrowthMiB.toFixed(1)} MiB`);
    assert.ok(ran > 0 && ran < tried, `${ran} of ${tried} jobs ran`);
  });

  it('job data run in a worker thread gives what it gives in the main thread: the same result or the same error', { timeout: fuzzTimeoutMs(120_000) }, async (t) => {
    let tried = 0;
    let ran = 0;
    const pool = new JobThreadPool({ threads: 2, scenarioFor });
    const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
    collect();
    const rssBefore = process.memoryUsage().rss;
    try {
      const runnable = fc.record({
        kind: fc.constant('compare-cell'),
        scenario: fc.constant(HASH),
        cell: fc.record({
          label: hostileString(),
          values: fc.constant({}),
          overrides: fc.array(fc.record({ path: fc.constant(['latencies', 'apicFetch']), value: fc.constantFrom('10ms', '200ms', '1s') }), { maxLength: 1 }),
          seed: fc.nat(1_000),
        }),
      });
      await fc.assert(fc.asyncProperty(fc.oneof(jobData(), runnable), async (data) => {
        tried++;
        const here = await runSweepJob(data, scenarioFor).then((result) => ({ result }), (err: Error) => ({ error: err.message }));
        const inThread = await pool.run(data).then((run) => ({ result: run.result }), (err: Error) => ({ error: err.message }));
        assert.deepEqual(inThread, here);
        if ('result' in here) ran++;
      }), fuzzParameters(20));
    } finally {
      await pool.close();
    }
    collect();
    const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    t.diagnostic(`${tried} jobs tried in threads, ${ran} ran to a result; RSS growth after the threads ended ${rssGrowthMiB.toFixed(1)} MiB`);
    assert.ok(ran > 0 && ran < tried, `${ran} of ${tried} jobs ran`);
  });

  it('a result posted by a worker is read as a variant result or refused with one TypeError line', (t) => {
    let accepted = 0;
    let tried = 0;
    const migration = fc.record({
      index: fc.oneof(fc.nat(), hostileJson(1)), node: hostileString(), crossLeafPair: fc.boolean(), crossPod: fc.boolean(), converged: fc.boolean(),
      switchoverToConvergedMs: fc.oneof(fc.constant(null), fc.double({ min: 0, noNaN: true })), outageMs: fc.oneof(fc.double({ min: 0, noNaN: true }), hostileJson(1)), stillDown: fc.boolean(),
      resets: fc.array(hostileString(), { maxLength: 3 }), resetsSuppressed: fc.nat(), downloaded: fc.nat(),
    });
    const result = fc.oneof(hostileJson(), fc.record({ label: hostileString(), values: fc.dictionary(hostileString(8), hostileString(8), { maxKeys: 3 }), migrations: fc.array(migration, { maxLength: 3 }) }));
    fc.assert(fc.property(result, (data) => {
      tried++;
      try {
        parseVariantResult(data);
        accepted++;
      } catch (err) {
        assert.ok(err instanceof TypeError, String(err));
        assert.ok(err.message.startsWith('Result') && !/[\n\r]/.test(err.message), err.message);
      }
    }), fuzzParameters(300));
    t.diagnostic(`${tried} results tried, ${accepted} accepted`);
    assert.ok(accepted > 0 && accepted < tried);
  });
});
