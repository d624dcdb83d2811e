/**
 * Seeded fuzzing of everything the command line loads from a person's files and options: scenario
 * YAML (mutations of the built-in default scenario), policy files, acc-provision input, plans and
 * `--set` values. Each loader either loads or throws its own error type, whose lines are single,
 * escaped and name the file (with a line where there is one); nothing else escapes, nothing hangs.
 * A scenario that loads is also simulated under a small event budget: it finishes or stops on it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { errorLines } from '../../src/cli/error-lines.ts';
import { parseAccProvision } from '../../src/scenario/acc-provision.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import { parsePlan } from '../../src/scenario/plan.ts';
import { PolicyFileError, parsePolicyFile } from '../../src/scenario/policy-file.ts';
import { storeFromObjects } from '../../src/scenario/policy-source.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import { parseVary } from '../../src/scenario/variants.ts';
import { EventBudgetError, simulate } from '../../src/simulation.ts';
import { fuzzParameters, hostileJson, hostileString } from '../support/fuzz.ts';

const DEFAULT_YAML = readFileSync(new URL('../../src/scenario/builtin/default.yaml', import.meta.url), 'utf8');
const POLICY_JSON = readFileSync(new URL('../fixtures/policy/opflex-server-policy.json', import.meta.url), 'utf8');
const ACC_YAML = readFileSync(new URL('../fixtures/acc-provision/acc-provision-input.yaml', import.meta.url), 'utf8');
/** Events a fuzzed scenario may run (the default scenario needs about 12,000). */
const FUZZ_EVENTS_MAX = 40_000;

/** Heap still in use after the suite and a full GC (the module graph and fast-check's state stay). */
const retainedHeapBytesMax = 64 * 1024 ** 2;

/** Values that are the wrong type, out of range, or hostile, written as YAML. */
const hostileYamlValue = fc.oneof(
  fc.constantFrom(
    '[]', '{}', '~', '-1', '1e308', '1e15', '.inf', '-.inf', '.nan', '0', '0.0001ms', '1000000h', '25h', '"168h"', 'yes', '0x7fffffffffffffff',
    '99999999999999999999999', '&a [*a]', '*undefined', '!!binary aGVsbG8=', '!!js/function "x"', '"\\u0000\\u001b[31m"', '"a\\nb"', '[[[[[[[[[[]]]]]]]]]]',
    `"${'x'.repeat(5000)}"`, '{lognormal: {median: 0ms, sigma: 1e300}}', '{normal: {mean: 1s, sd: -1s}}', '"1..0ms"', '<<: *nothing',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  hostileString(32).map((s) => JSON.stringify(s)),
);

type Mutation = (lines: string[]) => void;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // A plausible change: another duration where one is written (so many inputs still load and run).
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 300_000 }), fc.constantFrom('ms', 's')).map(([i, n, unit]): Mutation => (lines) => {
    const timed = lines.map((l, k) => (/\b\d+(\.\d+)?(ms|s|m|h)\b/.test(l) && !l.trimStart().startsWith('#') ? k : -1)).filter((k) => k >= 0);
    if (timed.length === 0) return;
    const k = timed[i % timed.length]!;
    lines[k] = lines[k]!.replace(/\b\d+(\.\d+)?(ms|s|m|h)\b/, `${unit === 's' ? Math.ceil(n / 1000) : n}${unit}`);
  }),
  fc.nat().map((i): Mutation => (lines) => void lines.splice(i % lines.length, 1)),
  fc.nat().map((i): Mutation => (lines) => void lines.splice(i % lines.length, 0, lines[i % lines.length]!)),
  fc.tuple(fc.nat(), hostileYamlValue).map(([i, value]): Mutation => (lines) => {
    // Replace the value of a `key: value` line (the i-th such line, wrapping).
    const keyed = lines.map((l, k) => (/^\s*-?\s*[A-Za-z_]+:\s*\S/.test(l) ? k : -1)).filter((k) => k >= 0);
    if (keyed.length === 0) return;
    const k = keyed[i % keyed.length]!;
    lines[k] = lines[k]!.replace(/^(\s*-?\s*[A-Za-z_]+:\s*).*$/, `$1${value}`);
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 200 })).map(([i, depth]): Mutation => (lines) => {
    lines.splice(i % lines.length, 0, `deep${i}: ${'['.repeat(depth)}${']'.repeat(depth)}`);
  }),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 24 })).map(([i, bytes]): Mutation => (lines) => {
    const k = i % lines.length;
    lines[k] = lines[k]! + Buffer.from(bytes).toString('latin1');
  }),
  fc.tuple(fc.nat(), fc.integer({ min: -4, max: 4 })).map(([i, shift]): Mutation => (lines) => {
    const k = i % lines.length;
    lines[k] = shift > 0 ? ' '.repeat(shift) + lines[k] : lines[k]!.slice(-shift);
  }),
  fc.nat().map((i): Mutation => (lines) => void lines.splice(i % lines.length, 0, `controller: &c${i} {node: node-2, self: *c${i}}`)),
);

/** Statistics a long run reports (`node scripts/run-tests.mjs` shows test diagnostics). */
interface Tally {
  inputs: number;
  loaded: number;
  rejected: number;
  slowestMs: number;
}

function tally(): Tally {
  return { inputs: 0, loaded: 0, rejected: 0, slowestMs: 0 };
}

/** Runs `load` on one input: it returns, or throws an error `isOwn` accepts, whose printed lines are clean. */
function expectLoadOrOwnError(t: Tally, isOwn: (err: unknown) => boolean, source: string, load: () => unknown): void {
  t.inputs++;
  const started = performance.now();
  try {
    load();
    t.loaded++;
  } catch (err) {
    if (!isOwn(err)) throw err;
    t.rejected++;
    for (const line of errorLines(err)) {
      assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, `an unescaped control character in: ${line}`);
      assert.ok(line.includes(source), `"${line}" does not name ${source}`);
    }
  } finally {
    t.slowestMs = Math.max(t.slowestMs, performance.now() - started);
  }
}

function report(name: string, t: Tally, diagnostic: (message: string) => void): void {
  diagnostic(`${name}: ${t.inputs} inputs, ${t.loaded} loaded, ${t.rejected} rejected with their own error, slowest ${t.slowestMs.toFixed(0)} ms`);
}

/** Forces a full garbage collection (without --expose-gc on the command line). */
function collectGarbage(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

describe('fuzzed loader inputs', { timeout: 600_000 }, () => {
  collectGarbage();
  const before = process.memoryUsage();

  it('scenario YAML: loads (and then simulates or stops on its event budget) or is a ScenarioError with file:line', { timeout: 600_000 }, (ctx) => {
    const t = tally();
    let simulated = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const lines = DEFAULT_YAML.split('\n');
        for (const m of mutations) m(lines);
        let scenario: ReturnType<typeof parseScenario> | undefined;
        expectLoadOrOwnError(t, (err) => err instanceof ScenarioError && err.issues.every((i) => i.source === 'fuzz.yaml' && !i.message.includes('\n')), 'fuzz.yaml', () => {
          scenario = parseScenario(lines.join('\n'), 'fuzz.yaml');
        });
        if (scenario !== undefined) {
          simulated++;
          try {
            simulate(scenario, { maxEvents: FUZZ_EVENTS_MAX });
          } catch (err) {
            if (!(err instanceof EventBudgetError)) throw err;
          }
        }
      }),
      fuzzParameters(100),
    );
    report('scenario YAML', t, (m) => ctx.diagnostic(`${m}; ${simulated} simulated`));
  });

  it('policy files: load or are a PolicyFileError', { timeout: 600_000 }, (ctx) => {
    const t = tally();
    const text = fc.oneof(
      fc.array(fc.oneof(hostileJson(4), fc.record({ subject: hostileString(8), uri: hostileString(16), properties: hostileJson(2), children: fc.array(hostileString(16), { maxLength: 3 }) })), { maxLength: 6 }).map((v) => JSON.stringify(v)),
      fc.tuple(fc.nat(), fc.nat({ max: 64 }), fc.string({ unit: 'binary', maxLength: 16 })).map(([at, cut, junk]) => {
        const i = at % POLICY_JSON.length;
        return POLICY_JSON.slice(0, i) + junk + POLICY_JSON.slice(i + cut);
      }),
      // Up to the JSON reader's own depth bound; deeper data is the policy validation's to refuse (its own fuzz suite).
      fc.integer({ min: 1, max: 900 }).map((depth) => `[{"subject":"A","uri":"/A/","properties":[{"name":"p","data":${'['.repeat(depth)}${']'.repeat(depth)}}],"children":[]}]`),
      fc.constantFrom('', 'null', '[]', '{}', '[1e400]', '[{"subject":"A","uri":"/A/","properties":[{"name":"n","data":123456789012345678901234567890}],"children":[]}]'),
    );
    fc.assert(
      fc.property(text, (input) => {
        expectLoadOrOwnError(t, (err) => err instanceof PolicyFileError, 'fuzz.json', () => storeFromObjects(parsePolicyFile(input, 'fuzz.json')));
      }),
      fuzzParameters(150),
    );
    report('policy files', t, (m) => ctx.diagnostic(m));
  });

  it('acc-provision input and plans: load or are a ScenarioError', { timeout: 600_000 }, (ctx) => {
    const acc = tally();
    const plan = tally();
    const yamlText = fc.oneof(
      fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => {
        const lines = ACC_YAML.split('\n');
        for (const m of mutations) m(lines);
        return lines.join('\n');
      }),
      fc.tuple(fc.constantFrom('migrations', 'controller', 'faults', 'flows', 'kube_config', 'aci_config', 'nodes'), hostileYamlValue).map(([key, value]) => `${key}: ${value}\n`),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fc.assert(
      fc.property(yamlText, (input) => {
        const own = (err: unknown) => err instanceof ScenarioError;
        expectLoadOrOwnError(acc, own, 'acc.yaml', () => parseAccProvision(input, 'acc.yaml'));
        expectLoadOrOwnError(plan, own, 'plan.yaml', () => parsePlan(input, 'plan.yaml'));
      }),
      fuzzParameters(150),
    );
    report('acc-provision input', acc, (m) => ctx.diagnostic(m));
    report('plans', plan, (m) => ctx.diagnostic(m));
  });

  it('--set and --vary values: parse or are a SyntaxError', { timeout: 600_000 }, (ctx) => {
    const t = tally();
    const spec = fc.oneof(
      fc.tuple(fc.constantFrom('apicFetch', 'start', 'duration', 'controller.node', 'enable_opflex_agent_reconnect', 'x'), hostileYamlValue).map(([k, v]) => `${k}=${v}`),
      hostileString(64),
    );
    fc.assert(
      fc.property(spec, (input) => {
        t.inputs++;
        try {
          parseVary(input);
          t.loaded++;
        } catch (err) {
          if (!(err instanceof SyntaxError)) throw err;
          t.rejected++;
        }
      }),
      fuzzParameters(300),
    );
    report('--set/--vary values', t, (m) => ctx.diagnostic(m));
  });

  it('keeps nothing alive once the inputs are gone', (ctx) => {
    collectGarbage();
    const after = process.memoryUsage();
    const mib = (n: number) => `${n >= 0 ? '+' : ''}${(n / 1024 ** 2).toFixed(1)} MiB`;
    ctx.diagnostic(`after a forced GC: heap ${mib(after.heapUsed - before.heapUsed)}, RSS ${mib(after.rss - before.rss)} over the start of the suite`);
    // Heap still in use, not RSS: V8 keeps freed pages mapped for a while.
    assert.ok(after.heapUsed - before.heapUsed < retainedHeapBytesMax, `the loaders kept ${mib(after.heapUsed - before.heapUsed)} of heap`);
  });
});
