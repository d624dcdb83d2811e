import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { property, type ManagedObject } from '../../src/model/managed-object.ts';
import { epgUri } from '../../src/model/policy-builder.ts';
import { childUri } from '../../src/model/uri.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { simulatedTwin } from '../../src/simulated-twin.ts';

function warmTwin() {
  const scenario = { ...loadBuiltinScenario('default'), migrations: [], flows: [] };
  const { twin, scheduler, trace } = simulatedTwin(scenario, { recordTrace: true });
  twin.start();
  scheduler.runUntil(30_000);
  return { scenario, scheduler, trace, twin };
}

describe('policy updates from APIC', { timeout: 120_000 }, () => {
  it('reach only the agents subscribed to the object or an ancestor of it', () => {
    const { scenario, scheduler, trace, twin } = warmTwin();
    const api = epgUri(scenario.policy.tenant, 'kubernetes|api');
    const ctxUri = childUri(api, 'GbpeInstContext');
    const ctx = twin.apic.policy.get(ctxUri)!;
    const changed: ManagedObject = { ...ctx, properties: ctx.properties.map((p) => (p.name === 'classid' ? { name: 'classid', data: 60001 } : p)) };
    twin.apic.updatePolicy({ replace: [changed], merge_children: [], delete: [] });
    scheduler.runUntil(31_000);
    const withApi = scenario.nodes.filter((n) => n.pods.some((p) => p.epg === 'kubernetes|api')).map((n) => n.name);
    const pushedTo = new Set(trace.events.filter((e) => e.event === 'policy-update-sent').map((e) => e.data.agent as string));
    assert.deepEqual([...pushedTo].sort(), withApi.sort());
    for (const name of withApi) {
      const stored = twin.nodes.get(name)!.agent.processor.store.get(ctxUri)!;
      assert.equal(property(stored, 'classid'), 60001, `${name} applied the replace`);
    }
    const leaf = twin.leaves.get('leaf-101')!;
    assert.ok(leaf.cache.has(api));
  });

  it('deliver an object a leaf did not have when it was resolved: [] first, the object once APIC has it', () => {
    const { scenario, scheduler, trace, twin } = warmTwin();
    const agent = twin.nodes.get('node-3')!.agent;
    const uri = epgUri(scenario.policy.tenant, 'kubernetes|late');
    agent.processor.addReference('GbpEpGroup', uri);
    scheduler.runUntil(32_000);
    assert.equal(agent.processor.isResolved(uri), false);
    assert.ok(trace.events.some((e) => e.event === 'policy-missing' && e.data.uri === uri), 'the leaf found nothing at APIC');
    const late: ManagedObject = {
      subject: 'GbpEpGroup', uri, properties: [{ name: 'name', data: 'kubernetes|late' }], children: [],
      parent_subject: 'PolicySpace', parent_uri: `/PolicyUniverse/PolicySpace/${scenario.policy.tenant}/`, parent_relation: 'GbpEpGroup',
    };
    twin.apic.updatePolicy({ replace: [late], merge_children: [], delete: [] });
    scheduler.runUntil(33_000);
    assert.equal(agent.processor.isResolved(uri), true, 'the subscription kept from the empty answer delivered it');
    assert.ok(!twin.nodes.get('node-1')!.agent.processor.store.has(uri), 'nobody else got it');
  });

  it('delete an object at the agents that use it', () => {
    const { scenario, scheduler, twin } = warmTwin();
    const web = epgUri(scenario.policy.tenant, 'kubernetes|web');
    const ctxUri = childUri(web, 'GbpeInstContext');
    twin.apic.updatePolicy({ replace: [], merge_children: [], delete: [{ subject: 'GbpeInstContext', uri: ctxUri }] });
    scheduler.runUntil(31_000);
    for (const node of scenario.nodes.filter((n) => n.pods.some((p) => p.epg === 'kubernetes|web'))) {
      assert.equal(twin.nodes.get(node.name)!.agent.processor.store.has(ctxUri), false, node.name);
    }
  });
});
