/**
 * What the load client resolves from a policy file is what an agent resolves: PlatformConfig, the
 * endpoint groups and what they refer to, never the roots whose subtree is the whole file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentResolveTargets } from '../../src/live/resolve-targets.ts';
import { buildPolicyUniverse, platformConfigUri } from '../../src/model/policy-builder.ts';
import { policyClosure } from '../../src/model/policy-closure.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { storeFromObjects } from '../../src/scenario/policy-source.ts';

describe('agentResolveTargets', { timeout: 30_000 }, () => {
  const policy = loadBuiltinScenario('default').policy;
  const store = buildPolicyUniverse(policy);

  it('is the closure of PlatformConfig and every GbpEpGroup, in the agent\'s order', () => {
    const targets = agentResolveTargets(store);
    const roots = [...store.values()].filter((mo) => mo.subject === 'PlatformConfig' || mo.subject === 'GbpEpGroup').map((mo) => ({ subject: mo.subject, uri: mo.uri }));
    assert.deepEqual(targets, policyClosure(store, roots));
    assert.ok(targets.some((t) => t.uri === platformConfigUri(policy.domain)));
    assert.equal(targets.filter((t) => t.subject === 'GbpEpGroup').length, policy.epgs.length);
    assert.ok(!targets.some((t) => t.subject === 'PolicyUniverse' || t.subject === 'PolicySpace'));
  });

  it('leaves out references to objects the file does not hold', () => {
    const withoutContracts = storeFromObjects([...store.values()].filter((mo) => mo.subject !== 'GbpContract'));
    const targets = agentResolveTargets(withoutContracts);
    assert.ok(targets.length > 0);
    assert.ok(targets.every((t) => withoutContracts.has(t.uri)));
  });

  it('is empty for a file with neither PlatformConfig nor endpoint groups', () => {
    assert.deepEqual(agentResolveTargets(storeFromObjects([])), []);
  });
});
