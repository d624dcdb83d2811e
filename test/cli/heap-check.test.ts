import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapEstimateBytes, heapWarning } from '../../src/cli/heap-check.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import type { Scenario } from '../../src/scenario/types.ts';

/** Only what the estimate reads: the nodes and their pods. */
function fabricOf(nodes: number, podsPerNode: number): Scenario {
  return { name: 'big', nodes: Array.from({ length: nodes }, () => ({ pods: new Array(podsPerNode) })) } as unknown as Scenario;
}

const GiB = 1024 ** 3;

describe('the heap check before a run', { timeout: 120_000 }, () => {
  it('estimates what the XL preset measured: about 1.4 GiB for a million pods on 20,000 nodes', () => {
    const gib = heapEstimateBytes(fabricOf(20_000, 50)) / GiB;
    assert.ok(gib > 1.2 && gib < 1.6, `${gib.toFixed(2)} GiB`);
  });

  it('warns, naming the flag to give more, when the estimate nears the heap limit', () => {
    const warning = heapWarning(fabricOf(20_000, 50), 1 * GiB);
    assert.match(warning ?? '', /big needs about 1\.4 GiB of heap and Node's limit here is 1\.0 GiB/);
    assert.match(warning ?? '', /NODE_OPTIONS=--max-old-space-size=\d+/);
  });

  it('says nothing when the run fits', () => {
    assert.equal(heapWarning(loadBuiltinScenario('default'), 2 * GiB), undefined);
    assert.equal(heapWarning(fabricOf(20_000, 50), 2 * GiB), undefined);
  });
});
