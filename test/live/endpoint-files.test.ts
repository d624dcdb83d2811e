import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { endpointFilesFor, readEndpointDir } from '../../src/live/endpoint-files.ts';
import { endpointFileMaxBytes } from '../../src/scenario/input-file.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';

const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-eps-'));

describe('reading an endpoint directory', { timeout: 30_000 }, () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('skips an oversized file and a FIFO with a problem each, and loads the rest', () => {
    const scenario = loadBuiltinScenario('default');
    const [first] = endpointFilesFor(scenario.nodes[0]!, scenario.policy.tenant);
    writeFileSync(join(dir, first![0]), first![1]);
    writeFileSync(join(dir, 'huge.ep'), ' '.repeat(endpointFileMaxBytes + 1));
    const fifo = spawnSync('mkfifo', [join(dir, 'pipe.ep')]).status === 0;
    const { endpoints, problems } = readEndpointDir(dir);
    assert.equal(endpoints.length, 1);
    assert.deepEqual(
      problems.map((p) => p.message),
      ['endpoint file is too large (65537 bytes; the limit is 64 KiB)', ...(fifo ? ['is a FIFO, not a regular file: it cannot be read as an endpoint file'] : [])],
    );
  });

  it('reports a missing directory as a problem instead of throwing (it is read again from a file watcher)', () => {
    assert.deepEqual(readEndpointDir(join(dir, 'gone')), { endpoints: [], problems: [{ file: join(dir, 'gone'), message: 'directory not found' }] });
  });
});
