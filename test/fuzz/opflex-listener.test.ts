/**
 * Seeded fuzzing of a live emulated leaf over real sockets: each run opens hostile connections and
 * plays a random sequence of frames at the leaf (valid methods with hostile params, garbage bytes,
 * frames split anywhere, identity games, huge item counts, connections dropped mid-frame). After each
 * sequence the process is still up, a fresh well-behaved session gets its resolve answered, and the
 * leaf's queues and the transport's budgets are back within bounds once the hostile peers are gone.
 * The summary (inputs tried, heap and RSS after the hostile clients left) is printed for the long run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Emulator } from '../../src/live/emulator.ts';
import { platformConfigUri } from '../../src/model/policy-builder.ts';
import { loadBuiltinScenario } from '../../src/scenario/loader.ts';
import { DEFAULT_UNIDENTIFIED_BUFFERED_BYTES_MAX } from '../../src/transport/socket-transport.ts';
import { fuzzParameters, hostileJson, hostileString } from '../support/fuzz.ts';
import { OpflexClient } from '../support/opflex-client.ts';
import { waitFor } from '../transport/socket-helpers.ts';

const METHODS = ['send_identity', 'policy_resolve', 'policy_unresolve', 'endpoint_declare', 'endpoint_undeclare', 'endpoint_resolve', 'endpoint_unresolve', 'state_report', 'echo', 'custom', 'no_such_method'];

type Action =
  | { kind: 'identity'; name: string }
  | { kind: 'request'; id: unknown; method: string; params: unknown[]; pieces: number[] }
  | { kind: 'many-items'; method: string; count: number; uri: string }
  | { kind: 'garbage'; bytes: Uint8Array }
  | { kind: 'partial'; size: number };

const uri = fc.oneof(hostileString(40), fc.constantFrom('/PolicyUniverse/', '/PolicyUniverse/PolicySpace/', '/Unknown/a/'), fc.nat(1_000).map((n) => `/Unknown/${n}/`));
const managedObject = fc.record({
  subject: fc.oneof(hostileString(12), fc.constantFrom('EprL2Ep', 'EprL3Ep', 'PlatformConfig')),
  uri,
  properties: fc.oneof(fc.constant([]), fc.array(fc.record({ name: fc.oneof(hostileString(8), fc.constant('ip')), data: fc.oneof(hostileJson(2), fc.constantFrom('10.0.0.102', '10.0.0.101', '10.2.1.11')) }), { maxLength: 3 })),
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
);
/** Per connection: whether it identifies first (then its requests get past the handshake), and what it sends. */
const sequence = fc.array(fc.record({ identified: fc.boolean(), actions: fc.array(action, { minLength: 1, maxLength: 8 }) }), { minLength: 1, maxLength: 3 });

function itemFor(method: string, target: string, n: number): unknown {
  if (method === 'endpoint_declare') return { endpoint: [{ subject: 'EprL3Ep', uri: `${target}${n}/`, properties: [{ name: 'ip', data: `10.9.${n >> 8 & 255}.${n & 255}` }], children: [] }], prr: 7200 };
  if (method === 'endpoint_resolve') return { subject: 'EprL3Ep', endpoint_uri: target, prr: 7200 };
  return { subject: 'GbpEpGroup', policy_uri: n % 2 === 0 ? target : `${target}${n}/`, prr: 3600 };
}

let serial = 0;

async function play(client: OpflexClient, identified: boolean, actions: Action[]): Promise<void> {
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
    }
  }
}

describe('fuzzing a live leaf with hostile OpFlex peers', () => {
  const scenario = loadBuiltinScenario('default');
  const domain = scenario.policy.domain;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  let emulator: Emulator;
  const summary = { runs: 0, connections: 0, actions: 0, bytesBefore: 0, rssBefore: 0 };

  before(async () => {
    emulator = new Emulator({ scenario, leafBase: '127.0.0.171', port, anycast: { host: '127.0.0.37', port }, control: { host: '127.0.0.1', port: 0 }, timeScale: 10, agents: false });
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
          await Promise.all(connections.map((c, i) => play(clients[i]!, c.identified, c.actions)));
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
      }),
      fuzzParameters(40),
    );
    (globalThis as { gc?: () => void }).gc?.();
    const heapGrowthMb = (process.memoryUsage().heapUsed - summary.bytesBefore) / 1024 / 1024;
    const rssGrowthMb = (process.memoryUsage().rss - summary.rssBefore) / 1024 / 1024;
    console.log(`opflex-listener fuzz: ${summary.runs} sequences, ${summary.connections} hostile connections, ${summary.actions} actions; after they left: heap ${heapGrowthMb.toFixed(1)} MB, RSS ${rssGrowthMb.toFixed(1)} MB more than before${(globalThis as { gc?: unknown }).gc ? ' (after GC)' : ''}`);
  });
});
