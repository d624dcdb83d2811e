import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/capture.ts';

describe('show', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-show-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the report next to the trace when no -o is given', async () => {
    const trace = join(dir, 'run.ndjson');
    assert.equal((await runCli(['simulate', '--trace', trace])).code, 0);
    const { code, stderr } = await runCli(['show', trace]);
    assert.equal(code, 0, stderr);
    assert.match(stderr, /Wrote .*run\.html \(2 migrations\)/);
    assert.match(readFileSync(join(dir, 'run.html'), 'utf8'), /^<!doctype html>/);
  });

  it('names the file and line of a broken trace, in one line', async () => {
    const trace = join(dir, 'broken.ndjson');
    writeFileSync(trace, '{"tMs":0,"actor":"simulation","event":"run","scenario":"x"}\n{"tMs":1,"actor":"a"\n');
    const { code, stderr } = await runCli(['show', trace, '-o', join(dir, 'x.html')]);
    assert.equal(code, 1);
    assert.equal(stderr, `opflex-twin show: ${trace}:2: not JSON\n`);
  });

  it('says when a trace has no run header or does not exist', async () => {
    const trace = join(dir, 'old.ndjson');
    writeFileSync(trace, '{"tMs":0,"actor":"leaf-101","event":"epm-learn"}\n');
    const old = await runCli(['show', trace, '-o', join(dir, 'y.html')]);
    assert.equal(old.code, 1);
    assert.match(old.stderr, /old\.ndjson: no "run" event: the trace was not written by opflex-twin simulate/);
    const missing = await runCli(['show', join(dir, 'nope.ndjson')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `opflex-twin show: ${join(dir, 'nope.ndjson')}: no such file\n`);
  });
});
