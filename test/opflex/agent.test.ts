import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomStreams } from '../../src/kernel/random.ts';
import { Trace } from '../../src/kernel/trace.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { buildPolicyUniverse, epgUri } from '../../src/model/policy-builder.ts';
import { testScenario } from '../support/scenario-builder.ts';
import { OpflexAgent, type AgentConfig } from '../../src/opflex/agent.ts';
import { SERVER_ROLES, type IdentityRequest, type IdentityResult } from '../../src/opflex/message.ts';
import { ProxySession, type ProxyBackend } from '../../src/opflex/proxy-session.ts';
import { SimTransport } from '../../src/transport/sim-transport.ts';
import { formatEndpoint, type Endpoint, type Listener } from '../../src/transport/transport.ts';

const PC = '/PolicyUniverse/PlatformConfig/test/';
const ANYCAST: Endpoint = { host: '10.0.0.30', port: 8009 };
const LEAF_A: Endpoint = { host: '10.0.80.64', port: 8009 };
const LEAF_B: Endpoint = { host: '10.0.80.66', port: 8009 };

/** A scripted policy repository: lists the peers it is told to, answers resolves after a delay or never. */
class FakeServer implements ProxyBackend {
  peers: Endpoint[] = [];
  answer: 'yes' | 'never' = 'yes';
  readonly universe = buildPolicyUniverse(testScenario().policy);
  readonly resolves: { uri: string; tMs: number }[] = [];
  readonly declares: string[] = [];
  readonly sessions: ProxySession[] = [];
  listener: Listener | undefined;

  constructor(readonly at: Endpoint, private readonly world: World) {}

  start(): void {
    this.listener = this.world.transport.listen(this.at, (c) => {
      this.sessions.push(new ProxySession(c, this.world.scheduler, this, { keepalive: undefined, maxOutstanding: 1000 }));
    });
  }

  stop(): void {
    this.listener?.close();
    for (const s of this.sessions) s.close('server stopped');
  }

  identify(_s: ProxySession, _r: IdentityRequest): IdentityResult {
    return {
      name: formatEndpoint(this.at), domain: 'test', your_location: 'here', data: {}, my_role: [...SERVER_ROLES],
      peers: this.peers.map((p) => ({ role: [...SERVER_ROLES], connectivity_info: formatEndpoint(p) })),
    };
  }
  onReady(): void {}
  onClosed(): void {}
  resolvePolicy(_s: ProxySession, subject: string, uri: string, done: (o: ManagedObject[]) => void): void {
    this.resolves.push({ uri, tMs: this.world.scheduler.now() });
    if (this.answer === 'never') return;
    const known = this.universe.subtree(uri);
    done(known.length > 0 ? known : [{ subject, uri, properties: [{ name: 'name', data: 'x' }], children: [] }]);
  }
  unresolvePolicy(): void {}
  declareEndpoint(_s: ProxySession, objects: ManagedObject[]): void {
    this.declares.push(objects[0]!.uri);
  }
  undeclareEndpoint(): void {}
  resolveEndpoint(): ManagedObject[] {
    return [];
  }
}

class World {
  readonly scheduler = new VirtualScheduler();
  readonly trace = new Trace(this.scheduler);
  readonly random = new RandomStreams(3);
  readonly transport = new SimTransport(this.scheduler, {
    linkLatency: { kind: 'fixed', valueMs: 0.2 },
    connectLatency: { kind: 'fixed', valueMs: 0.5 },
    random: this.random.stream('net'),
  });

  agent(overrides: Partial<AgentConfig> = {}): OpflexAgent {
    return new OpflexAgent(
      {
        name: 'node-1', domain: 'test', mac: '00:00:00:00:00:01', configuredPeers: [ANYCAST], prrS: 7200, retryDelayS: 10,
        resetWaitDelayS: 5, keepalive: undefined, handshakeTimeoutMs: 45_000, reconnectPacingMs: 1250, platformConfigUri: PC, ...overrides,
      },
      this.scheduler, this.transport, this.trace, this.random.stream('agent'),
    );
  }

  events(name: string) {
    return this.trace.events.filter((e) => e.event === name);
  }
}

function fabric(): { w: World; anycast: FakeServer; a: FakeServer; b: FakeServer } {
  const w = new World();
  const anycast = new FakeServer(ANYCAST, w);
  const a = new FakeServer(LEAF_A, w);
  const b = new FakeServer(LEAF_B, w);
  for (const s of [anycast, a, b]) {
    s.peers = [LEAF_A, LEAF_B];
    s.start();
  }
  return { w, anycast, a, b };
}

describe('the agent', { timeout: 300_000 }, () => {
  it('follows the identity peer list: closes the unlisted anycast peer and goes HEALTHY on both leaves', () => {
    const { w } = fabric();
    const agent = w.agent();
    agent.start();
    w.scheduler.runUntil(1000);
    assert.deepEqual(agent.readyPeers().sort(), ['10.0.80.64:8009', '10.0.80.66:8009']);
    assert.deepEqual(w.events('agent-health').map((e) => e.data.health), ['DEGRADED', 'HEALTHY']);
    assert.equal(w.events('peer-not-in-list')[0]!.data.peer, '10.0.0.30:8009');
  });

  it('sends every resolve to each ready leaf, PlatformConfig first, once per leaf at bootstrap', () => {
    const { w, a, b } = fabric();
    w.agent().start();
    w.scheduler.runUntil(1000);
    for (const leaf of [a, b]) {
      assert.equal(leaf.resolves[0]!.uri, PC);
      assert.ok([250, 500].includes(Math.floor(leaf.resolves[0]!.tMs)), `first resolve at the processor's first tick, ${leaf.resolves[0]!.tMs} ms`);
      assert.equal(leaf.resolves.filter((r) => r.uri === PC).length, 1, 'no doubling at bootstrap');
    }
  });

  it('retries an unanswered resolve with doubling backoff around policy-retry-delay', () => {
    const { w, a, b } = fabric();
    a.answer = 'never';
    b.answer = 'never';
    w.agent().start();
    w.scheduler.runUntil(200_000);
    const times = a.resolves.filter((r) => r.uri === PC).map((r) => r.tMs);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(gaps.length >= 3, `retries seen: ${times.join(', ')}`);
    gaps.forEach((gap, i) => {
      const base = 10_000 * 2 ** i;
      assert.ok(gap >= base * 0.9 - 1 && gap <= base * 1.1 + 1, `retry ${i + 1} after ${gap} ms, expected ${base} +/- 10 %`);
    });
  });

  it('refreshes a resolved object at a random point in [prr/3, prr/2]', () => {
    const { w, a } = fabric();
    w.agent({ prrS: 60 }).start();
    w.scheduler.runUntil(200_000);
    const times = a.resolves.filter((r) => r.uri === PC).map((r) => r.tMs);
    const refreshes = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(refreshes.length >= 3);
    for (const gap of refreshes) assert.ok(gap >= 20_000 && gap <= 30_000, `refresh after ${gap} ms`);
  });

  it('resets on a PlatformConfig delete: closes learned peers, back to the anycast, HEALTHY again', () => {
    const { w, a } = fabric();
    const agent = w.agent();
    agent.start();
    w.scheduler.runUntil(1000);
    a.sessions.find((s) => s.state === 'ready')!.sendPolicyUpdate({ replace: [], merge_children: [], delete: [{ subject: 'PlatformConfig', uri: PC }] });
    w.scheduler.runUntil(2000);
    assert.equal(w.events('agent-reset')[0]!.data.path, 'platform-config-delete');
    assert.deepEqual(w.events('agent-health').map((e) => e.data.health), ['DEGRADED', 'HEALTHY', 'DEGRADED', 'DOWN', 'DEGRADED', 'HEALTHY']);
    assert.equal(agent.health, 'HEALTHY');
  });

  it('ignores a reset.conf change within reset-wait-delay of a PlatformConfig-delete reset, and of its own start', () => {
    const { w, a } = fabric();
    const agent = w.agent();
    agent.start();
    w.scheduler.runUntil(1000);
    agent.onResetFileChanged();
    assert.equal(w.events('agent-reset-suppressed').length, 1, 'inside reset-wait-delay of the start');
    w.scheduler.runUntil(10_000);
    a.sessions.find((s) => s.state === 'ready')!.sendPolicyUpdate({ replace: [], merge_children: [], delete: [{ subject: 'PlatformConfig', uri: PC }] });
    w.scheduler.runUntil(12_000);
    agent.onResetFileChanged();
    assert.equal(w.events('agent-reset-suppressed').length, 2);
    w.scheduler.runUntil(20_000);
    agent.onResetFileChanged();
    assert.deepEqual(w.events('agent-reset').map((e) => e.data.path), ['platform-config-delete', 'reset-conf']);
  });

  it('retries a lost leaf on the pacing tick and gives up after 3 failures, falling back to the anycast', () => {
    const { w, b } = fabric();
    const agent = w.agent();
    agent.start();
    w.scheduler.runUntil(1000);
    b.stop();
    w.scheduler.runUntil(1000 + 4000);
    const attempts = w.events('peer-reconnect').filter((e) => e.data.peer === '10.0.80.66:8009').map((e) => e.tMs);
    assert.ok(attempts.length >= 3);
    for (let i = 1; i < 3; i++) {
      const gap = attempts[i]! - attempts[i - 1]!;
      assert.ok(gap > 1200 && gap < 1300, `pacing ${gap} ms`);
    }
    const givenUp = w.events('peer-given-up');
    assert.equal(givenUp[0]!.data.peer, '10.0.80.66:8009');
    assert.ok(w.events('peer-added').some((e) => e.data.peer === '10.0.0.30:8009' && e.tMs >= givenUp[0]!.tMs), 'the anycast peer is added back');
    assert.equal(agent.health, 'DEGRADED');
  });

  it('tears a session down when nothing is heard for longer than the keepalive timeout', () => {
    const { w, a } = fabric();
    const agent = w.agent({ keepalive: { firstMs: 10_000, repeatMs: 15_000, timeoutMs: 120_000 } });
    agent.start();
    w.scheduler.runUntil(1000);
    // The leaf goes silent: its session stops reading and answering (no close on the wire).
    for (const s of a.sessions) s.rpc.onMessage = () => {};
    w.scheduler.runUntil(200_000);
    const closed = w.events('peer-closed').filter((e) => e.data.peer === '10.0.80.64:8009' && /nothing heard/.test(String(e.data.reason)));
    assert.equal(closed.length, 1);
    assert.ok(closed[0]!.tMs > 120_000 && closed[0]!.tMs <= 1000 + 10_000 + 15_000 * 8, `torn down at ${closed[0]!.tMs}`);
  });

  it('declares an endpoint (EprL2Ep and one EprL3Ep per IP) to both leaves once its EPG network is known', () => {
    const { w, a, b } = fabric();
    const agent = w.agent();
    agent.start();
    const epg = epgUri('kube', 'kubernetes|web');
    agent.addEndpoint({ uuid: 'u1', name: 'p', mac: '0a:58:0a:02:00:01', ips: ['10.2.0.1', '10.2.0.2'], epgUri: epg, interfaceName: 'veth0' });
    const network = () => agent.processor.networkOf(epg);
    w.scheduler.runUntil(0.1);
    assert.equal(network(), undefined, 'nothing is known before the resolves are answered');
    assert.equal(a.declares.length, 0);
    w.scheduler.runUntil(1000);
    assert.ok(network()?.bd.endsWith('/GbpBridgeDomain/kube-pod-bd/'));
    for (const leaf of [a, b]) {
      const unique = [...new Set(leaf.declares)];
      assert.equal(unique.length, 3, leaf.at.host);
      assert.ok(unique.some((u) => u.startsWith('/EprL2Universe/EprL2Ep/%2fPolicyUniverse%2fPolicySpace%2fkube%2fGbpBridgeDomain%2fkube-pod-bd%2f/0a%3a58%3a0a%3a02%3a00%3a01/')));
      assert.ok(unique.some((u) => u.endsWith('/10.2.0.2/')));
    }
  });
});
