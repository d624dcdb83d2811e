/**
 * Fault schedules from anywhere: a hostile `faultSchedule:` in a scenario file is refused with a
 * one-line ScenarioError naming file, line and field (never another exception), and any schedule
 * the schema accepts runs to its end and is checked without throwing, however its faults overlap.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { runChecked } from '../../src/check/checked-run.ts';
import { scenarioYaml } from '../../src/check/scenario-document.ts';
import { withSchedule } from '../../src/check/schedule-generator.ts';
import { FAULT_KIND_NAMES, FAULT_KINDS } from '../../src/scenario/fault-schema.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import type { FaultEntry } from '../../src/scenario/types.ts';
import { fuzzParameters, hostileJson, hostileString } from '../support/fuzz.ts';

const base = loadBuiltinScenario();
const baseYaml = scenarioYaml({ ...base, faultSchedule: [] }).replace(/^faultSchedule: \[\]\n/m, '');

const hostileEntry = fc.dictionary(
  fc.oneof(fc.constantFrom('at', 'kind', 'node', 'leaf', 'hypervisor', 'for', 'delay', 'side', 'mode'), hostileString(12)),
  fc.oneof(hostileJson(2), fc.constantFrom(...FAULT_KIND_NAMES), fc.constantFrom('node-1', 'leaf-103', 'esx-3', '5s', '-1s', '1e309', 'NaN')),
  { maxKeys: 8 },
);

const validEntry: fc.Arbitrary<FaultEntry> = fc
  .record({
    kind: fc.constantFrom(...FAULT_KIND_NAMES),
    atMs: fc.integer({ min: 0, max: 150_000 }),
    node: fc.constantFrom(...base.nodes.map((n) => n.name)),
    leaf: fc.constantFrom(...base.fabric.leafPairs.flatMap((p) => p.leaves.map((l) => l.name))),
    hypervisor: fc.constantFrom(...base.fabric.hypervisors.map((h) => h.name)),
    forMs: fc.integer({ min: 0, max: 120_000 }),
    delayMs: fc.integer({ min: 0, max: 30_000 }),
    side: fc.constantFrom('agent' as const, 'leaf' as const),
    mode: fc.constantFrom('hold' as const, 'drop' as const),
  })
  .map((r) => {
    const spec = FAULT_KINDS[r.kind];
    const targets = spec.targets as readonly string[];
    const e: FaultEntry = { atMs: r.atMs, kind: r.kind };
    if (targets.includes('node')) e.node = r.node;
    if (targets.includes('leaf')) e.leaf = r.leaf;
    if (targets.includes('hypervisor')) e.hypervisor = r.hypervisor;
    if (spec.for) e.forMs = r.forMs;
    if (spec.delay) e.delayMs = r.delayMs;
    if (r.kind === 'session-reset') e.side = r.side;
    if (r.kind === 'partition') e.mode = r.mode;
    return e;
  });

describe('fault schedules (fuzz)', { timeout: 60_000 }, () => {
  test('a hostile faultSchedule is loaded or refused with one line per problem, never thrown otherwise', () => {
    fc.assert(
      fc.property(fc.array(hostileEntry, { maxLength: 4 }), (entries) => {
        const text = `${baseYaml}faultSchedule:\n${stringify(entries.length === 0 ? [{}] : entries, { lineWidth: 0 }).replace(/^/gm, '  ')}`;
        try {
          const s = parseScenario(text, 'fuzz.yaml');
          for (const f of s.faultSchedule ?? []) assert.ok(FAULT_KIND_NAMES.includes(f.kind));
        } catch (err) {
          if (!(err instanceof ScenarioError)) throw err;
          for (const line of err.message.split('\n')) assert.match(line, /^fuzz\.yaml:\d+:\d+: /);
        }
      }),
      fuzzParameters(60),
    );
  });

  test('any accepted schedule runs to its end and is checked without throwing', () => {
    fc.assert(
      fc.property(fc.array(validEntry, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 1000 }), (schedule, seed) => {
        const run = runChecked(withSchedule(base, seed, schedule));
        assert.ok(run.settled);
        assert.ok(run.events > 0);
        for (const v of run.violations) assert.ok(v.detail.length > 0 && !v.detail.includes('\n'));
      }),
      fuzzParameters(25),
    );
  });
});
