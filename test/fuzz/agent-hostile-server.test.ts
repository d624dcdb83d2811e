import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RandomStreams } from '../../src/kernel/random.ts';
import { Trace } from '../../src/kernel/trace.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import { buildPolicyUniverse, epgUri, platformConfigUri } from '../../src/model/policy-builder.ts';
import { OpflexAgent } from '../../src/opflex/agent.ts';
import { storeBytesMax, storeObjectsMax } from '../../src/opflex/agent-processor.ts';
import { SERVER_ROLES } from '../../src/opflex/message.ts';
import { SimTransport } from '../../src/transport/sim-transport.ts';
import type { Endpoint } from '../../src/transport/transport.ts';
import { fuzzParameters, hostileJson } from '../support/fuzz.ts';
import { DEFECTS, randomGraph } from '../support/policy-arbitraries.ts';
import { testScenario } from '../support/scenario-builder.ts';
import { ScriptedServer, type ServerScript } from '../support/scripted-server.ts';

const SERVER: Endpoint = { host: '10.0.0.30', port: 8009 };
const policy = testScenario().policy;
const universe = buildPolicyUniverse(policy);
const PC = platformConfigUri(policy.domain);
const EPG = epgUri(policy.tenant, testScenario().nodes[0]!.pods[0]!.epg);

function identity(self: string, peers: unknown = [{ role: [...SERVER_ROLES], connectivity_info: self }]): unknown {
  return { name: self, domain: policy.domain, your_location: 'here', data: {}, my_role: [...SERVER_ROLES], peers };
}
const GOOD: ServerScript = { identity: (self) => identity(self), resolve: (_s, uri) => ({ policy: universe.subtree(uri) }) };

/** What a hostile server answers, chosen per message. */
const identityAnswer = fc.oneof(
  fc.constant((self: string) => identity(self)),
  fc.constant((self: string) => identity(self, [])),
  fc.constant((self: string) => identity(self, [{ connectivity_info: '10.9.9.9:8009' }])),
  hostileJson(4).map((j) => () => j),
  hostileJson(3).map((peers) => (self: string) => identity(self, peers)),
);
const resolveAnswer = fc.oneof(
  fc.constant((uri: string) => ({ policy: universe.subtree(uri) })),
  hostileJson(4).map((j) => () => j),
  hostileJson(4).map((j) => () => ({ policy: j })),
  randomGraph().map((g) => () => ({ policy: g })),
  fc.record({ defect: fc.constantFrom(...Object.keys(DEFECTS)), pick: fc.nat() }).map(({ defect, pick }) => (uri: string) => {
    const subtree = universe.subtree(uri);
    return { policy: subtree.length === 0 ? [] : DEFECTS[defect]!(subtree, pick) };
  }),
);
const push = fc.oneof(
  fc.record({ method: fc.constantFrom('policy_update', 'endpoint_update'), params: fc.array(hostileJson(4), { maxLength: 3 }) }),
  fc.record({ method: fc.constant('policy_update'), params: randomGraph().map((g) => [{ replace: g }]) }),
  fc.constant({ method: 'policy_update', params: [{ delete: [{ subject: 'PlatformConfig', uri: PC }] }] as unknown[] }),
  fc.record({ defect: fc.constantFrom(...Object.keys(DEFECTS)), pick: fc.nat() }).map(({ defect, pick }) => ({ method: 'policy_update', params: [{ replace: DEFECTS[defect]!(universe.subtree(EPG), pick) }] })),
);

describe('our agent against a hostile server (fuzz)', { timeout: 300_000 }, () => {
  it('never throws out of a callback, stays within its store bounds, keeps its configured peer, and converges once a good server takes over', () => {
    fc.assert(
      fc.property(
        fc.array(identityAnswer, { minLength: 1, maxLength: 4 }),
        fc.array(resolveAnswer, { minLength: 1, maxLength: 8 }),
        fc.array(fc.record({ atMs: fc.integer({ min: 0, max: 60_000 }), push }), { maxLength: 6 }),
        (identities, resolves, pushes) => {
          const scheduler = new VirtualScheduler();
          const trace = new Trace(scheduler);
          const random = new RandomStreams(11);
          const transport = new SimTransport(scheduler, { linkLatency: { kind: 'fixed', valueMs: 0.2 }, connectLatency: { kind: 'fixed', valueMs: 0.5 }, random: random.stream('net') });
          let i = 0;
          let r = 0;
          const server = new ScriptedServer(transport, SERVER, {
            identity: (self) => identities[i++ % identities.length]!(self),
            resolve: (_s, uri) => resolves[r++ % resolves.length]!(uri),
          });
          server.start();
          const agent = new OpflexAgent(
            {
              name: 'node-1', domain: policy.domain, mac: '00:00:00:00:00:01', configuredPeers: [SERVER], prrS: 60, retryDelayS: 1, resetWaitDelayS: 5,
              keepalive: undefined, handshakeTimeoutMs: 5_000, reconnectPacingMs: 1250, platformConfigUri: PC,
            },
            scheduler, transport, trace, random.stream('agent'),
          );
          agent.start();
          agent.processor.addReference('GbpEpGroup', EPG);
          for (const p of pushes) scheduler.at(p.atMs, () => server.push(p.push.method, p.push.params));
          scheduler.runUntil(90_000);
          assert.ok(agent.processor.store.size <= storeObjectsMax && agent.processor.store.bytes <= storeBytesMax);
          assert.ok(agent.peers().length > 0, 'the configured peer is never dropped for good');

          server.script = GOOD;
          for (const c of server.connections) c.close('the hostile server goes away');
          scheduler.runUntil(300_000);
          assert.equal(agent.health, 'HEALTHY');
          assert.ok(agent.processor.isResolved(PC) && agent.processor.isResolved(EPG), 'converged');
          for (const mo of universe.subtree(EPG)) assert.deepEqual(agent.processor.store.get(mo.uri), mo);
          agent.stop();
        },
      ),
      fuzzParameters(150),
    );
  });
});
