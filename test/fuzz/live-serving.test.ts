/**
 * Seeded fuzzing of the serving fast paths: a policy_resolve body decoded once and reused for later
 * frames (repeated-requests.ts) decodes exactly as the full decoder does, whatever the id and body;
 * an outbound batch writes exactly the bytes it was given; and a live leaf flooded with pipelined
 * policy_resolve frames (hostile params, plain and odd ids, repeats, frames split anywhere) answers
 * every one exactly once under its own id, keeps its decode cache within its bound, keeps no URI
 * the flooders subscribed once they left, and answers a fresh session after that.
 * The long run prints inputs tried and RSS after the hostile clients left:
 * `FUZZ_SCALE=50 NODE_OPTIONS=--expose-gc node scripts/run-tests.mjs test/fuzz/live-serving`
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Emulator } from '../../src/live/emulator.ts';
import { platformConfigUri } from '../../src/model/policy-builder.ts';
import { decodeMessage } from '../../src/opflex/codec.ts';
import { forgetRepeatedRequests, repeatedRequestsCached, repeatedRequestsCachedMax } from '../../src/opflex/repeated-requests.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { OutboundBatch, ownWriteBytesMin } from '../../src/transport/outbound-batch.ts';
import { fuzzParameters, hostileJson, hostileString } from '../support/fuzz.ts';
import { OpflexClient } from '../support/opflex-client.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { waitFor } from '../transport/socket-helpers.ts';

const KNOWN_URIS = ['/PolicyUniverse/', '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/kubernetes%7ckube-default/', '/PolicyUniverse/PolicySpace/common/', '/Unknown/a/'];
const uri = fc.oneof(hostileString(40), fc.constantFrom(...KNOWN_URIS));
const resolveItem = fc.oneof(
  { weight: 4, arbitrary: fc.record({ subject: fc.oneof(hostileString(12), fc.constant('GbpEpGroup')), policy_uri: uri, prr: fc.oneof(fc.constant(7200), fc.integer(), fc.double()) }) },
  { weight: 1, arbitrary: hostileJson(3) },
);
const params = fc.array(resolveItem, { minLength: 0, maxLength: 3 });
/** The text of an id for request number n: what agents write, and shapes only a hostile peer writes. */
const idShape = fc.constantFrom(
  (n: number) => `["policy_resolve",${n}]`,
  (n: number) => `["policy_resolve",${9223372036854775808n + BigInt(n)}]`,
  (n: number) => `[ "policy_resolve" , ${n} ]`,
  (n: number) => `["policy\\u005fresolve",${n}]`,
  (n: number) => `["policy_resolve","${n}"]`,
  (n: number) => `{"n":${n}}`,
  (n: number) => `${n}`,
);
const bodyOf = (p: unknown) => `,"method":"policy_resolve","params":${JSON.stringify(p)}}`;

describe('fuzzing the serving fast paths', { timeout: 600_000 }, () => {
  it('a repeated body decodes as the full decoder decodes it, for any id and body', () => {
    let tried = 0;
    fc.assert(
      fc.property(params, idShape, idShape, fc.nat(1000), (p, firstId, laterId, n) => {
        tried++;
        const body = bodyOf(p);
        forgetRepeatedRequests();
        const first = decodeMessage(`{"id":${firstId(n)}${body}`);
        const viaCache = decodeMessage(`{"id":${laterId(n + 1)}${body}`);
        forgetRepeatedRequests();
        const fresh = decodeMessage(`{"id":${laterId(n + 1)}${body}`);
        assert.equal(first.kind, 'request');
        assert.deepEqual(viaCache, fresh);
      }),
      fuzzParameters(2000),
    );
    forgetRepeatedRequests();
    console.log(`live-serving decode fuzz: ${tried} bodies decoded through the cache and afresh`);
  });

  it('an outbound batch writes exactly its chunks, in order', () => {
    const chunk = fc.oneof(
      { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
      { weight: 6, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
      { weight: 1, arbitrary: fc.integer({ min: ownWriteBytesMin - 1, max: ownWriteBytesMin + 1 }).map((n) => Buffer.alloc(n, n & 255)) },
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 12 }), (chunks) => {
        const batch = new OutboundBatch();
        for (const c of chunks) batch.add(c, typeof c === 'string' ? Buffer.byteLength(c) : c.length);
        const writes: Buffer[] = [];
        batch.flushTo(new Writable({ write(b: Buffer, _e, done) {
          writes.push(b);
          done();
        } }), true);
        assert.deepEqual(Buffer.concat(writes), Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))));
        assert.equal(batch.bytes, 0);
      }),
      fuzzParameters(300),
    );
  });

  describe('a live leaf under pipelined hostile resolves', () => {
    const scenario = loadBuiltinScenario('default');
    const domain = scenario.policy.domain;
    const port = testPort();
    let emulator: Emulator;
    const summary = { runs: 0, frames: 0, rssBefore: 0, heapBefore: 0 };

    before(async () => {
      emulator = testEmulator({ scenario, leafBase: '127.0.0.181', port, anycastHost: '127.0.0.38', timeScale: 20, agents: false });
      await emulator.start();
      (globalThis as { gc?: () => void }).gc?.();
      summary.rssBefore = process.memoryUsage().rss;
      summary.heapBefore = process.memoryUsage().heapUsed;
    });

    after(async () => {
      await emulator.stop();
    });

    it('answers every frame once under its own id, then serves a fresh session', async () => {
      const leaf = [...emulator.twin.leaves.values()][0]!;
      const flood = fc.record({
        requests: fc.array(fc.record({ params, id: idShape, repeat: fc.nat(3) }), { minLength: 1, maxLength: 24 }),
        cuts: fc.array(fc.nat(), { maxLength: 6 }),
      });
      await fc.assert(
        fc.asyncProperty(flood, async ({ requests, cuts }) => {
          summary.runs++;
          const client = await OpflexClient.open(leaf.address.host, leaf.address.port);
          try {
            assert.equal((await client.identify(`flooder-${summary.runs}`, domain))?.kind, 'result');
            const ids: string[] = [];
            let text = '';
            for (const r of requests) {
              for (let k = 0; k <= r.repeat; k++) {
                const id = r.id(ids.length + 1);
                ids.push(id);
                text += `{"id":${id}${bodyOf(r.params)}\0`;
              }
            }
            summary.frames += ids.length;
            const bytes = Buffer.from(text);
            const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
            let from = 0;
            for (const at of [...points, bytes.length]) {
              await client.write(bytes.subarray(from, at));
              from = at;
            }
            const frames: string[] = [];
            let pending = '';
            client.socket.on('data', (d: Buffer) => {
              pending += d.toString('utf8');
              const parts = pending.split('\0');
              pending = parts.pop()!;
              frames.push(...parts);
            });
            const answered = (id: string) => frames.filter((f) => f.startsWith(`{"id":${id},"result"`) || f.startsWith(`{"id":${id},"error"`)).length;
            await waitFor(() => ids.every((id) => answered(id) >= 1) || client.closed, 'a reply to every frame', 30_000);
            assert.ok(!client.closed, 'the session stays open');
            for (const id of ids) assert.equal(answered(id), 1, `one reply to ${id}`);
          } finally {
            client.destroy();
          }
          assert.ok(repeatedRequestsCached() <= repeatedRequestsCachedMax);
          await waitFor(() => leaf.openSessions().length === 0, 'the flooder to be gone', 10_000);
          assert.equal(leaf.subscribedUriCount, 0, 'no subscribed URI outlives the sessions that subscribed it');
        }),
        fuzzParameters(25),
      );
      const fresh = await OpflexClient.open(leaf.address.host, leaf.address.port);
      try {
        assert.equal((await fresh.identify('node-1', domain))?.kind, 'result');
        assert.equal((await fresh.resolve('PlatformConfig', platformConfigUri(domain)))?.kind, 'result');
      } finally {
        fresh.destroy();
      }
      (globalThis as { gc?: () => void }).gc?.();
      const mib = (n: number) => (n / 1048576).toFixed(1);
      console.log(`live-serving socket fuzz: ${summary.runs} flooders, ${summary.frames} pipelined frames; after they left: RSS ${mib(process.memoryUsage().rss - summary.rssBefore)} MiB, heap ${mib(process.memoryUsage().heapUsed - summary.heapBefore)} MiB more than before${(globalThis as { gc?: unknown }).gc ? ' (after GC)' : ' (no --expose-gc)'}; ${repeatedRequestsCached()} bodies cached`);
    });
  });
});
