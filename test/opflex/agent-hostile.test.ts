import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomStreams } from '../../src/kernel/random.ts';
import { Trace } from '../../src/kernel/trace.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { buildPolicyUniverse, platformConfigUri } from '../../src/model/policy-builder.ts';
import { OpflexAgent } from '../../src/opflex/agent.ts';
import { objectsPerMessageMax } from '../../src/opflex/agent-processor.ts';
import { SERVER_ROLES } from '../../src/opflex/message.ts';
import { SimTransport } from '../../src/transport/sim-transport.ts';
import type { Endpoint } from '../../src/transport/transport.ts';
import { testScenario } from '../support/scenario-builder.ts';
import { ScriptedServer, type ServerScript } from '../support/scripted-server.ts';

const SERVER: Endpoint = { host: '10.0.0.30', port: 8009 };
const policy = testScenario().policy;
const universe = buildPolicyUniverse(policy);
const PC = platformConfigUri(policy.domain);
const pc = universe.get(PC)!;

function listsItself(self: string): unknown {
  return { name: self, domain: policy.domain, your_location: 'here', data: {}, my_role: [...SERVER_ROLES], peers: [{ role: [...SERVER_ROLES], connectivity_info: self }] };
}

const GOOD: ServerScript = { identity: listsItself, resolve: (_subject, uri) => ({ policy: universe.subtree(uri) }) };

function world(script: ServerScript) {
  const scheduler = new VirtualScheduler();
  const trace = new Trace(scheduler);
  const random = new RandomStreams(9);
  const transport = new SimTransport(scheduler, { linkLatency: { kind: 'fixed', valueMs: 0.2 }, connectLatency: { kind: 'fixed', valueMs: 0.5 }, random: random.stream('net') });
  const server = new ScriptedServer(transport, SERVER, script);
  server.start();
  const agent = new OpflexAgent(
    {
      name: 'node-1', domain: policy.domain, mac: '00:00:00:00:00:01', configuredPeers: [SERVER], prrS: 7200, retryDelayS: 10, resetWaitDelayS: 5,
      keepalive: undefined, handshakeTimeoutMs: 45_000, reconnectPacingMs: 1250, platformConfigUri: PC,
    },
    scheduler, transport, trace, random.stream('agent'),
  );
  agent.start();
  const events = (name: string) => trace.events.filter((e) => e.event === name);
  return { scheduler, server, agent, events };
}

describe('our agent against a hostile server', { timeout: 30_000 }, () => {
  it('drops a reply whose PlatformConfig lists itself as a child, stays small, and resolves once the server answers well', () => {
    const { scheduler, server, agent, events } = world({ ...GOOD, resolve: (s, uri) => (uri === PC ? { policy: [{ ...pc, children: [PC] }] } : GOOD.resolve(s, uri)) });
    scheduler.runUntil(60_000);
    const error = events('protocol-error')[0]!;
    assert.equal(error.data.peer, '10.0.0.30:8009');
    assert.match(String(error.data.reason), /^policy_resolve reply for ".*": object #0 .*field "children\[0\]": lists the object itself as a child/);
    assert.equal(error.data.closed, false, 'libopflex skips such objects without closing');
    assert.equal(agent.processor.store.has(PC), false);
    assert.equal(agent.processor.isResolved(PC), false);
    server.script = GOOD;
    scheduler.runUntil(200_000);
    assert.equal(agent.processor.isResolved(PC), true, 'the retry got the good answer');
    assert.equal(agent.health, 'HEALTHY');
  });

  it('drops a policy_update that replaces PlatformConfig with "children": null, and takes the next good one', () => {
    const { scheduler, server, agent, events } = world(GOOD);
    scheduler.runUntil(2_000);
    assert.equal(agent.processor.isResolved(PC), true);
    server.push('policy_update', [{ replace: [{ ...pc, children: null }] }]);
    scheduler.runUntil(3_000);
    assert.match(String(events('protocol-error')[0]!.data.reason), /^policy_update params\[0\]: replace #0 .*field "children": must be an array of URI strings, got null/);
    assert.deepEqual(agent.processor.store.get(PC)!.children, pc.children);
    const renamed: ManagedObject = { ...pc, properties: pc.properties.map((p) => (p.name === 'mode' ? { name: 'mode', data: 'inter_epg' } : p)) };
    server.push('policy_update', [{ replace: [renamed] }]);
    scheduler.runUntil(4_000);
    assert.equal(agent.processor.store.get(PC)!.properties.find((p) => p.name === 'mode')!.data, 'inter_epg');
    // Later sessions work too: the store was never corrupted.
    for (const c of server.connections) c.close('server restart');
    scheduler.runUntil(10_000);
    assert.equal(agent.health, 'HEALTHY');
    assert.equal(events('protocol-error').length, 1);
  });

  it('keeps its configured peer when an identity reply lists no peers, retrying on the reconnect pacing', () => {
    const { scheduler, server, agent, events } = world({ ...GOOD, identity: (self) => ({ ...(listsItself(self) as object), peers: [] }) });
    scheduler.runUntil(10_000);
    assert.deepEqual(agent.peers().map((p) => [p.peer, p.configured]), [['10.0.0.30:8009', true]]);
    const tries = events('peer-not-in-list').map((e) => e.tMs);
    assert.ok(tries.length >= 5 && tries.length <= 10, `${tries.length} tries in 10 s`);
    // The first retry goes at once, as after any lost connection; then one per pacing tick.
    for (let i = 2; i < tries.length; i++) assert.ok(tries[i]! - tries[i - 1]! >= 1250 * 0.97, `paced: ${tries.join(', ')}`);
    server.script = GOOD;
    scheduler.runUntil(15_000);
    assert.equal(agent.health, 'HEALTHY');
  });

  it('closes the session over a malformed reply (as libopflex does) and reconnects', () => {
    let malformed = true;
    const { scheduler, agent, events } = world({ ...GOOD, resolve: (s, uri) => (malformed ? 'not an object' : GOOD.resolve(s, uri)) });
    scheduler.runUntil(1_000);
    malformed = false;
    scheduler.runUntil(30_000);
    const error = events('protocol-error')[0]!;
    assert.deepEqual([error.data.reason, error.data.closed], ['policy_resolve reply: result is not an object', true]);
    assert.ok(events('peer-closed').some((e) => /protocol error/.test(String(e.data.reason))));
    assert.ok(events('peer-ready').length >= 2, 'ready again after the reconnect');
    assert.equal(agent.processor.isResolved(PC), true);
  });

  it('refuses a reply past the objects-per-message bound and an identity listing 10,000 peers', () => {
    const flood = Array.from({ length: objectsPerMessageMax + 1 }, (_, i) => ({ subject: 'X', uri: `${PC}X/${i}/`, properties: [], children: [] }));
    const { scheduler, agent, events } = world({ ...GOOD, resolve: () => ({ policy: flood }) });
    scheduler.runUntil(2_000);
    assert.match(String(events('protocol-error')[0]!.data.reason), /holds 10001 objects, more than the limit of 10000/);
    assert.equal(agent.processor.store.size, 0);
    const crowd = world({ ...GOOD, identity: (self) => ({ ...(listsItself(self) as object), peers: Array.from({ length: 10_000 }, (_, i) => ({ connectivity_info: `10.1.${i >> 8}.${i & 255}:8009` })) }) });
    crowd.scheduler.runUntil(2_000);
    assert.match(String(crowd.events('protocol-error')[0]!.data.reason), /lists 10000 peers, more than the limit of 64/);
    assert.ok(crowd.agent.peers().length <= 1);
  });
});
