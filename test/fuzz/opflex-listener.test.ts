/**
 * Seeded fuzzing of a live emulated leaf over real sockets: each run opens hostile connections and
 * plays a random sequence of frames at the leaf (valid methods with hostile params, garbage bytes,
 * frames split anywhere, identity games, huge item counts, connections dropped mid-frame). After each
 * sequence the process is still up, a fresh well-behaved session gets its resolve answered, the
 * leaf's queues and the transport's budgets are back within bounds once the hostile peers are gone,
 * its registry is within its leaf-wide bounds and consistent, no scenario pod's IP is registered by
 * another node, and a crowd of sessions under one name never gets past sessionsPerAgentMax.
 * A second suite plays sessions that declare, take over, undeclare and leave against a leaf with
 * small leaf-wide bounds, so the evictions and refusals happen on every run.
 * The summary (inputs tried, heap and RSS after the hostile clients left) is printed for the long run:
 * `FUZZ_SCALE=50 NODE_OPTIONS=--expose-gc node scripts/run-tests.mjs test/fuzz/opflex-listener`
 * (NODE_OPTIONS reaches the test process; a flag to node itself does not).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Leaf } from '../../src/fabric/leaf.ts';
import { DEFAULT_LEAF_LIMITS } from '../../src/fabric/leaf-limits.ts';
import type { Emulator } from '../../src/live/emulator.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { platformConfigUri } from '../../src/model/policy-builder.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { DEFAULT_UNIDENTIFIED_BUFFERED_BYTES_MAX } from '../../src/transport/socket-transport.ts';
import { fuzzParameters, hostileJson, hostileString } from '../support/fuzz.ts';
import { liveTwin } from '../support/live-twin.ts';
import { errorOf, OpflexClient } from '../support/opflex-client.ts';
import { waitFor } from '../transport/socket-helpers.ts';

const METHODS = ['send_identity', 'policy_resolve', 'policy_unresolve', 'endpoint_declare', 'endpoint_undeclare', 'endpoint_resolve', 'endpoint_unresolve', 'state_report', 'echo', 'custom', 'no_such_method'];

type Action =
  | { kind: 'identity'; name: string }
  | { kind: 'request'; id: unknown; method: string; params: unknown[]; pieces: number[] }
  | { kind: 'many-items'; method: string; count: number; uri: string }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'partial'; size: number }
  | { kind: 'same-name'; count: number };

const uri = fc.oneof(hostileString(40), fc.constantFrom('/PolicyUniverse/', '/PolicyUniverse/PolicySpace/', '/Unknown/a/'), fc.nat(1_000).map((n) => `/Unknown/${n}/`));
const managedObject = fc.record({
  subject: fc.oneof(hostileString(12), fc.constantFrom('EprL2Ep', 'EprL3Ep', 'PlatformConfig')),
  uri,
  properties: fc.oneof(fc.constant([]), fc.array(fc.record({ name: fc.oneof(hostileString(8), fc.constant('ip')), data: fc.oneof(hostileJson(2), fc.constantFrom('10.0.0.102', '10.0.0.101', '10.2.1.11', '10.2.3.11', '10.3.0.12', '10.2.4.12')) }), { maxLength: 3 })),
  children: fc.array(uri, { maxLength: 2 }),
});
const prr = fc.oneof(fc.double(), fc.constantFrom(1e300, -1, 0, 7200, 2 ** 63));
const item = fc.oneof(
  hostileJson(3),
  fc.record({ subject: hostileString(16), policy_uri: uri, prr }),
  fc.record({ endpoint: fc.array(managedObject, { maxLength: 4 }), prr }),
  fc.record({ subject: hostileString(16), endpoint_uri: uri }),
  fc.record({ observable: fc.array(managedObject, { maxLength: 2 }) }),
  fc.record({ name: hostileString(), domain: hostileString(), proto_version: fc.constant('1.0'), my_role: fc.constant(['policy_element']) }),
);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('identity' as const), name: fc.oneof(hostileString(), fc.constantFrom('node-1', 'node-2', 'node-3')) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      id: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, hostileJson(2)),
      method: fc.constantFrom(...METHODS),
      params: fc.array(item, { maxLength: 4 }),
      pieces: fc.array(fc.nat(200), { maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('many-items' as const), method: fc.constantFrom('policy_resolve', 'endpoint_declare', 'endpoint_resolve'), count: fc.integer({ min: 500, max: 3000 }), uri }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ maxLength: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('partial' as const), size: fc.integer({ min: 1, max: 200_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('same-name' as const), count: fc.integer({ min: 2, max: 8 }) }) },
);
/** Per connection: whether it identifies first (then its requests get past the handshake), and what it sends. */
const sequence = fc.array(fc.record({ identified: fc.boolean(), actions: fc.array(action, { minLength: 1, maxLength: 8 }) }), { minLength: 1, maxLength: 3 });

function itemFor(method: string, target: string, n: number): unknown {
  if (method === 'endpoint_declare') return { endpoint: [{ subject: 'EprL3Ep', uri: `${target}${n}/`, properties: [{ name: 'ip', data: `10.9.${n >> 8 & 255}.${n & 255}` }], children: [] }], prr: 7200 };
  if (method === 'endpoint_resolve') return { subject: 'EprL3Ep', endpoint_uri: target, prr: 7200 };
  return { subject: 'GbpEpGroup', policy_uri: n % 2 === 0 ? target : `${target}${n}/`, prr: 3600 };
}

let serial = 0;

/** Opens `count` sessions at once under one name; however many ask, the leaf holds at most sessionsPerAgentMax. */
async function crowd(leaf: Leaf, count: number): Promise<void> {
  const name = `crowd-${++serial}`;
  const clients = await Promise.all(Array.from({ length: count }, () => OpflexClient.open(leaf.address.host, leaf.address.port)));
  try {
    const replies = await Promise.all(clients.map((c) => c.identify(name, 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid', 5_000)));
    const accepted = replies.filter((r) => r?.kind === 'result').length;
    assert.equal(accepted, Math.min(count, DEFAULT_LEAF_LIMITS.sessionsPerAgentMax), `${count} sessions named ${name}: ${accepted} accepted`);
    assert.ok(replies.every((r) => r?.kind === 'result' || /sessionsPerAgentMax/.test(errorOf(r))), 'the others are refused naming the bound');
  } finally {
    for (const c of clients) c.destroy();
  }
}

async function play(leaf: Leaf, client: OpflexClient, identified: boolean, actions: Action[]): Promise<void> {
  if (identified) await client.identify(`fuzz-${++serial}`, 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid', 2_000);
  for (const a of actions) {
    if (client.closed) return;
    switch (a.kind) {
      case 'identity':
        void client.identify(a.name, 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid', 2_000);
        break;
      case 'request': {
        const id = a.id === undefined ? JSON.stringify([a.method, ++serial]) : JSON.stringify(a.id);
        const frame = Buffer.from(`{"id":${id},"method":${JSON.stringify(a.method)},"params":${JSON.stringify(a.params)}}\0`);
        let at = 0;
        for (const p of a.pieces) {
          const end = Math.min(frame.length, at + p);
          await client.write(frame.subarray(at, end));
          at = end;
        }
        await client.write(frame.subarray(at));
        break;
      }
      case 'many-items':
        void client.call(a.method, Array.from({ length: a.count }, (_, i) => itemFor(a.method, a.uri, i)), 2_000);
        break;
      case 'garbage':
        await client.write(Buffer.from(a.bytes));
        break;
      case 'partial':
        await client.write(`{"id":["state_report",1],"method":"state_report","params":["${'z'.repeat(a.size)}`);
        break;
      case 'same-name':
        await crowd(leaf, a.count);
        break;
    }
  }
}

describe('fuzzing a live leaf with hostile OpFlex peers', { timeout: 1_200_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const domain = scenario.policy.domain;
  const port = testPort();
  let emulator: Emulator;
  const summary = { runs: 0, connections: 0, actions: 0, bytesBefore: 0, rssBefore: 0 };

  before(async () => {
    emulator = testEmulator({ scenario, leafBase: '127.0.0.171', port, anycastHost: '127.0.0.37', timeScale: 10, agents: false });
    await emulator.start();
    (globalThis as { gc?: () => void }).gc?.();
    summary.bytesBefore = process.memoryUsage().heapUsed;
    summary.rssBefore = process.memoryUsage().rss;
  });

  after(async () => {
    await emulator.stop();
  });

  it('stays up, answers a fresh session after every sequence and returns within its bounds', { timeout: 600_000 }, async () => {
    const leaf = emulator.twin.pairs.get(emulator.twin.locateNode('node-1')!.pair)![0]!;
    const transport = emulator.transport;
    await fc.assert(
      fc.asyncProperty(sequence, async (connections) => {
        summary.runs++;
        const clients = await Promise.all(connections.map(() => OpflexClient.open(leaf.address.host, leaf.address.port)));
        summary.connections += clients.length;
        try {
          await Promise.all(connections.map((c, i) => play(leaf, clients[i]!, c.identified, c.actions)));
          summary.actions += connections.reduce((n, c) => n + c.actions.length, 0);
          assert.ok(transport.unidentifiedBufferedBytes <= DEFAULT_UNIDENTIFIED_BUFFERED_BYTES_MAX);
        } finally {
          for (const c of clients) c.destroy();
        }
        const fresh = await OpflexClient.open(leaf.address.host, leaf.address.port);
        try {
          assert.equal((await fresh.identify('node-1', domain))?.kind, 'result', 'a fresh session is accepted');
          const reply = await fresh.resolve('PlatformConfig', platformConfigUri(domain));
          assert.equal(reply?.kind, 'result', 'and answered');
        } finally {
          fresh.destroy();
        }
        await waitFor(() => transport.unidentifiedConnections === 0 && transport.unidentifiedBufferedBytes === 0, 'no unidentified peer left', 10_000);
        await waitFor(() => leaf.cache.queueDepth === 0 && leaf.cache.requesterCount === 0, 'the download queue to empty once its sessions left', 20_000);
        await waitFor(() => leaf.openSessions().length === 0, 'every session to be gone', 10_000);
        for (const l of emulator.twin.leaves.values()) {
          assertRegistryConsistent(l);
          assert.equal(l.registry.closedEndpoints, l.registry.size, `${l.name}: with every session gone, all it holds was left by closed sessions`);
          for (const d of l.declaredEndpoints()) {
            const owner = d.ip === undefined ? undefined : emulator.twin.nodeOfPodIp(d.ip);
            assert.ok(owner === undefined || owner === d.agent, `${l.name}: pod IP ${d.ip} of ${owner} registered by ${d.agent}`);
          }
        }
      }),
      fuzzParameters(40),
    );
    (globalThis as { gc?: () => void }).gc?.();
    const heapGrowthMb = (process.memoryUsage().heapUsed - summary.bytesBefore) / 1024 / 1024;
    const rssGrowthMb = (process.memoryUsage().rss - summary.rssBefore) / 1024 / 1024;
    console.log(`opflex-listener fuzz: ${summary.runs} sequences, ${summary.connections} hostile connections, ${summary.actions} actions; after they left: ${leaf.registry.size} registrations held (${leaf.registry.chars} characters), heap ${heapGrowthMb.toFixed(1)} MB, RSS ${rssGrowthMb.toFixed(1)} MB more than before${(globalThis as { gc?: unknown }).gc ? ' (after GC)' : ''}`);
  });
});

/** The registry's totals agree with what it holds, and are within the leaf's bounds. */
function assertRegistryConsistent(leaf: Leaf): void {
  const r = leaf.registry;
  let endpoints = 0;
  let chars = 0;
  let closed = 0;
  let closedChars = 0;
  for (const entry of r.values()) {
    endpoints++;
    chars += r.charsOf(entry);
    if (!r.isOpen(entry)) {
      closed++;
      closedChars += r.charsOf(entry);
    }
  }
  assert.deepEqual([r.size, r.chars, r.closedEndpoints, r.closedChars], [endpoints, chars, closed, closedChars], `${leaf.name}: registry totals`);
  assert.ok(r.size <= leaf.limits.registrationsPerLeafMax && r.chars <= leaf.limits.declaredCharsPerLeafMax, `${leaf.name}: ${r.size} registrations, ${r.chars} characters`);
}

type Step =
  | { kind: 'open'; name: number }
  | { kind: 'declare'; session: number; uri: number; count: number; pad: number }
  | { kind: 'undeclare'; session: number; uri: number }
  | { kind: 'close'; session: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('open' as const), name: fc.nat(3) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('declare' as const), session: fc.nat(7), uri: fc.nat(40), count: fc.integer({ min: 1, max: 12 }), pad: fc.constantFrom(0, 0, 200, 900) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('undeclare' as const), session: fc.nat(7), uri: fc.nat(40) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('close' as const), session: fc.nat(7) }) },
);

describe('fuzzing a leaf\'s leaf-wide bounds with sessions that come and go', { timeout: 1_200_000 }, () => {
  const limits = { registrationsPerLeafMax: 24, declaredCharsPerLeafMax: 9_000, sessionsPerLeafMax: 5, sessionsPerAgentMax: 2 };
  const domain = loadBuiltinScenario('default').policy.domain;
  let live: Awaited<ReturnType<typeof liveTwin>>;

  before(async () => {
    live = await liveTwin(limits, 181);
  });

  after(async () => {
    await live.stop();
  });

  it('never holds more than its bounds, evicts only what closed sessions left, and refuses only when open sessions hold the leaf', { timeout: 600_000 }, async () => {
    const leaf = live.twin.pairs.get(live.twin.locateNode('node-1')!.pair)![0]!;
    const openSessionIds = () => new Set(leaf.openSessions().filter((s) => s.state === 'ready').map((s) => s.id));
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const sessions: OpflexClient[] = [];
        try {
          for (const st of steps) {
            if (st.kind === 'open') {
              const client = await OpflexClient.open(leaf.address.host, leaf.address.port);
              const reply = await client.identify(`agent-${st.name}`, domain, 5_000);
              if (reply?.kind === 'result') sessions.push(client);
              else {
                assert.match(errorOf(reply), /sessionsPerLeafMax|sessionsPerAgentMax/);
                assert.ok(await client.waitClosed(5_000), 'a refused session is closed');
              }
              continue;
            }
            const client = sessions[st.session % Math.max(1, sessions.length)];
            if (!client || client.closed) continue;
            if (st.kind === 'close') {
              client.destroy();
              sessions.splice(sessions.indexOf(client), 1);
              await waitFor(() => openSessionIds().size === sessions.length, 'the leaf to see the session close', 5_000);
              continue;
            }
            const mark = live.events.length;
            if (st.kind === 'undeclare') {
              await client.call('endpoint_undeclare', [{ subject: 'EprL3Ep', endpoint_uri: `/EprL3Universe/EprL3Ep/f/${st.uri}/` }], 5_000);
            } else {
              const items = Array.from({ length: st.count }, (_, k) => ({
                endpoint: [{ subject: 'EprL3Ep', uri: `/EprL3Universe/EprL3Ep/f/${(st.uri + k) % 41}/`, properties: [{ name: 'ip', data: `10.9.9.${(st.uri + k) % 41}` }, { name: 'note', data: 'p'.repeat(st.pad) }], children: [] }],
                prr: 7200,
              }));
              const open = openSessionIds();
              const reply = await client.call('endpoint_declare', items, 5_000);
              for (const e of live.events.slice(mark)) {
                if (e.event === 'endpoint-evicted' && e.actor === leaf.name) assert.ok(!open.has(e.data.session as number), `evicted a registration of open session ${e.data.session}`);
              }
              if (reply?.kind === 'error' && /\(registrationsPerLeafMax\)/.test(errorOf(reply))) {
                // Refused only when nothing a closed session left could have made room.
                assert.equal(leaf.registry.closedEndpoints, 0, `refused with ${leaf.registry.closedEndpoints} closed-session registrations left: ${errorOf(reply)}`);
              }
            }
            assertRegistryConsistent(leaf);
          }
        } finally {
          for (const c of sessions) c.destroy();
        }
        await waitFor(() => leaf.openSessions().length === 0, 'every session to be gone', 10_000);
        assertRegistryConsistent(leaf);
      }),
      fuzzParameters(30),
    );
    const count = (event: string) => live.events.filter((e) => e.event === event && e.actor === leaf.name).length;
    console.log(`leaf-wide bounds fuzz: ${count('endpoint-evicted')} evictions, ${count('endpoint-declare-refused')} declares refused, ${count('session-refused')} sessions refused`);
    assert.ok(count('endpoint-evicted') > 0 && count('session-refused') > 0, 'the runs reached the bounds');
  });
});
