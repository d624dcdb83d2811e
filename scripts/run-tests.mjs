#!/usr/bin/env node
// Runs every test/**/*.test.ts (or those whose path contains an argument) with node's own test
// runner (Node 20 has no glob for --test), several files at a time: most of them wait on sockets,
// child processes and timers rather than the CPU. The last line is node's own summary.
//   TEST_CONCURRENCY=n  files at once (default FILE_CONCURRENCY)
//   TEST_RUN_TIMEOUT_MS=n  the whole run's bound (default RUN_TIMEOUT_MS)
// Files start longest first, by the durations the previous run kept in DURATIONS_FILE (a file
// with no record counts as long); `--slowest` prints that record's slowest files and exits.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

/** Files run at once; on the 2-core machine 4 was fastest (docs/limits.md, "The test suite"). */
const FILE_CONCURRENCY = 4;
/** A file still running after this long is cancelled: the last stop for a hang (each test states its own timeout). */
const FILE_TIMEOUT_MS = 900_000;
/**
 * The whole run is killed past this, and CI ends red: a file whose timed-out test left sockets or
 * timers behind runs on after its tests (and Node 20's runner was seen spinning in its parent after a
 * failing fast-check file when it ran with --test-force-exit).
 */
const RUN_TIMEOUT_MS = 900_000;
/** Seconds per test file from the last runs (gitignored, like everything in node_modules). */
const DURATIONS_FILE = 'node_modules/.cache/opflex-twin/test-file-durations.json';
/** How many files `--slowest` lists. */
const SLOWEST_LISTED = 15;

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0)) {
    console.error(`run-tests: ${name} must be a positive number, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

/** {relative path: seconds}; empty when there is no record yet or it does not parse. */
function readDurations(path) {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8'));
    return record && typeof record === 'object' ? record : {};
  } catch {
    return {};
  }
}

const durations = readDurations(DURATIONS_FILE);
const args = process.argv.slice(2);
if (args.includes('--slowest')) {
  const slowest = Object.entries(durations).sort((a, b) => b[1] - a[1]).slice(0, SLOWEST_LISTED);
  for (const [file, seconds] of slowest) console.log(`${seconds.toFixed(1).padStart(7)} s  ${file}`);
  process.exit(0);
}

const files = findTests('test').filter((f) => args.length === 0 || args.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}
// Longest first, so no long file starts near the end while the others are done (stable: ties keep path order).
const expectedSeconds = (f) => durations[f] ?? Infinity;
files.sort((a, b) => expectedSeconds(b) - expectedSeconds(a));

const concurrency = Math.round(positiveNumber('TEST_CONCURRENCY', FILE_CONCURRENCY));
// No --test-force-exit: with files running concurrently it loses the tail of a file's verdicts now
// and then, and the run still ends 0 (nodejs/node#64833; seen here: one CI run reported 1,028 of 1,043
// tests, codec.test.ts's last three suites missing). Without it a passing run ends as soon as its files
// do; a test that timed out and left sockets behind keeps its file running, and RUN_TIMEOUT_MS ends
// that run red.
// A long fuzz exploration (FUZZ_SCALE > 1) runs its files that much longer.
const fileTimeoutMs = Math.round(FILE_TIMEOUT_MS * Math.max(1, positiveNumber('FUZZ_SCALE', 1)));
mkdirSync(dirname(DURATIONS_FILE), { recursive: true });
const thisRun = `${DURATIONS_FILE}.${process.pid}`;
const runTimeoutMs = Math.round(positiveNumber('TEST_RUN_TIMEOUT_MS', RUN_TIMEOUT_MS) * Math.max(1, positiveNumber('FUZZ_SCALE', 1)));
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${resolve('scripts/file-durations-reporter.mjs')}`, `--test-reporter-destination=${thisRun}`,
    `--test-concurrency=${concurrency}`, `--test-timeout=${fileTimeoutMs}`,
    ...files,
  ],
  { stdio: 'inherit', timeout: runTimeoutMs, killSignal: 'SIGKILL' },
);
const killed = result.error?.code === 'ETIMEDOUT';

// Keep this run's durations (summed per file, by path relative to the checkout) with the earlier runs' of other files.
const measured = {};
let lines = [];
try {
  lines = readFileSync(thisRun, 'utf8').split('\n').filter(Boolean);
} catch {
  // no record of this run (it ended before any test did)
}
for (const line of lines) {
  try {
    const { file, seconds } = JSON.parse(line);
    const path = relative(process.cwd(), file);
    measured[path] = (measured[path] ?? 0) + seconds;
  } catch {
    // a line cut short when the run ended
  }
}
if (Object.keys(measured).length > 0) {
  writeFileSync(thisRun, `${JSON.stringify({ ...durations, ...measured }, null, 1)}\n`);
  renameSync(thisRun, DURATIONS_FILE);
} else {
  rmSync(thisRun, { force: true });
}
if (killed) {
  console.error(`run-tests: the test runner had not finished after ${runTimeoutMs / 1000} s and was killed (the files still running are the last ones started above)`);
  console.log('0 passed, 1 failed');
}
process.exit(killed ? 1 : (result.status ?? 1));
