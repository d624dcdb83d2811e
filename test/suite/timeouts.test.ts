/**
 * Every test runs under a timeout it states: a hung socket or child process fails its own test with
 * a name, instead of only the runner's per-file budget. Checked over the source of test/**\/*.test.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { timeoutProblems } from './stated-timeouts.ts';

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return testFiles(path);
      return name.endsWith('.test.ts') ? [path] : [];
    });
}

const problemsIn = (source: string) => timeoutProblems('example.test.ts', source).map((p) => `${p.line}: ${p.problem}`);

describe('stated timeouts', { timeout: 60_000 }, () => {
  it('every test file states a timeout for each of its outermost suites and tests, none longer than its suite', () => {
    const files = testFiles(TEST_DIR);
    assert.ok(files.length > 50, `found ${files.length} test files under ${TEST_DIR}`);
    const problems = files.flatMap((f) => timeoutProblems(f, readFileSync(f, 'utf8')).map((p) => `test/${relative(TEST_DIR, f)}:${p.line}: ${p.call}: ${p.problem}`));
    assert.deepEqual(problems, []);
  });

  it('the check accepts a timeout on the suite, on a const, or on each test and hook of a suite', () => {
    assert.deepEqual(problemsIn(`describe('s', { timeout: 5_000 }, () => { it('t', () => {}); });`), []);
    assert.deepEqual(problemsIn(`const T = { timeout: 5_000 };\nit('t', T, async () => {});`), []);
    assert.deepEqual(problemsIn(`describe('s', () => {\n  before(() => {}, { timeout: 1000 });\n  it('t', { timeout: 1000 }, () => {});\n  it.skip('u', { timeout: 1000 }, () => {});\n});`), []);
    assert.deepEqual(problemsIn(`const ms = 9;\nfor (const m of ['a']) describe(\`s \${m}\`, { timeout: ms }, () => { it('t', () => {}); });`), []);
  });

  it('the check names a test or suite without one, a suite whose hook has none, and a test longer than its suite', () => {
    assert.deepEqual(problemsIn(`it('t', async () => {});`), ['1: no timeout: state one in its options (or on each test and hook of the suite)']);
    assert.deepEqual(problemsIn(`describe('s', () => {\n  after(() => {});\n  it('t', { timeout: 1000 }, () => {});\n});`), ['1: no timeout: state one in its options (or on each test and hook of the suite)']);
    assert.deepEqual(problemsIn(`describe('s', { timeout: 1000 }, () => {\n  it('t', { timeout: 2000 }, () => {});\n});`), ['2: its timeout 2000 ms is longer than the 1000 ms of the suite around it']);
  });
});
