import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { epgUri } from '../../src/model/policy-builder.ts';
import { makeRawId, type RpcResult } from '../../src/opflex/message.ts';
import { RpcEndpoint } from '../../src/opflex/rpc-endpoint.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { simulatedTwin } from '../../src/simulated-twin.ts';

/** A fabric without agents, and raw OpFlex clients that subscribe to leaf-101 exactly as told. */
function fabric() {
  const scenario = { ...loadBuiltinScenario('default'), migrations: [], flows: [] };
  const { twin, scheduler, trace, transport } = simulatedTwin(scenario, { agents: false, keepalive: false, recordTrace: true });
  twin.start();
  const leaf = twin.leaves.get('leaf-101')!;
  const gcDelayMs = scenario.timers.leafPolicyGcDelayMs;
  let xid = 0n;

  function client(name: string) {
    const rpc = new RpcEndpoint(transport.connect({ host: leaf.address.host, port: leaf.address.port }, { onOpen() {}, onMessage() {}, onClose() {} }, name), scheduler, {
      onRequest() {},
      onClose() {},
    }, { keepalive: undefined });
    const answers: ManagedObject[][] = [];
    const request = (method: string, params: unknown[]) => rpc.requestWithId(makeRawId(method, xid++), method, params, (reply) => {
      if (method === 'policy_resolve') answers.push(((reply as RpcResult).result as { policy: ManagedObject[] }).policy);
    });
    scheduler.runUntil(scheduler.now() + 1000);
    request('send_identity', [{ proto_version: '1.0', name, domain: scenario.policy.domain, my_role: ['policy_element'] }]);
    scheduler.runUntil(scheduler.now() + 1000);
    return {
      answers,
      resolve: (uri: string, prr = 3600) => request('policy_resolve', [{ subject: 'GbpEpGroup', policy_uri: uri, prr }]),
      unresolve: (uri: string) => request('policy_unresolve', [{ subject: 'GbpEpGroup', policy_uri: uri }]),
      close: () => rpc.close('test'),
    };
  }

  const run = (ms: number) => scheduler.runUntil(scheduler.now() + ms);
  const collected = (uri: string) => trace.events.some((e) => e.actor === leaf.name && e.event === 'policy-gc' && e.data.uri === uri);
  return { scenario, twin, leaf, gcDelayMs, client, run, collected };
}

describe('a leaf policy cache', { timeout: 120_000 }, () => {
  it('collects an object nobody subscribes to any more, after the GC delay and not before', () => {
    const f = fabric();
    const web = epgUri(f.scenario.policy.tenant, 'kubernetes|web');
    const a = f.client('node-a');
    a.resolve(web);
    f.run(10_000);
    assert.ok(f.leaf.cache.has(web));
    a.unresolve(web);
    f.run(f.gcDelayMs - 1000);
    assert.ok(f.leaf.cache.has(web), 'still held within the delay');
    f.run(2000);
    assert.ok(!f.leaf.cache.has(web));
    assert.ok(f.collected(web));
  });

  it('keeps an object while another session on the leaf still subscribes to it', () => {
    const f = fabric();
    const web = epgUri(f.scenario.policy.tenant, 'kubernetes|web');
    const a = f.client('node-a');
    const b = f.client('node-b');
    a.resolve(web);
    b.resolve(web);
    f.run(10_000);
    a.unresolve(web);
    f.run(f.gcDelayMs * 2);
    assert.ok(f.leaf.cache.has(web));
    b.close();
    f.run(f.gcDelayMs * 2);
    assert.ok(!f.leaf.cache.has(web), 'the last subscriber closed its session');
  });

  it('calls off a collection when the object is resolved again within the delay', () => {
    const f = fabric();
    const web = epgUri(f.scenario.policy.tenant, 'kubernetes|web');
    const a = f.client('node-a');
    a.resolve(web);
    f.run(10_000);
    a.unresolve(web);
    f.run(f.gcDelayMs / 2);
    a.resolve(web);
    f.run(f.gcDelayMs * 2);
    assert.ok(f.leaf.cache.has(web));
    assert.ok(!f.collected(web));
  });

  it('releases subscriptions that lapse without a refresh', () => {
    const f = fabric();
    const web = epgUri(f.scenario.policy.tenant, 'kubernetes|web');
    f.client('node-a').resolve(web, 30);
    f.run(30_000 + f.scenario.timers.prrIntervalMs + f.gcDelayMs + 1000);
    assert.ok(f.collected(web));
  });

  it('counts a session that subscribed while the object did not exist yet once it does', () => {
    const f = fabric();
    const uri = epgUri(f.scenario.policy.tenant, 'kubernetes|late');
    const a = f.client('node-a');
    a.resolve(uri);
    f.run(10_000);
    assert.deepEqual(a.answers.at(-1), [], 'unknown at first; the subscription is kept');
    const late: ManagedObject = {
      subject: 'GbpEpGroup', uri, properties: [{ name: 'name', data: 'kubernetes|late' }], children: [],
      parent_subject: 'PolicySpace', parent_uri: `/PolicyUniverse/PolicySpace/${f.scenario.policy.tenant}/`, parent_relation: 'GbpEpGroup',
    };
    f.twin.apic.updatePolicy({ replace: [late], merge_children: [], delete: [] });
    const b = f.client('node-b');
    b.resolve(uri);
    f.run(10_000);
    assert.ok(f.leaf.cache.has(uri), 'downloaded for node-b');
    b.unresolve(uri);
    f.run(f.gcDelayMs * 2);
    assert.ok(f.leaf.cache.has(uri), 'node-a still subscribes');
  });
});
