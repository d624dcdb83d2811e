/**
 * Hostile OpFlex peers against a live emulated fabric (real sockets, real clock scaled): each one is
 * refused or cut off with a reason, the leaf keeps what it holds within its bounds, and the process
 * goes on serving everyone else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Leaf } from '../../src/fabric/leaf.ts';
import { DEFAULT_LEAF_LIMITS } from '../../src/fabric/leaf-limits.ts';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import type { Emulator } from '../../src/live/emulator.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { epgUri, platformConfigUri } from '../../src/model/policy-builder.ts';
import { DEFAULT_PROXY_LIMITS } from '../../src/opflex/proxy-limits.ts';
import { DOWNLOADS_PER_REQUESTER_MAX } from '../../src/fabric/policy-cache.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { liveTwin } from '../support/live-twin.ts';
import { errorOf, OpflexClient } from '../support/opflex-client.ts';
import { waitFor } from '../transport/socket-helpers.ts';

const TEST_TIMEOUT = { timeout: 60_000 };
const LIVENESS_MS = 30_000;

describe('a live leaf against hostile OpFlex peers', { timeout: 300_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const domain = scenario.policy.domain;
  const port = testPort();
  const events: TraceEvent[] = [];
  const clients: OpflexClient[] = [];
  let emulator: Emulator;

  /** The leaf a node's agent would use, and its host. */
  function leafOf(node: string): Leaf {
    const pair = emulator.twin.locateNode(node)!.pair;
    return emulator.twin.pairs.get(pair)![0]!;
  }

  async function connect(node: string, name = node): Promise<OpflexClient> {
    const leaf = leafOf(node);
    const client = await OpflexClient.open(leaf.address.host, leaf.address.port);
    clients.push(client);
    if (name !== '') assert.equal((await client.identify(name, domain))?.kind, 'result');
    return client;
  }

  before(async () => {
    emulator = testEmulator({
      scenario,
      leafBase: '127.0.0.151',
      port,
      anycastHost: '127.0.0.35',
      timeScale: 10,
      agents: false,
    });
    emulator.subscribe((e) => events.push(e));
    await emulator.start();
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await emulator.stop();
  });

  it('refuses a policy_resolve of 10,000 items, and one whose reply would be too large, with error replies; the session goes on', TEST_TIMEOUT, async () => {
    const client = await connect('node-3', 'greedy');
    const item = { subject: 'PolicyUniverse', policy_uri: '/PolicyUniverse/', prr: 3600 };
    const tooMany = await client.call('policy_resolve', new Array(10_000).fill(item));
    assert.match(errorOf(tooMany), /policy_resolve carries 10000 items, more than 1024 \(itemsPerRequestMax\)/);
    const huge = await client.call('policy_resolve', new Array(1024).fill(item), LIVENESS_MS);
    assert.match(errorOf(huge), /objectsPerReplyMax|Reply larger than \d+ bytes/);
    const whole = await client.resolve('PolicyUniverse', '/PolicyUniverse/');
    assert.equal(whole?.kind, 'result', 'the same session still gets the universe once');
  });

  it('bounds the APIC downloads one session queues, serves another session meanwhile, and drops the queue when the flooder leaves', TEST_TIMEOUT, async () => {
    const leaf = leafOf('node-1');
    const flooder = await connect('node-1', 'flooder');
    const session = () => leaf.openSessions().find((s) => s.agentName === 'flooder')!;
    // 5 frames of 1,000 unknown URIs: more than a session may wait on.
    const floods = [0, 1, 2, 3, 4].map((f) => flooder.call('policy_resolve', Array.from({ length: 1000 }, (_, i) => ({ subject: 'GbpEpGroup', policy_uri: `/Unknown/${f}/${i}/`, prr: 3600 })), LIVENESS_MS));
    const rejected = () => events.some((e) => e.event === 'policy-download-rejected' && e.data.requestedBy === 'flooder');
    await waitFor(rejected, 'downloads past the flooder\'s bound to be refused', LIVENESS_MS);
    assert.ok(leaf.cache.waitsOf(session()) <= DOWNLOADS_PER_REQUESTER_MAX);
    assert.ok(leaf.cache.queueDepth <= DOWNLOADS_PER_REQUESTER_MAX);

    const good = await connect('node-1', 'node-1');
    const uris = [platformConfigUri(domain), ...scenario.policy.epgs.map((e) => epgUri(scenario.policy.tenant, e.name))];
    const answers = await Promise.all(uris.map((uri) => good.resolve('GbpEpGroup', uri)));
    assert.deepEqual(answers.map((a) => a?.kind), uris.map(() => 'result'));
    assert.ok(answers.every((a) => a?.kind === 'result' && (a.result as { policy: unknown[] }).policy.length > 0), 'every object was downloaded for the good session');
    assert.ok(leaf.cache.queueDepth > 0, 'the flood is still queued: the good session went past it');

    flooder.destroy();
    await waitFor(() => leaf.cache.queueDepth === 0, 'the flooder\'s queued downloads to leave the queue', LIVENESS_MS);
    assert.ok(events.some((e) => e.event === 'policy-download-dropped' && e.data.requestedBy === 'flooder'));
    await Promise.all(floods);
  });

  it('refuses declares with 2 MB URIs, too many objects or too much text; clamps prr to a day; keeps only what it accepted', TEST_TIMEOUT, async () => {
    const leaf = leafOf('node-3');
    const client = await connect('node-3');
    const l3 = (uri: string, ip: string, extra: { name: string; data: string }[] = []) => ({
      subject: 'EprL3Ep', uri, properties: [{ name: 'ip', data: ip }, ...extra], children: [],
      parent_subject: 'EprL3Universe', parent_uri: '/EprL3Universe/', parent_relation: 'EprL3Ep',
    });
    const longUri = `/EprL3Universe/EprL3Ep/${'x'.repeat(2 * 1024 * 1024)}/`;
    for (let i = 0; i < 24; i++) {
      const reply = await client.call('endpoint_declare', [{ endpoint: [l3(`${longUri}${i}/`, `10.9.0.${i}`)], prr: 1e300 }]);
      assert.match(errorOf(reply), /URI of \d+ characters, more than 2048 \(uriCharsMax\)/);
    }
    const crowd = Array.from({ length: DEFAULT_PROXY_LIMITS.objectsPerDeclareMax + 1 }, (_, i) => l3(`/EprL3Universe/EprL3Ep/crowd/${i}/`, `10.9.1.${i % 250}`));
    assert.match(errorOf(await client.call('endpoint_declare', [{ endpoint: crowd, prr: 7200 }])), /objectsPerDeclareMax/);
    const padded = l3('/EprL3Universe/EprL3Ep/padded/', '10.9.2.1', [{ name: 'note', data: 'x'.repeat(DEFAULT_PROXY_LIMITS.declaredEndpointCharsMax) }]);
    assert.match(errorOf(await client.call('endpoint_declare', [{ endpoint: [padded], prr: 7200 }])), /declaredEndpointCharsMax/);
    assert.equal((await client.call('endpoint_declare', [{ endpoint: [l3('/EprL3Universe/EprL3Ep/ok/', '10.9.3.1')], prr: 1e300 }]))?.kind, 'result');
    assert.equal((await client.resolve('GbpEpGroup', '/Forever/', 1e300))?.kind, 'result');
    const expiry = leaf.openSessions().find((s) => s.agentName === 'node-3')!.subscriptions.get('/Forever/')!;
    assert.ok(expiry <= emulator.scheduler.now() + DEFAULT_PROXY_LIMITS.prrMaxS * 1000, 'a prr of 1e300 s lasts prrMaxS');
    client.destroy();
    await waitFor(() => !leaf.openSessions().some((s) => s.agentName === 'node-3' && s.state !== 'closed'), 'the session to close', LIVENESS_MS);
    assert.deepEqual(leaf.declaredEndpoints().filter((d) => d.agent === 'node-3').map((d) => d.uri), ['/EprL3Universe/EprL3Ep/ok/']);
  });

  it('keeps one name per session: a second identity under another name is refused, the same name accepted', TEST_TIMEOUT, async () => {
    const leaf = leafOf('node-1');
    const client = await connect('node-1', 'node-1');
    assert.match(errorOf(await client.identify('node-2', domain)), /already identified as "node-1": one name per session/);
    assert.equal((await client.identify('node-1', domain))?.kind, 'result');
    await waitFor(() => leaf.currentOdevs().some((o) => o.hostName === 'node-1' && o.state === 'connected'), 'node-1\'s ODev', LIVENESS_MS);
    for (const c of clients) if (c !== client) c.destroy();
    client.destroy();
    await waitFor(() => leaf.currentOdevs().every((o) => o.hostName !== 'node-1' || o.state === 'disconnected'), 'node-1\'s ODev to disconnect once its last session closed', LIVENESS_MS);
  });

  it('holds the anycast proxy to the same bounds: huge requests refused, one name per session, an endless frame before identity dropped', TEST_TIMEOUT, async () => {
    const client = await OpflexClient.open('127.0.0.35', port);
    clients.push(client);
    assert.equal((await client.identify('node-1', domain))?.kind, 'result');
    assert.match(errorOf(await client.identify('node-2', domain)), /one name per session/);
    const item = { subject: 'PolicyUniverse', policy_uri: '/PolicyUniverse/', prr: 3600 };
    assert.match(errorOf(await client.call('policy_resolve', new Array(5000).fill(item))), /itemsPerRequestMax/);
    const endless = await OpflexClient.open('127.0.0.35', port);
    clients.push(endless);
    await endless.write(`{"id":["send_identity",1],"method":"send_identity","params":["${'x'.repeat(100_000)}`);
    assert.ok(await endless.waitClosed(), 'a frame past the pre-identity bound drops the connection');
    assert.ok(events.some((e) => e.event === 'connection-error' && /frame larger than 65536 bytes before identity/.test(String(e.data.reason))), 'reported as a connection error');
  });

  it('refuses a declare of another node\'s infrastructure address: node-2 is not moved and its agent gets no PlatformConfig delete', TEST_TIMEOUT, async () => {
    const node2 = await connect('node-2');
    const node2Ip = scenario.nodes.find((n) => n.name === 'node-2')!.infraIp;
    const ownerBefore = emulator.twin.coop.owner(node2Ip);
    const impostor = await connect('node-1');
    const refused = await impostor.call('endpoint_declare', [{
      endpoint: [{ subject: 'EprL3Ep', uri: `/EprL3Universe/EprL3Ep/x/${node2Ip}/`, properties: [{ name: 'ip', data: node2Ip }], children: [] }],
      prr: 7200,
    }]);
    assert.match(errorOf(refused), new RegExp(`${node2Ip} is the infrastructure address of node-2: only node-2 may declare it`));
    const event = events.find((e) => e.event === 'endpoint-declare-refused' && e.data.ip === node2Ip);
    assert.equal(event?.data.agent, 'node-1');
    assert.equal(event?.data.owner, 'node-2');
    // Longer than any COOP update or proxy reaction could take, in model time.
    const until = emulator.scheduler.now() + 5_000;
    await waitFor(() => emulator.scheduler.now() > until, '5 s of model time', LIVENESS_MS);
    assert.equal(emulator.twin.coop.owner(node2Ip), ownerBefore);
    const since = events.slice(events.indexOf(event!));
    assert.deepEqual(since.filter((e) => (e.event === 'epm-learn' || e.event === 'coop-update') && e.data.key === node2Ip), []);
    assert.deepEqual(since.filter((e) => e.event === 'device-moved' || e.event === 'platform-config-delete-sent'), []);
    assert.ok(!node2.requests.some((r) => r.method === 'policy_update'), 'node-2\'s agent was told nothing');
  });

  it('refuses a declare of a pod IP owned on another leaf pair: the COOP owner stays; an IP the fabric does not know is still accepted', TEST_TIMEOUT, async () => {
    const node3 = await connect('node-3');
    const podIp = scenario.nodes.find((n) => n.name === 'node-3')!.pods[1]!.ip;
    const l3 = (ip: string, tag: string) => ({ subject: 'EprL3Ep', uri: `/EprL3Universe/EprL3Ep/${tag}/${ip}/`, properties: [{ name: 'ip', data: ip }], children: [] });
    assert.equal((await node3.call('endpoint_declare', [{ endpoint: [l3(podIp, 'own')], prr: 7200 }]))?.kind, 'result');
    const ownerPair = emulator.twin.locateNode('node-3')!.pair;
    await waitFor(() => emulator.twin.coop.owner(podIp) === ownerPair, 'COOP to learn node-3\'s pod on its pair', LIVENESS_MS);

    const impostor = await connect('node-1');
    assert.notEqual(emulator.twin.locateNode('node-1')!.pair, ownerPair, 'the impostor is behind another leaf pair');
    const refused = await impostor.call('endpoint_declare', [{ endpoint: [l3(podIp, 'stolen')], prr: 7200 }]);
    assert.match(errorOf(refused), new RegExp(`${podIp.replaceAll('.', '\\.')} is the address of a pod on node-3: only node-3 may declare it`));
    const event = events.find((e) => e.event === 'endpoint-declare-refused' && e.data.ip === podIp);
    assert.equal(event?.data.agent, 'node-1');
    assert.equal(event?.data.owner, 'node-3');
    assert.equal((await impostor.call('endpoint_declare', [{ endpoint: [l3('10.9.7.7', 'unknown')], prr: 7200 }]))?.kind, 'result', 'an IP no scenario pod has');

    const until = emulator.scheduler.now() + 5_000;
    await waitFor(() => emulator.scheduler.now() > until, '5 s of model time', LIVENESS_MS);
    assert.equal(emulator.twin.coop.owner(podIp), ownerPair);
    const since = events.slice(events.indexOf(event!));
    assert.deepEqual(since.filter((e) => (e.event === 'epm-learn' || e.event === 'coop-update') && e.data.key === podIp), []);
    assert.ok(!leafOf('node-1').declaredEndpoints().some((d) => d.ip === podIp), 'not registered on the impostor\'s leaf');
  });

  it(`holds at most ${DEFAULT_LEAF_LIMITS.sessionsPerAgentMax} sessions of one agent name on a leaf: the next identity is refused and its session closed, the others go on`, TEST_TIMEOUT, async () => {
    const leaf = leafOf('node-4');
    const open = async () => {
      const client = await OpflexClient.open(leaf.address.host, leaf.address.port);
      clients.push(client);
      return client;
    };
    const held: OpflexClient[] = [];
    for (let i = 0; i < DEFAULT_LEAF_LIMITS.sessionsPerAgentMax; i++) {
      const client = await open();
      assert.equal((await client.identify('twin-agent', domain))?.kind, 'result');
      held.push(client);
    }
    const extra = await open();
    assert.match(errorOf(await extra.identify('twin-agent', domain)), new RegExp(`already holds ${DEFAULT_LEAF_LIMITS.sessionsPerAgentMax} sessions of "twin-agent" \\(sessionsPerAgentMax`));
    assert.ok(await extra.waitClosed(LIVENESS_MS), 'the refused session is closed');
    assert.ok(events.some((e) => e.event === 'session-refused' && e.data.agent === 'twin-agent'));
    const answers = await Promise.all(held.map((c) => c.resolve('PlatformConfig', platformConfigUri(domain))));
    assert.deepEqual(answers.map((a) => a?.kind), held.map(() => 'result'), 'the sessions already open are untouched');

    held[0]!.destroy();
    await waitFor(() => leaf.openSessions().filter((s) => s.agentName === 'twin-agent').length < DEFAULT_LEAF_LIMITS.sessionsPerAgentMax, 'one of them to close', LIVENESS_MS);
    assert.equal((await (await open()).identify('twin-agent', domain))?.kind, 'result', 'a place freed is taken again');
  });
});

describe('a live leaf\'s bounds over all its sessions', () => {
  const domain = loadBuiltinScenario('default').policy.domain;
  const l3 = (tag: string, i: number, pad = '') => ({
    subject: 'EprL3Ep', uri: `/EprL3Universe/EprL3Ep/${tag}/${i}/`, properties: [{ name: 'ip', data: `10.9.${tag.length}.${i}` }, ...(pad ? [{ name: 'note', data: pad }] : [])], children: [],
  });
  const declare = (client: OpflexClient, tag: string, from: number, count: number, pad = '') =>
    client.call('endpoint_declare', Array.from({ length: count }, (_, k) => ({ endpoint: [l3(tag, from + k, pad)], prr: 7200 })));

  async function session(leaf: Leaf, name: string, held: OpflexClient[]): Promise<OpflexClient> {
    const client = await OpflexClient.open(leaf.address.host, leaf.address.port);
    held.push(client);
    assert.equal((await client.identify(name, domain))?.kind, 'result');
    return client;
  }

  it('evicts what closed sessions left, oldest first, with its EPM entry, and refuses a declare when only open sessions hold the leaf', TEST_TIMEOUT, async () => {
    const { twin, events, stop } = await liveTwin({ registrationsPerLeafMax: 8 }, 181);
    const held: OpflexClient[] = [];
    try {
      const leaf = twin.pairs.get(twin.locateNode('node-1')!.pair)![0]!;
      const gone = await session(leaf, 'node-1', held);
      assert.equal((await declare(gone, 'gone', 0, 4))?.kind, 'result');
      await waitFor(() => leaf.epm.get('10.9.4.0')?.kind === 'local', 'the EPM to learn node-1\'s endpoint', LIVENESS_MS);
      gone.destroy();
      await waitFor(() => leaf.openSessions().length === 0, 'node-1\'s session to close', LIVENESS_MS);
      assert.equal(leaf.declaredEndpoints().length, 4, 'a closed session\'s registrations stay');

      const keeper = await session(leaf, 'keeper', held);
      assert.equal((await declare(keeper, 'keeper', 0, 4))?.kind, 'result', 'fits without evicting');
      const newcomer = await session(leaf, 'newcomer', held);
      assert.equal((await declare(newcomer, 'new', 0, 2))?.kind, 'result', 'fits by evicting two of the closed session\'s');
      const evicted = events.filter((e) => e.event === 'endpoint-evicted');
      assert.deepEqual(evicted.map((e) => [e.data.uri, e.data.agent, e.data.bound]), [0, 1].map((i) => [`/EprL3Universe/EprL3Ep/gone/${i}/`, 'node-1', 'registrationsPerLeafMax']));
      assert.equal(leaf.epm.get('10.9.4.0'), undefined, 'an evicted registration no longer holds its EPM entry');
      assert.equal(leaf.epm.get('10.9.4.2')?.kind, 'local', 'one not evicted still does');

      assert.equal((await declare(newcomer, 'new', 2, 2))?.kind, 'result', 'the last two closed-session registrations make room');
      const refused = await declare(newcomer, 'new', 4, 1);
      assert.match(errorOf(refused), /leaf-\d+ holds 8 endpoints registered by open sessions or left by closed ones, at most 8 \(registrationsPerLeafMax\)/);
      assert.ok(events.some((e) => e.event === 'endpoint-declare-refused' && e.data.agent === 'newcomer' && /registrationsPerLeafMax/.test(String(e.data.reason))));
      assert.deepEqual(leaf.declaredEndpoints().map((d) => d.agent).sort(), [...Array(4).fill('keeper'), ...Array(4).fill('newcomer')]);
      assert.equal((await declare(keeper, 'keeper', 0, 4))?.kind, 'result', 'renewing what a session holds needs no room');
    } finally {
      for (const c of held) c.destroy();
      await stop();
    }
  });

  it('lets an agent\'s new session take over what its closed session left on a full leaf, without evicting anything', TEST_TIMEOUT, async () => {
    const { twin, events, stop } = await liveTwin({ registrationsPerLeafMax: 1 }, 187);
    const held: OpflexClient[] = [];
    try {
      const leaf = twin.pairs.get(twin.locateNode('node-1')!.pair)![0]!;
      const gone = await session(leaf, 'node-1', held);
      assert.equal((await declare(gone, 'same', 0, 1))?.kind, 'result');
      gone.destroy();
      await waitFor(() => leaf.openSessions().length === 0, 'node-1\'s session to close', LIVENESS_MS);
      const successor = await session(leaf, 'node-1', held);
      assert.equal((await declare(successor, 'same', 0, 1))?.kind, 'result', 'the registration it replaces goes anyway: the leaf stays at its bound');
      assert.deepEqual(leaf.declaredEndpoints().map((d) => [d.uri, d.agent]), [['/EprL3Universe/EprL3Ep/same/0/', 'node-1']]);
      assert.equal(events.filter((e) => e.event === 'endpoint-evicted' || e.event === 'endpoint-declare-refused').length, 0);
    } finally {
      for (const c of held) c.destroy();
      await stop();
    }
  });

  it('bounds the text registered on a leaf the same way', TEST_TIMEOUT, async () => {
    const { twin, events, stop } = await liveTwin({ declaredCharsPerLeafMax: 5_000 }, 191);
    const held: OpflexClient[] = [];
    try {
      const leaf = twin.pairs.get(twin.locateNode('node-1')!.pair)![0]!;
      const pad = 'x'.repeat(2_000);
      const gone = await session(leaf, 'gone', held);
      assert.equal((await declare(gone, 'gone', 0, 2, pad))?.kind, 'result');
      gone.destroy();
      await waitFor(() => leaf.openSessions().length === 0, 'the session to close', LIVENESS_MS);
      const next = await session(leaf, 'next', held);
      assert.equal((await declare(next, 'next', 0, 1, pad))?.kind, 'result');
      assert.deepEqual(events.filter((e) => e.event === 'endpoint-evicted').map((e) => [e.data.uri, e.data.bound]), [['/EprL3Universe/EprL3Ep/gone/0/', 'declaredCharsPerLeafMax']]);
      assert.equal((await declare(next, 'next', 1, 1, pad))?.kind, 'result', 'evicts the other');
      assert.match(errorOf(await declare(next, 'next', 2, 1, pad)), /holds \d+ characters of registered endpoints, at most 5000 \(declaredCharsPerLeafMax\)/);
    } finally {
      for (const c of held) c.destroy();
      await stop();
    }
  });

  it('refuses an identity past sessionsPerLeafMax and closes that session; the open ones go on, and a place freed is taken again', TEST_TIMEOUT, async () => {
    const { twin, events, stop } = await liveTwin({ sessionsPerLeafMax: 3 }, 201);
    const held: OpflexClient[] = [];
    try {
      const leaf = twin.pairs.get(twin.locateNode('node-1')!.pair)![0]!;
      const open = [await session(leaf, 'a', held), await session(leaf, 'b', held), await session(leaf, 'c', held)];
      const extra = await OpflexClient.open(leaf.address.host, leaf.address.port);
      held.push(extra);
      assert.match(errorOf(await extra.identify('d', domain)), /leaf-\d+ already holds 3 sessions \(sessionsPerLeafMax 3\)/);
      assert.ok(await extra.waitClosed(LIVENESS_MS));
      assert.ok(events.some((e) => e.event === 'session-refused' && e.data.agent === 'd'));
      const answers = await Promise.all(open.map((c) => c.resolve('PlatformConfig', platformConfigUri(domain))));
      assert.deepEqual(answers.map((a) => a?.kind), ['result', 'result', 'result']);
      assert.equal((await open[0]!.identify('a', domain))?.kind, 'result', 'a repeated identity of an open session is not a new session');
      open[2]!.destroy();
      await waitFor(() => leaf.openSessions().length === 2, 'one to close', LIVENESS_MS);
      await session(leaf, 'd', held);
    } finally {
      for (const c of held) c.destroy();
      await stop();
    }
  });

  it('refuses an identity on the anycast proxy past the same bound, from peers that keep their redirected sessions open', TEST_TIMEOUT, async () => {
    const { twin, events, stop } = await liveTwin({ sessionsPerLeafMax: 3 }, 221);
    const held: OpflexClient[] = [];
    const { host, port } = twin.anycast.endpoint;
    const redirected = async (name: string): Promise<OpflexClient> => {
      const client = await OpflexClient.open(host, port);
      held.push(client);
      assert.equal((await client.identify(name, domain))?.kind, 'result');
      return client;
    };
    try {
      const open = [await redirected('node-1'), await redirected('node-2'), await redirected('node-3')];
      const extra = await OpflexClient.open(host, port);
      held.push(extra);
      assert.match(errorOf(await extra.identify('node-4', domain)), /anycast already holds 3 sessions \(sessionsPerLeafMax 3\)/);
      assert.ok(await extra.waitClosed(LIVENESS_MS));
      assert.ok(events.some((e) => e.event === 'session-refused' && e.actor === 'anycast' && e.data.agent === 'node-4'));
      assert.equal((await open[0]!.identify('node-1', domain))?.kind, 'result', 'a repeated identity of an open session is not a new session');
      open[2]!.destroy();
      await waitFor(() => twin.anycast.identifiedSessions === 2, 'one to close', LIVENESS_MS);
      await redirected('node-4');
    } finally {
      for (const c of held) c.destroy();
      await stop();
    }
  });
});
