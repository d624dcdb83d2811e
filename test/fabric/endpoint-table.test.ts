import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointTable } from '../../src/fabric/endpoint-table.ts';
import { Trace } from '../../src/kernel/trace.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';

function table() {
  const scheduler = new VirtualScheduler();
  const trace = new Trace(scheduler, { record: true });
  const epm = new EndpointTable('leaf-101', scheduler, trace, { bounceAgingMs: 630_000, remoteAgingMs: 300_000 }, { onLocalMovedAway() {} });
  return { scheduler, trace, epm };
}

describe("a leaf's EPM when the switch reloads", { timeout: 10_000 }, () => {
  it('forgets its bounce entries, their aging with them, and its cache of remote endpoints, in one event', () => {
    const { scheduler, trace, epm } = table();
    epm.learnLocal('10.2.0.1', 'path-a', 'node-1');
    epm.installBounce('10.2.0.1', 'pair-b');
    epm.installBounce('10.2.0.2', 'pair-c');
    epm.learnRemote('10.2.0.9', 'pair-d');
    epm.learnLocal('10.2.0.3', 'path-a', 'node-3');
    assert.equal(epm.remotePair('10.2.0.9'), 'pair-d');

    epm.forgetLearned('leaf reload');
    assert.equal(epm.get('10.2.0.1'), undefined);
    assert.equal(epm.get('10.2.0.2'), undefined);
    assert.equal(epm.remotePair('10.2.0.9'), undefined);
    assert.equal(epm.get('10.2.0.3')?.kind, 'local', 'local entries are the caller\'s to remove, each with its event');
    const cleared = trace.events.filter((e) => e.event === 'epm-cleared');
    assert.deepEqual(cleared.map((e) => e.data), [{ reason: 'leaf reload', bounces: 2, remotes: 1 }]);

    scheduler.runUntil(700_000);
    assert.ok(!trace.events.some((e) => e.event === 'bounce-expired'), 'no aging timer left behind');
    epm.forgetLearned('leaf reload');
    assert.equal(trace.events.filter((e) => e.event === 'epm-cleared').length, 1, 'nothing left to clear: no event');
  });
});
