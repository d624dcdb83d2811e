#!/usr/bin/env node
// Runs every test/**/*.test.ts (or those whose path contains an argument) with node's own test
// runner (Node 20 has no glob for --test), several files at a time: most of them wait on sockets,
// child processes and timers rather than the CPU. The last line is node's own summary.
//   TEST_CONCURRENCY=n  files at once (default FILE_CONCURRENCY)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

/** Files run at once; on the 2-core machine 4 was fastest (docs/limits.md, "The test suite"). */
const FILE_CONCURRENCY = 4;
/** A file still running after this long is cancelled: the last stop for a hang (each test states its own timeout). */
const FILE_TIMEOUT_MS = 900_000;

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

const filters = process.argv.slice(2);
const files = findTests('test').filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}
const concurrency = Math.round(positiveNumber('TEST_CONCURRENCY', FILE_CONCURRENCY));
// A long fuzz exploration (FUZZ_SCALE > 1) runs its files that much longer.
const fileTimeoutMs = Math.round(FILE_TIMEOUT_MS * Math.max(1, positiveNumber('FUZZ_SCALE', 1)));
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, `--test-timeout=${fileTimeoutMs}`, ...files];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
