import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runChecked } from '../../src/check/checked-run.ts';
import { explore } from '../../src/check/explorer.ts';
import { scenarioYaml } from '../../src/check/scenario-document.ts';
import { scenarioForSeed } from '../../src/check/schedule-generator.ts';
import { formatTraceLine } from '../../src/kernel/trace.ts';
import { FAULT_KIND_NAMES } from '../../src/scenario/fault-schema.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/loader.ts';
import { simulate } from '../../src/simulation.ts';
import { runCli } from '../support/capture.ts';

const base = loadBuiltinScenario();
/** Events `simulate` emits for its reports, beside the model's own. */
const SIMULATE_REPORT_EVENTS = new Set(['run', 'settings', 'leaf-pair', 'milestone', 'opflex-message', 'probe-lost']);
const all = { kinds: FAULT_KIND_NAMES, swarm: true };

describe('the same seed gives the same schedule, verdict and reproduction', { timeout: 120_000 }, () => {
  test('a seed draws the same schedule every time, and another seed another one', () => {
    assert.deepEqual(scenarioForSeed(base, 42, all), scenarioForSeed(base, 42, all));
    assert.notDeepEqual(scenarioForSeed(base, 42, all).faultSchedule, scenarioForSeed(base, 43, all).faultSchedule);
  });

  test('outcomes are identical with one job and with two worker threads', { timeout: 90_000 }, async () => {
    const one = await explore({ base, seeds: 24, jobs: 1, ...all, shrink: false });
    const two = await explore({ base, seeds: 24, jobs: 2, ...all, shrink: false });
    assert.deepEqual(two.outcomes, one.outcomes);
    assert.deepEqual(two.faultsInjected, one.faultsInjected);
    assert.ok(Object.keys(one.faultsInjected).length > 5, 'the seeds inject several kinds');
  });

  test('a scenario written back as a file loads as the same scenario, a multipod one with its pods', () => {
    for (const from of [base, loadBuiltinScenario('multipod')]) {
      const s = scenarioForSeed(from, 5, { kinds: FAULT_KIND_NAMES, swarm: false });
      const { source: _a, ...written } = s;
      const { source: _b, ...read } = parseScenario(scenarioYaml(s, ['a comment']), 'back.yaml');
      assert.deepEqual(read, written);
    }
  });

  test('simulate replays a checked run: the same model events byte for byte, and the same file twice gives the same trace', () => {
    const s = scenarioForSeed(base, 7, { kinds: FAULT_KIND_NAMES, swarm: false });
    assert.ok((s.faultSchedule?.length ?? 0) > 0);
    const checked = runChecked(s, { recordTrace: true });
    const file = parseScenario(scenarioYaml(s), 'replay.yaml');
    const simulated = simulate(file, { recordTrace: true });
    // simulate adds its report's own events (the run header, milestones, the message exchange) to the model's.
    const modelEvents = simulated.trace.filter((e) => !SIMULATE_REPORT_EVENTS.has(e.event));
    assert.equal(modelEvents.map(formatTraceLine).join('\n'), checked.trace!.map(formatTraceLine).join('\n'));
    assert.ok(modelEvents.some((e) => e.event === 'fault-start'));
    assert.equal(simulate(file, { recordTrace: true }).trace.map(formatTraceLine).join('\n'), simulated.trace.map(formatTraceLine).join('\n'));
  });
});

describe('opflex-twin check', { timeout: 120_000 }, () => {
  test('finds nothing unexplained in the default scenario, names the hazards and exits 0', { timeout: 60_000 }, async () => {
    const { code, stdout, stderr } = await runCli(['check', '--seeds', '30', '--swarm', '--jobs', '1', '--json']);
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout) as { seedsRun: number; faultsInjected: Record<string, number>; hazardsByName: Record<string, number>; violationsByInvariant: Record<string, number> };
    assert.equal(summary.seedsRun, 30);
    assert.deepEqual(summary.violationsByInvariant, {});
    assert.ok(summary.hazardsByName['reconnect-disabled-reset-lost']! > 0);
  });

  test('--strict fails on a known hazard; --replay re-checks a reproduction with the trace around it', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-'));
    const file = join(dir, 'lost-delete.yaml');
    const s = { ...scenarioForSeed(base, 1, { kinds: [], swarm: false }), faultSchedule: [{ atMs: 20_000, kind: 'platform-config-delete-lost' as const, node: 'node-1', forMs: 40_000 }] };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, scenarioYaml(s));
    const relaxed = await runCli(['check', '--replay', file]);
    assert.equal(relaxed.code, 0, relaxed.stderr);
    assert.match(relaxed.stdout, /known hazard reconnect-disabled-reset-lost on node-1/);
    const strict = await runCli(['check', '--replay', file, '--strict']);
    assert.equal(strict.code, 1);
    assert.equal(loadScenarioFile(file).faultSchedule!.length, 1);
  });

  test('usage errors exit 2 and name the option', async () => {
    const bad = await runCli(['check', '--faults', 'partition,volcano']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--faults: unknown fault kind "volcano" \(known: all, session-reset/);
    const seeds = await runCli(['check', '--seeds', '0']);
    assert.equal(seeds.code, 2);
    assert.match(seeds.stderr, /--seeds must be between 1 and/);
    const pastLast = await runCli(['check', '--first-seed', String(Number.MAX_SAFE_INTEGER), '--seeds', '2']);
    assert.equal(pastLast.code, 2);
    assert.match(pastLast.stderr, /--first-seed 9007199254740991 with --seeds 2 goes past the last seed, 9007199254740991/);
  });

  test('nothing is written when nothing unexplained is found', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-out-'));
    const { code } = await runCli(['check', '--seeds', '3', '--jobs', '1', '--out', join(dir, 'repro')]);
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(dir), []);
    void readFileSync;
  });
});
