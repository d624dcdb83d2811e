/**
 * `opflex-twin sweep` as a specification: each row sums the single runs it stands for (what
 * `simulate --seed S --set ...` reports for those seeds), the printed worst seed re-runs as stated,
 * the bytes do not depend on the thread count, a sweep file says what the options say, and its
 * mistakes are named at file:line:column.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/capture.ts';

/** Two grid values under two named variants, three seeds: 12 runs of the default scenario. */
const OPTIONS = ['--vary', 'latencies.apicFetch=10ms,400ms', '--variant', 'baseline', '--variant', 'reconnect:enable_opflex_agent_reconnect=true,opflex_agent_reset_wait_delay=1', '--seeds', '3', '--first-seed', '4'];
const SWEEP_FILE = `# the same sweep as OPTIONS
scenarios: [builtin:default]
vary:
  latencies.apicFetch: [10ms, 400ms]
variants:
  - name: baseline
  - name: reconnect
    set:
      enable_opflex_agent_reconnect: true
      opflex_agent_reset_wait_delay: 1
seeds: 3
firstSeed: 4
`;

interface SimulatedRun {
  migrations: { outageMs: number; converged: boolean; downloadedObjects: unknown[]; milestones: { name: string }[] }[];
  plan: { outageMs: { p50: number; p95: number; max: number } };
}

interface SweepJson {
  firstSeed: number;
  seeds: number;
  scenarios: {
    name: string;
    best: string[];
    variants: {
      label: string;
      sets: string[];
      moves: number;
      converged: number;
      outageMs: { p50: number; p95: number; max: number };
      downloaded: number;
      resets: number;
      worstSeed: number;
      rerun: string;
      runs: { seed: number; moves: number; converged: number; outageMs: number[]; downloaded: number; resets: number }[];
    }[];
  }[];
}

/** Nearest rank, written out here rather than taken from the code under test. */
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1]!;
}

async function simulated(seed: number, sets: string[]): Promise<SimulatedRun> {
  const run = await runCli(['simulate', '--seed', String(seed), ...sets.flatMap((s) => ['--set', s]), '--json']);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as SimulatedRun;
}

describe('sweep', { timeout: 300_000 }, () => {
  let text: string;
  let json: SweepJson;
  const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-sweep-'));

  before(async () => {
    const printed = await runCli(['sweep', ...OPTIONS, '--jobs', '1']);
    assert.equal(printed.code, 0, printed.stderr);
    text = printed.stdout;
    const asJson = await runCli(['sweep', ...OPTIONS, '--jobs', '1', '--json']);
    assert.equal(asJson.code, 0, asJson.stderr);
    json = JSON.parse(asJson.stdout) as SweepJson;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every variant, named variants under each grid value, over the seeds asked for', () => {
    const variants = json.scenarios[0]!.variants;
    assert.deepEqual(variants.map((v) => v.label), ['baseline latencies.apicFetch=10ms', 'baseline latencies.apicFetch=400ms', 'reconnect latencies.apicFetch=10ms', 'reconnect latencies.apicFetch=400ms']);
    assert.deepEqual(variants[3]!.sets, ['enable_opflex_agent_reconnect=true', 'opflex_agent_reset_wait_delay=1', 'latencies.apicFetch=400ms']);
    for (const v of variants) assert.deepEqual(v.runs.map((r) => r.seed), [4, 5, 6]);
    assert.match(text, /^opflex-twin sweep: 1 scenario x 4 variants x 3 seeds \(4\.\.6\), 12 runs$/m);
  });

  it('each row sums the single runs simulate reports for its seeds: moves, converged, downloads, resets, outage p50/p95/max over every move', async () => {
    for (const v of json.scenarios[0]!.variants) {
      const runs = await Promise.all([4, 5, 6].map((seed) => simulated(seed, v.sets)));
      const outages = runs.flatMap((r) => r.migrations.map((m) => m.outageMs));
      runs.forEach((r, i) => {
        assert.deepEqual(v.runs[i]!.outageMs, r.migrations.map((m) => m.outageMs), `${v.label} seed ${4 + i}: each move's outage`);
        assert.equal(Math.max(...v.runs[i]!.outageMs), r.plan.outageMs.max, `${v.label} seed ${4 + i}: the longest outage simulate reports`);
      });
      assert.equal(v.moves, outages.length);
      assert.equal(v.converged, runs.flatMap((r) => r.migrations).filter((m) => m.converged).length);
      assert.equal(v.downloaded, runs.flatMap((r) => r.migrations).reduce((n, m) => n + m.downloadedObjects.length, 0));
      assert.equal(v.resets, runs.flatMap((r) => r.migrations).reduce((n, m) => n + m.milestones.filter((s) => s.name === 'agent-reset' || s.name === 'agent-reload').length, 0));
      assert.deepEqual(v.outageMs, { p50: nearestRank(outages, 0.5), p95: nearestRank(outages, 0.95), max: Math.max(...runs.map((r) => r.plan.outageMs.max)) });
      const worst = runs.findIndex((r) => r.plan.outageMs.max === v.outageMs.max);
      if (v.converged === v.moves) assert.equal(v.worstSeed, 4 + worst, `${v.label}: the first seed with the longest outage`);
      const row = text.split('\n').find((line) => line.startsWith(`${v.label} `));
      assert.ok(row, `a row for ${v.label}`);
      const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
      assert.deepEqual(row.split(/\s{2,}/).slice(1), [String(v.moves), String(v.converged), seconds(v.outageMs.p50), seconds(v.outageMs.p95), seconds(v.outageMs.max), String(v.downloaded), String(v.resets), String(v.worstSeed)]);
    }
  });

  it('names the best variants by its stated criterion (every one that ties on all of it) and the command that re-runs the first one\'s worst seed', () => {
    const variants = json.scenarios[0]!.variants;
    const notConverged = (v: (typeof variants)[number]) => v.moves - v.converged;
    const order = (a: (typeof variants)[number], b: (typeof variants)[number]) => notConverged(a) - notConverged(b) || a.outageMs.p95 - b.outageMs.p95 || a.outageMs.max - b.outageMs.max || a.downloaded - b.downloaded;
    const first = [...variants].sort(order)[0]!;
    const tied = variants.filter((v) => order(v, first) === 0);
    assert.deepEqual(json.scenarios[0]!.best, tied.map((v) => v.label));
    const criterion = '\\(fewest moves not converged, then lowest outage p95, then lowest longest outage, then fewest objects downloaded\\)';
    const named = tied.length === 1 ? tied[0]!.label : tied.length === variants.length ? 'none, every variant ties' : `${tied.map((v) => v.label).join(', ')} tie`;
    assert.match(text, new RegExp(`^best: ${named} ${criterion}$`, 'm'));
    const rerun = `opflex-twin simulate --builtin default --seed ${tied[0]!.worstSeed} ${tied[0]!.sets.map((s) => `--set ${s}`).join(' ')}`;
    assert.equal(tied[0]!.rerun, rerun);
    assert.ok(text.includes(`${tied.length === 1 ? 'its' : `${tied[0]!.label}'s`} worst seed: ${rerun}\n`));
  });

  it('says so when variants tie on the whole criterion instead of picking the first', async () => {
    const same = ['--variant', 'a:latencies.apicFetch=10ms', '--variant', 'b:latencies.apicFetch=10ms'];
    const allTie = await runCli(['sweep', ...same, '--seeds', '2', '--jobs', '1']);
    assert.equal(allTie.code, 0, allTie.stderr);
    assert.match(allTie.stdout, /^best: none, every variant ties \(fewest moves not converged, /m);
    assert.match(allTie.stdout, /^a's worst seed: opflex-twin simulate --builtin default --seed \d+ --set latencies\.apicFetch=10ms$/m);
    const twoTie = await runCli(['sweep', ...same, '--variant', 'slow:latencies.apicFetch=3s', '--seeds', '2', '--jobs', '1', '--json']);
    assert.equal(twoTie.code, 0, twoTie.stderr);
    assert.deepEqual((JSON.parse(twoTie.stdout) as { scenarios: { best: string[] }[] }).scenarios[0]!.best, ['a', 'b']);
  });

  it('prints the same bytes with two worker threads as with one, as text and as JSON', async () => {
    const threads = await runCli(['sweep', ...OPTIONS, '--jobs', '2']);
    assert.equal(threads.code, 0, threads.stderr);
    assert.equal(threads.stdout, text);
    const threadsJson = await runCli(['sweep', ...OPTIONS, '--jobs', '2', '--json']);
    assert.deepEqual(JSON.parse(threadsJson.stdout), json);
  });

  it('a sweep file that says what the options say prints the same bytes', async () => {
    const file = join(dir, 'sweep.yaml');
    writeFileSync(file, SWEEP_FILE);
    const fromFile = await runCli(['sweep', file, '--jobs', '2']);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromFile.stdout, text);
  });

  it('names each mistake of a sweep file at its file:line:column and field, exit 1', async () => {
    const file = join(dir, 'mistakes.yaml');
    writeFileSync(file, ['scenarios: [builtin:default]', 'vary:', '  apicFetc: [10ms]', 'variants:', '  - name: a', '    set: { enable_opflex_agent_reconect: true }', '  - name: a', ''].join('\n'));
    const run = await runCli(['sweep', file]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 3, run.stderr);
    assert.match(lines[0]!, new RegExp(`^opflex-twin sweep: ${file.replace(/[.]/g, '\\.')}:3:3: vary\\.apicFetc: Unknown key "apicFetc" \\(did you mean latencies\\.apicFetch\\?\\)`));
    assert.match(lines[1]!, /:6:12: variants\[0\]\.set\.enable_opflex_agent_reconect: Unknown key "enable_opflex_agent_reconect"/);
    assert.match(lines[2]!, /:7:11: variants\[1\]\.name: variant "a" is named twice$/);

    writeFileSync(file, 'seeds: 0\nfirstSeed: -1\nvarients: []\n');
    const schema = await runCli(['sweep', file]);
    assert.deepEqual(schema.stderr.trimEnd().split('\n').map((l) => l.slice(l.indexOf('mistakes.yaml'))), [
      'mistakes.yaml:1:8: seeds: must be >= 1, got 0',
      'mistakes.yaml:2:12: firstSeed: must be >= 0, got -1',
      'mistakes.yaml:3:1: varients: unknown key "varients" (did you mean "variants"?)',
    ]);

    writeFileSync(file, 'scenarios:\n  - builtin:default\n  - no-such-plan.yaml\n');
    const missing = await runCli(['sweep', file]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^opflex-twin sweep: \S+mistakes\.yaml:3:5: scenarios\[1\]: \S*no-such-plan\.yaml: scenario file not found\n$/);
  });

  it('refuses a sweep file with the options that also say what to run, and bounds and malformed options, in one line, exit 2', async () => {
    const cases: [string[], string][] = [
      [['sweep', 'some.yaml', '--seeds', '3', '--vary', 'start=cold'], 'give the sweep file or --vary, --seeds, not both: the file says what the sweep runs'],
      [['sweep', '--variant', ':start=cold'], '--variant takes NAME[:KEY=VALUE,...], got ":start=cold"'],
      [['sweep', '--variant', 'x:start'], '--variant x: takes KEY=VALUE, got "start"'],
      [['sweep', '--vary', 'start=cold', '--vary', 'start=steady'], '--vary start is given twice: list all its values in one --vary'],
      [['sweep', '--seeds', '10001'], '--seeds: 10001 seeds; at most 10000'],
      [['sweep', '--vary', 'duration=1s,2s,3s,4s,5s,6s,7s,8s,9s,10s,11s,12s,13s,14s,15s,16s', '--vary', 'latencies.apicFetch=1ms,2ms,3ms,4ms,5ms,6ms,7ms,8ms,9ms,10ms,11ms,12ms,13ms,14ms,15ms,16ms,17ms'], '--vary: 272 variants; at most 256 run in one sweep'],
      [['sweep', '--jobs', '2', '--queue', 'redis://127.0.0.1:1'], '--jobs is for a local sweep: with --queue, start as many workers as you like'],
      [['sweep', '--sweep', 'abc'], '--sweep needs --queue'],
    ];
    for (const [argv, message] of cases) {
      const run = await runCli(argv);
      assert.equal(run.code, 2, argv.join(' '));
      assert.equal(run.stderr, `opflex-twin sweep: ${message}\nRun "opflex-twin sweep --help" for usage.\n`);
    }
  });

  it('a run over its event budget: one line per seed range naming scenario, variant and seeds, nothing on stdout, exit 1', async () => {
    const run = await runCli(['sweep', '--vary', 'latencies.apicFetch=10ms,50ms', '--seeds', '2', '--max-events', '100', '--jobs', '1']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.replace(/ failed: .*/, '')), [
      'opflex-twin sweep: built-in:default, latencies.apicFetch=10ms, seeds 1..2',
      'opflex-twin sweep: built-in:default, latencies.apicFetch=50ms, seeds 1..2',
    ]);
    for (const line of lines) assert.match(line, / failed: seed 1: the run stopped after 100 events/);
  });
});
