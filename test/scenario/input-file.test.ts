import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkInputFile, INPUT_FILES, InputFileError, readInputFile } from '../../src/scenario/input-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-input-file-'));
const tiny = { label: 'test file', maxBytes: 16 };

function failure(fn: () => unknown): InputFileError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputFileError, `expected an InputFileError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the file to be refused');
}

describe('the bounded input file reader', { timeout: 30_000 }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a regular file within its bound as UTF-8 text', () => {
    writeFileSync(join(dir, 'ok.txt'), 'name: x\n');
    assert.equal(readInputFile(join(dir, 'ok.txt'), tiny), 'name: x\n');
  });

  it('refuses a missing file, naming it and its kind', () => {
    const err = failure(() => readInputFile(join(dir, 'missing.yaml'), INPUT_FILES.scenario));
    assert.equal(err.message, `${join(dir, 'missing.yaml')}: scenario file not found`);
  });

  it('refuses a directory', () => {
    assert.equal(failure(() => readInputFile(dir, INPUT_FILES.policy)).reason, 'is a directory, not a policy file');
  });

  it('refuses a character device such as /dev/zero without reading it', () => {
    assert.equal(failure(() => readInputFile('/dev/zero', INPUT_FILES.scenario)).reason, 'is a character device, not a regular file: it cannot be read as a scenario file');
    assert.match(failure(() => checkInputFile('/dev/zero', INPUT_FILES.accProvision)).reason, /character device.*an acc-provision input file/);
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo (coreutils) made the FIFO');
    assert.match(failure(() => readInputFile(fifo, INPUT_FILES.plan)).reason, /^is a FIFO, not a regular file/);
  });

  it('refuses a file over its bound from its size, before reading it', () => {
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(17));
    assert.equal(failure(() => readInputFile(join(dir, 'big.txt'), tiny)).reason, 'test file is too large (17 bytes; the limit is 16 bytes)');
    writeFileSync(join(dir, 'exact.txt'), 'x'.repeat(16));
    assert.equal(readInputFile(join(dir, 'exact.txt'), tiny).length, 16);
  });

  it('stops at the bound when the size on disk says nothing (a /proc file reports 0 bytes)', () => {
    assert.match(failure(() => readInputFile('/proc/self/status', tiny)).reason, /^test file is too large \(over the limit of 16 bytes\)$/);
    assert.match(readInputFile('/proc/self/status', { label: 'status', maxBytes: 1 << 20 }), /^Name:/);
  });

  it('has a bound for every kind the command line reads', () => {
    for (const [kind, spec] of Object.entries(INPUT_FILES)) assert.ok(spec.maxBytes > 0 && Number.isSafeInteger(spec.maxBytes), kind);
  });
});
