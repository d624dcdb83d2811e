import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomStreams } from '../../src/kernel/random.ts';
import { Trace } from '../../src/kernel/trace.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { policyUniverseFor } from '../../src/scenario/policy-source.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { simulatedTwin } from '../../src/simulated-twin.ts';
import { SimTransport } from '../../src/transport/sim-transport.ts';
import { Twin } from '../../src/twin.ts';

const settled: Scenario = { ...loadBuiltinScenario('default'), start: 'steady', migrations: [], evacuations: [], flows: [] };

/** The URIs a leaf's open sessions subscribe to. */
function subscribedBy(twin: Twin, leafName: string): Set<string> {
  const uris = new Set<string>();
  for (const session of twin.leaves.get(leafName)!.openSessions()) for (const uri of session.subscriptions.keys()) uris.add(uri);
  return uris;
}

describe('URI numbering: one table per simulation, one per live leaf', { timeout: 60_000 }, () => {
  it('in simulation, the agents and every leaf number URIs in one table holding exactly what they hold', () => {
    const { twin } = simulatedTwin(settled);
    twin.start();
    const held = new Set<string>();
    for (const vm of twin.nodes.values()) {
      for (const uri of vm.agent.processor.store.uris()) held.add(uri);
      for (const uri of vm.agent.processor.wantedUris()) held.add(uri);
    }
    for (const leaf of twin.leaves.keys()) for (const uri of subscribedBy(twin, leaf)) held.add(uri);
    assert.ok(held.size > 0);
    for (const leaf of twin.leaves.values()) assert.equal(leaf.subscribedUriCount, held.size, `${leaf.name} numbers in the shared table`);
  });

  it('a leaf listening where it is told (a live leaf) numbers only what its own sessions subscribe', () => {
    const scheduler = new VirtualScheduler(4096);
    const random = new RandomStreams(settled.seed);
    const transport = new SimTransport(scheduler, { linkLatency: settled.latencies.opflexLinkMs, connectLatency: settled.latencies.connectMs, random: random.stream('network') });
    const twin = new Twin(settled, {
      scheduler,
      transport,
      trace: new Trace(scheduler, { record: false }),
      random,
      policy: policyUniverseFor(settled.policy),
      leafEndpoint: (leaf) => ({ host: leaf.host, port: leaf.port }),
    });
    twin.start();
    let subscribing = 0;
    for (const leaf of twin.leaves.values()) {
      const own = subscribedBy(twin, leaf.name);
      if (own.size > 0) subscribing++;
      assert.equal(leaf.subscribedUriCount, own.size, `${leaf.name} numbers its own sessions' subscriptions`);
    }
    assert.ok(subscribing > 0, 'some leaf has subscriptions');
  });
});
