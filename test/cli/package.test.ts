/**
 * The package as a user gets it: `npm pack` (which builds dist/ through `prepare`) of a copy of this
 * checkout, installed from the tarball into an empty folder, runs from node_modules/.bin with only its
 * runtime dependencies: simulate names the default scenario's migrations, the HTML report finds its
 * assets, check's and sweep's worker threads start, and the tarball holds no tests, benchmarks or CI files.
 * The copy keeps `npm pack` from rebuilding this checkout's dist/ while other tests run it.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { RedisServer } from '../support/redis-server.ts';
import { waitFor } from '../transport/socket-helpers.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Installing from the registry can be slow on a busy CI machine. */
const NPM_TIMEOUT_MS = 240_000;
/** Top-level entries of the checkout not copied: installed or built ones, and git's. */
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', 'out', 'tmp']);

const work = mkdtempSync(join(tmpdir(), 'opflex-twin-package-'));
const source = join(work, 'source');
const packed = join(work, 'packed');
const user = join(work, 'user');
let tarball = '';
let files: string[] = [];

function npm(args: string[], cwd: string) {
  return run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, timeout: NPM_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
}

function cli(args: string[]) {
  return run(join(user, 'node_modules', '.bin', 'opflex-twin'), args, { cwd: user, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
}

describe('the npm package', { timeout: 600_000 }, () => {
  before(async () => {
    cpSync(ROOT, source, { recursive: true, filter: (from) => !NOT_COPIED.has(relative(ROOT, from).split(/[\\/]/)[0]!) });
    // The build's TypeScript comes from this checkout's devDependencies.
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
    mkdirSync(packed);
    mkdirSync(user);
    const { stdout } = await npm(['pack', '--json', '--pack-destination', packed], source);
    const [info] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = join(packed, info!.filename);
    files = info!.files.map((f) => f.path);
    await npm(['install', '--prefer-offline', tarball], user);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('ships the compiled CLI and the files it reads, and no tests, benchmarks, CI files or sources', () => {
    for (const needed of ['bin/opflex-twin.mjs', 'dist/cli/main.js', 'dist/check/seed-worker.js', 'dist/sweep/seed-range-thread.js', 'dist/distributed/job-thread.js', 'dist/module-thread.js', 'dist/scenario/builtin/default.yaml', 'dist/report/html/report-app.js', 'dist/report/html/report.css', 'package.json', 'README.md']) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    const unwanted = files.filter((f) => /^(test|bench|\.ci|src|scripts|node_modules)\//.test(f) || f.startsWith('tsconfig'));
    assert.deepEqual(unwanted, []);
  });

  it('installs with its runtime dependencies only: no TypeScript tooling', () => {
    assert.ok(existsSync(join(user, 'node_modules', 'yaml')));
    assert.ok(!existsSync(join(user, 'node_modules', 'tsx')), 'tsx is not installed');
    assert.ok(!existsSync(join(user, 'node_modules', 'typescript')), 'typescript is not installed');
  });

  it("simulates the built-in default scenario and names each of its migrations", { timeout: 120_000 }, async () => {
    const scenario = parse(readFileSync(join(ROOT, 'src', 'scenario', 'builtin', 'default.yaml'), 'utf8')) as { migrations: { node: string; to: string }[] };
    assert.ok(scenario.migrations.length > 0);
    const { stdout } = await cli(['simulate']);
    scenario.migrations.forEach((m, i) => {
      assert.match(stdout, new RegExp(`^Migration ${i + 1}: ${m.node} .*-> ${m.to} `, 'm'));
    });
  });

  it('prints the command list and a command\'s help', { timeout: 60_000 }, async () => {
    const list = await cli(['--help']);
    assert.match(list.stdout, /^ {2}simulate +Simulate a scenario/m);
    const viaHelp = await cli(['help', 'simulate']);
    const viaOption = await cli(['simulate', '--help']);
    assert.equal(viaHelp.stdout, viaOption.stdout);
    assert.match(viaHelp.stdout, /--seed <n>/);
  });

  it('writes the HTML report with its script, style and uPlot from the installed files', { timeout: 120_000 }, async () => {
    await cli(['simulate', '--html', 'report.html']);
    const page = readFileSync(join(user, 'report.html'), 'utf8');
    const uplot = readFileSync(join(user, 'node_modules', 'uplot', 'dist', 'uPlot.iife.min.js'), 'utf8');
    const appCss = readFileSync(join(ROOT, 'src', 'report', 'html', 'report.css'), 'utf8');
    assert.ok(page.includes(uplot.slice(0, 200)), 'uPlot is inlined');
    assert.ok(page.includes(appCss.trim().slice(0, 200)), 'the report style is inlined');
  });

  it('runs queued jobs in worker threads from the compiled job thread', { timeout: 180_000 }, async () => {
    const redis = await RedisServer.start();
    const worker = spawn(join(user, 'node_modules', '.bin', 'opflex-twin'), ['worker', '--queue', redis.url, '--concurrency', '2'], { cwd: user });
    let workerOut = '';
    worker.stdout.on('data', (d: Buffer) => (workerOut += d.toString()));
    worker.stderr.on('data', (d: Buffer) => (workerOut += d.toString()));
    const exited = new Promise<number | null>((resolve) => worker.on('close', resolve));
    try {
      await waitFor(() => /taking jobs from/.test(workerOut) || worker.exitCode !== null, 'the installed worker to connect', 60_000);
      const vary = ['compare', '--vary', 'enable_opflex_agent_reconnect=false,true'];
      const queued = await cli([...vary, '--queue', redis.url]);
      const local = await cli(vary);
      assert.equal(queued.stdout, local.stdout);
      worker.kill('SIGTERM');
      assert.equal(await exited, 0, workerOut);
    } finally {
      worker.kill('SIGKILL');
      await redis.kill();
    }
  });

  it('runs check in worker threads from the compiled seed worker', { timeout: 180_000 }, async () => {
    // Exit code 1 (a finding) is an outcome of the exploration, not of the packaging: read the summary either way.
    const { stdout } = await cli(['check', '--seeds', '2', '--jobs', '2', '--json']).catch((err: { code?: number; stdout?: string }) => {
      if (err.code === 1 && err.stdout) return { stdout: err.stdout };
      throw err;
    });
    const summary = JSON.parse(stdout) as { seedsRun: number };
    assert.equal(summary.seedsRun, 2);
  });

  it('runs sweep in worker threads from the compiled seed-range thread', { timeout: 180_000 }, async () => {
    // Nine seeds of the default scenario are two seed ranges (8 and 1): one for each thread.
    const { stdout } = await cli(['sweep', '--seeds', '9', '--jobs', '2', '--json']);
    const sweep = JSON.parse(stdout) as { scenarios: { variants: { runs: { seed: number }[] }[] }[] };
    assert.deepEqual(sweep.scenarios[0]!.variants[0]!.runs.map((r) => r.seed), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
