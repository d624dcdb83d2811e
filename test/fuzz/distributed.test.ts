/**
 * Seeded fuzzing of what the job queue reads from outside: --queue URLs, and job data from Redis
 * (anything that can write to the Redis can put a job there). A URL parses to an address or fails with
 * one SyntaxError line; job data runs as a compare cell, a sweep's seed range or a range of check seeds, or
 * fails with an Error, never anything else; a posted result is read as the job's or refused with one
 * TypeError line; a sweep file parses to a definition or fails with file:line:column lines.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { JobThreadPool } from '../../src/distributed/job-thread-pool.ts';
import { parseQueueUrl } from '../../src/distributed/queue-url.ts';
import { scenarioHash } from '../../src/distributed/scenario-store.ts';
import { parseCheckSeedsResult } from '../../src/distributed/check-seeds-result.ts';
import { parseSweepCellsResult, parseSweepJob, parseVariantResult, type CheckSeedsJob, type SweepCellsJob } from '../../src/distributed/sweep-jobs.ts';
import { FAULT_KIND_NAMES } from '../../src/scenario/fault-schema.ts';
import { INVARIANTS } from '../../src/check/invariants.ts';
import { KNOWN_HAZARDS } from '../../src/check/hazards.ts';
import { runSweepJob } from '../../src/distributed/sweep-worker.ts';
import { readScenarioText } from '../../src/scenario/variants.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import { boundProblems, plannedVariants, sweepVariantsMax } from '../../src/sweep/sweep-definition.ts';
import { parseSweepFile } from '../../src/sweep/sweep-file.ts';
import { stringify } from 'yaml';
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
  const range = fc.record({
    label: fc.oneof(hostileString(), hostileJson(1)),
    values: fc.oneof(fc.dictionary(hostileString(8), hostileString(8), { maxKeys: 3 }), hostileJson(2)),
    overrides: fc.oneof(fc.array(override, { maxLength: 3 }), hostileJson(2)),
    firstSeed: fc.oneof(fc.nat(1_000), fc.integer(), fc.constant(Number.MAX_SAFE_INTEGER), hostileJson(1)),
    seeds: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: -2, max: 20 }), hostileJson(1)),
    maxEvents: fc.oneof(fc.integer({ min: 1, max: 3_000 }), hostileJson(1)),
  }, { requiredKeys: ['label', 'values', 'overrides', 'firstSeed', 'seeds'] });
  const validRange = fc.record({
    label: hostileString(),
    values: fc.dictionary(hostileString(8), hostileString(8), { maxKeys: 3 }),
    overrides: validCell.map((c) => c.overrides),
    firstSeed: fc.nat(1_000),
    seeds: fc.integer({ min: 1, max: 2 }),
    maxEvents: fc.integer({ min: 1, max: 20_000 }),
  });
  const kinds = fc.subarray([...FAULT_KIND_NAMES]);
  // One or two seeds keep the valid check jobs quick: each seed is a full checked run of the default scenario.
  const validSeeds = fc.record({ kind: fc.constant('check-seeds'), scenario: fc.constant(HASH), schedule: fc.record({ kinds, swarm: fc.boolean() }), firstSeed: fc.nat(1_000_000), seeds: fc.integer({ min: 1, max: 2 }) });
  const seeds = fc.record({
    kind: fc.constant('check-seeds'),
    scenario: fc.oneof(fc.constant(HASH), hostileString()),
    schedule: fc.oneof(fc.record({ kinds: fc.oneof(kinds, fc.array(hostileString(24), { maxLength: 3 }), hostileJson(1)), swarm: fc.oneof(fc.boolean(), hostileJson(1)) }), hostileJson(2)),
    firstSeed: fc.oneof(fc.nat(1_000), fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, -1, 0.5), hostileJson(1)),
    // Past seedsPerJobMax (1,000) is refused before anything runs.
    seeds: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1_001, max: 2 ** 31 }), hostileJson(1)),
  }, { requiredKeys: ['kind'] });
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('compare-cell'), scenario: fc.constant(HASH), cell: validCell }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('sweep-cells'), scenario: fc.constant(HASH), range: validRange }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('sweep-cells'), scenario: fc.oneof(fc.constant(HASH), hostileString()), range }), weight: 1 },
    { arbitrary: validSeeds, weight: 2 },
    { arbitrary: seeds, weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('compare-cell'), scenario: fc.oneof(fc.constant(HASH), hostileString()), cell }), weight: 1 },
    { arbitrary: fc.record({ kind: hostileJson(1), scenario: fc.constant(HASH), cell }), weight: 1 },
    { arbitrary: hostileJson(), weight: 1 },
  );
}

describe('job queue inputs under fuzzing', { timeout: fuzzTimeoutMs(600_000) }, () => {
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

  it('job data runs as a compare cell, a seed range or a range of check seeds, or is refused with an Error; nothing else escapes', { timeout: fuzzTimeoutMs(600_000) }, async (t) => {
    let tried = 0;
    let ran = 0;
    let ranges = 0;
    let checkJobsRan = 0;
    // Run with node --expose-gc for a growth figure that is not just garbage waiting for collection.
    const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
    collect();
    const rssBefore = process.memoryUsage().rss;
    await fc.assert(fc.asyncProperty(jobData(), async (data) => {
      tried++;
      try {
        const result = await runSweepJob(data, scenarioFor);
        ran++;
        const job = parseSweepJob(data);
        const posted: unknown = JSON.parse(JSON.stringify(result));
        if (job.kind === 'sweep-cells') {
          ranges++;
          assert.deepEqual(parseSweepCellsResult(posted, job), result, 'figures survive the trip through Redis unchanged');
        } else if (job.kind === 'check-seeds') {
          checkJobsRan++;
          assert.ok('outcomes' in result);
          assert.deepEqual(result.outcomes.map((o) => o.seed), Array.from({ length: job.seeds }, (_, i) => job.firstSeed + i));
          assert.deepEqual(parseCheckSeedsResult(posted, job), result.outcomes, 'outcomes survive the trip through Redis unchanged');
        } else assert.deepEqual(parseVariantResult(posted), result, 'a result survives the trip through Redis unchanged');
      } catch (err) {
        assert.ok(err instanceof Error, `threw a non-Error: ${String(err)}`);
        assert.ok(err.message.length > 0);
      }
    }), fuzzParameters(100));
    collect();
    const rssGrowthMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    t.diagnostic(`${tried} jobs tried, ${ran} ran to a result (${ranges} of them seed ranges, ${checkJobsRan} check seeds); RSS growth ${rssGrowthMiB.toFixed(1)} MiB`);
    assert.ok(ran > 0 && ran < tried, `${ran} of ${tried} jobs ran`);
    assert.ok(ranges > 0 && checkJobsRan > 0 && ranges + checkJobsRan < ran, `${ranges} seed ranges and ${checkJobsRan} check jobs of ${ran} results`);
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

  it('a seed range\'s posted figures are read as its seeds\' figures or refused with one TypeError line', (t) => {
    let accepted = 0;
    let tried = 0;
    const job: SweepCellsJob = { kind: 'sweep-cells', scenario: HASH, range: { label: '', values: {}, overrides: [], firstSeed: 5, seeds: 2 } };
    const figure = (seed: fc.Arbitrary<unknown>) => fc.nat(4).chain((moves) => fc.record({
      seed, moves: fc.oneof(fc.constant(moves), hostileJson(1)), converged: fc.oneof(fc.nat(moves), fc.nat(8), hostileJson(1)),
      outageMs: fc.oneof(fc.array(fc.double({ min: 0, noNaN: true }), { minLength: moves, maxLength: moves }), fc.array(fc.double(), { maxLength: 4 }), hostileJson(1)),
      downloaded: fc.oneof(fc.nat(), hostileJson(1)), resets: fc.nat(),
    }));
    const validFigure = (seed: number) => fc.nat(4).chain((moves) => fc.record({
      seed: fc.constant(seed), moves: fc.constant(moves), converged: fc.nat(moves), outageMs: fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: moves, maxLength: moves }), downloaded: fc.nat(), resets: fc.nat(),
    }));
    const result = fc.oneof(hostileJson(), fc.tuple(validFigure(5), validFigure(6)), fc.tuple(figure(fc.constant(5)), figure(fc.constant(6))), fc.array(figure(fc.oneof(fc.nat(8), hostileJson(1))), { maxLength: 10 }));
    fc.assert(fc.property(result, (data) => {
      tried++;
      try {
        const figures = parseSweepCellsResult(data, job);
        accepted++;
        assert.deepEqual(figures.map((f) => f.seed), [5, 6]);
        for (const f of figures) assert.ok(f.converged <= f.moves && f.outageMs.length === f.moves);
      } catch (err) {
        assert.ok(err instanceof TypeError, String(err));
        assert.ok(err.message.startsWith('Result') && !/[\n\r]/.test(err.message), err.message);
      }
    }), fuzzParameters(400));
    t.diagnostic(`${tried} results tried, ${accepted} accepted`);
    assert.ok(accepted > 0 && accepted < tried);
  });

  it("a check job's posted outcomes are read as the job's seeds or refused with one TypeError line", (t) => {
    let accepted = 0;
    let tried = 0;
    const job: CheckSeedsJob = { kind: 'check-seeds', scenario: HASH, schedule: { kinds: FAULT_KIND_NAMES, swarm: false }, firstSeed: 7, seeds: 2 };
    // Each part valid, or (when `hostile`) one of the things a forger might post instead.
    const either = <T,>(valid: fc.Arbitrary<T>, hostile: boolean, ...others: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> => (hostile ? fc.oneof(valid, ...others) : valid);
    const outcome = (seed: fc.Arbitrary<unknown>, hostile: boolean) => {
      const invariant = either(fc.constantFrom(...INVARIANTS.map((i) => i.name)), hostile, hostileString(24));
      const violation = fc.record({
        invariant,
        tMs: either(fc.double({ min: 0, max: 1e9, noNaN: true }), hostile, hostileJson(1)),
        subject: either(hostileString(), hostile, fc.constant('s'.repeat(16_385))),
        detail: hostileString(),
      });
      return fc.record({
        seed,
        faults: either(fc.nat(5), hostile, hostileJson(1)),
        faultsInjected: either(fc.dictionary(fc.constantFrom(...FAULT_KIND_NAMES), fc.nat(9), { maxKeys: 3 }), hostile, fc.dictionary(hostileString(8), hostileJson(1), { maxKeys: 3 }), hostileJson(1)),
        settled: fc.boolean(),
        violations: either(fc.array(violation, { maxLength: 2 }), hostile, fc.constant(Array.from({ length: 101 }, () => ({ invariant: 'policy-served-exists', tMs: 1, subject: 'x', detail: 'y' })))),
        hazards: fc.array(fc.record({ hazard: either(fc.constantFrom(...KNOWN_HAZARDS.map((h) => h.name)), hostile, hostileString(16)), node: hostileString(), invariants: fc.array(invariant, { maxLength: 2 }), first: violation }), { maxLength: 2 }),
        events: either(fc.nat(), hostile, hostileJson(1)),
      }, { requiredKeys: hostile ? ['seed', 'settled', 'violations', 'hazards'] : ['seed', 'faults', 'faultsInjected', 'settled', 'violations', 'hazards', 'events'] });
    };
    const result = fc.oneof(
      hostileJson(),
      fc.record({ outcomes: fc.tuple(outcome(fc.constant(7), false), outcome(fc.constant(8), false)) }),
      fc.record({ outcomes: fc.tuple(outcome(fc.constant(7), true), outcome(fc.constant(8), true)) }),
      fc.record({ outcomes: fc.array(outcome(fc.oneof(fc.constantFrom(7, 8), fc.integer(), hostileJson(1)), false), { maxLength: 3 }) }),
    );
    fc.assert(fc.property(result, (data) => {
      tried++;
      try {
        const outcomes = parseCheckSeedsResult(data, job);
        accepted++;
        assert.deepEqual(outcomes.map((o) => o.seed), [7, 8]);
      } catch (err) {
        assert.ok(err instanceof TypeError, String(err));
        assert.ok(err.message.startsWith('Result') && !/[\n\r]/.test(err.message), err.message);
      }
    }), fuzzParameters(300));
    t.diagnostic(`${tried} check results tried, ${accepted} accepted`);
    assert.ok(accepted > 0 && accepted < tried);
  });

  it('a sweep file parses to a definition within the bounds, or fails with lines that each name file:line:column', (t) => {
    let parsed = 0;
    let tried = 0;
    const key = fc.oneof(fc.constantFrom('latencies.apicFetch', 'enable_opflex_agent_reconnect', 'duration', 'controller.node', 'apicFetch'), hostileString(16));
    const scalar = fc.oneof(hostileString(12), fc.integer(), fc.double(), fc.boolean(), fc.constantFrom('10ms', '200ms', true));
    const doc = fc.record({
      scenarios: fc.oneof(fc.array(fc.oneof(fc.constantFrom('builtin:default', 'preset:S', 'plan.yaml'), hostileString(16)), { maxLength: 20 }), hostileJson(2)),
      vary: fc.oneof(fc.dictionary(key, fc.array(scalar, { maxLength: 20 }), { maxKeys: 5 }), hostileJson(2)),
      variants: fc.oneof(fc.array(fc.record({ name: hostileString(8), set: fc.dictionary(key, scalar, { maxKeys: 3 }) }, { requiredKeys: ['name'] }), { maxLength: 4 }), hostileJson(2)),
      seeds: fc.oneof(fc.integer({ min: -1, max: 20_000 }), hostileJson(1)),
      firstSeed: fc.oneof(fc.nat(), fc.double(), hostileJson(1)),
      maxEvents: fc.oneof(fc.integer(), hostileJson(1)),
      misspelt: hostileJson(1),
    }, { requiredKeys: [] });
    // Documents as YAML, then some of them cut or spliced: what an editor in the middle of a change leaves behind.
    const validDoc = fc.record({
      scenarios: fc.array(fc.constantFrom('builtin:default', 'preset:S', 'plans/rack-7.yaml'), { minLength: 1, maxLength: 4 }),
      vary: fc.dictionary(fc.constantFrom('latencies.apicFetch', 'enable_opflex_agent_reconnect', 'duration', 'apicFetch'), fc.array(scalar, { minLength: 1, maxLength: 6 }), { maxKeys: 3 }),
      variants: fc.uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), set: fc.dictionary(fc.constantFrom('controller.node', 'start'), scalar, { maxKeys: 2 }) }), { maxLength: 4, selector: (v) => v.name, minLength: 1 }),
      seeds: fc.integer({ min: 1, max: 10_000 }),
      firstSeed: fc.nat(),
    }, { requiredKeys: [] });
    const text = fc.oneof(
      validDoc.map((d) => stringify(d)),
      doc.map((d) => stringify(d)),
      fc.tuple(doc.map((d) => stringify(d)), fc.nat(), hostileString(8)).map(([yaml, at, junk]) => yaml.slice(0, at % (yaml.length + 1)) + junk + yaml.slice(at % (yaml.length + 1))),
      hostileString(200),
      fc.constantFrom('', '---', 'a: &x [*x]', 'vary: {a: [1], a: [2]}', `seeds: ${'['.repeat(100)}`),
    );
    fc.assert(fc.property(text, (yamlText) => {
      tried++;
      try {
        const definition = parseSweepFile(yamlText, 'fuzz-sweep.yaml', '/nonexistent');
        parsed++;
        assert.deepEqual(boundProblems(definition), []);
        assert.ok(definition.scenarios.length >= 1 && definition.seeds >= 1 && Number.isSafeInteger(definition.firstSeed));
        assert.ok(plannedVariants(definition).length <= sweepVariantsMax);
      } catch (err) {
        assert.ok(err instanceof ScenarioError, `threw ${String(err)}`);
        for (const line of err.message.split('\n')) assert.match(line, /^fuzz-sweep\.yaml:\d+:\d+: |^\.\.\. and \d+ more/, line);
      }
    }), fuzzParameters(500));
    t.diagnostic(`${tried} sweep files tried, ${parsed} parsed`);
    assert.ok(parsed > 0 && parsed < tried);
  });
});
