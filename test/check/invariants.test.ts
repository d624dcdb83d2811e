/**
 * Each invariant's positive space (the clean default run breaks none) and negative space (a targeted
 * disturbance of the state it watches breaks it, and it names the subject).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runChecked } from '../../src/check/checked-run.ts';
import { INVARIANTS } from '../../src/check/invariants.ts';
import { withSchedule } from '../../src/check/schedule-generator.ts';
import { epgUri } from '../../src/model/policy-builder.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import type { Twin } from '../../src/twin.ts';

const clean = withSchedule(loadBuiltinScenario(), 1, []);

function broken(prepare: (twin: Twin) => void): { invariant: string; subject: string }[] {
  return runChecked(clean, { prepare }).violations.map(({ invariant, subject }) => ({ invariant, subject }));
}

describe('invariants', { timeout: 60_000 }, () => {
  test('every invariant has a name, a one-line statement and the trace events that show it broken', () => {
    for (const i of INVARIANTS) {
      assert.match(i.name, /^[a-z-]+$/);
      assert.ok(i.statement.length > 10 && !i.statement.includes('\n'));
      assert.ok(i.brokenBy.length > 0);
    }
  });

  test('the default scenario without faults breaks none and shows no hazard', () => {
    const run = runChecked(clean);
    assert.ok(run.settled);
    assert.deepEqual(run.violations, []);
    assert.deepEqual(run.hazards, []);
  });

  test('policy-served-exists: a leaf serving an object APIC has dropped without telling it', () => {
    const found = broken((twin) => {
      const target = epgUri(twin.scenario.policy.tenant, 'kubernetes|kube-default');
      const fetch = twin.apic.fetch.bind(twin.apic);
      twin.apic.fetch = (uri, done) =>
        fetch(uri, (objects) => {
          done(objects);
          if (uri === target) twin.apic.policy.delete(target);
        });
    });
    assert.ok(found.some((v) => v.invariant === 'policy-served-exists'), JSON.stringify(found));
  });

  test('endpoint-local-on-one-pair: a pod learned on a second pair', () => {
    const found = broken((twin) => {
      const leaf = twin.leaves.get('leaf-101')!;
      const pod = twin.nodes.get('node-3')!.pods[0]!;
      const learn = leaf.learnDevice.bind(leaf);
      leaf.learnDevice = (node) => {
        learn(node);
        leaf.epm.learnLocal(pod.ip, 'topology/pod-1/protpaths-101-102/pathep-[esx-1-vpc]', 'node-3', true);
      };
    });
    assert.ok(found.some((v) => v.invariant === 'endpoint-local-on-one-pair' && v.subject === 'default-3'), JSON.stringify(found));
  });

  test('no-session-outlives-owner: a ready leaf session its agent no longer has', () => {
    const found = broken((twin) => {
      const agent = twin.nodes.get('node-4')!.agent;
      agent.peers = () => [];
    });
    assert.ok(found.some((v) => v.invariant === 'no-session-outlives-owner'), JSON.stringify(found));
  });

  test('queues-within-bounds: a download refused for a full queue', () => {
    const found = broken((twin) => {
      (twin.leaves.get('leaf-103')!.cache as unknown as { queuedMax: number }).queuedMax = 0;
    });
    assert.ok(found.some((v) => v.invariant === 'queues-within-bounds' && v.subject === 'leaf-103'), JSON.stringify(found));
  });

  test('agent-holds-policy and pair-holds-policy: an object APIC never delivers', () => {
    const found = broken((twin) => {
      const missing = epgUri(twin.scenario.policy.tenant, 'kubernetes|monitoring');
      const fetch = twin.apic.fetch.bind(twin.apic);
      twin.apic.fetch = (uri, done) => (uri === missing ? done([]) : fetch(uri, done));
    });
    assert.ok(found.some((v) => v.invariant === 'agent-holds-policy' && v.subject === 'node-4'), JSON.stringify(found));
    assert.ok(found.some((v) => v.invariant === 'pair-holds-policy' && v.subject === 'node-4'), JSON.stringify(found));
  });

  test('agent-on-current-pair and migrations-converged: an agent that ignores its reset, with no fault to blame', () => {
    const found = broken((twin) => {
      twin.nodes.get('node-1')!.agent.reset = () => {};
    });
    assert.ok(found.some((v) => v.invariant === 'agent-on-current-pair' && v.subject === 'node-1'), JSON.stringify(found));
    assert.ok(found.some((v) => v.invariant === 'migrations-converged' && v.subject === 'node-1'), JSON.stringify(found));
  });
});
