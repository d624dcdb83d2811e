/**
 * The run phase's cheaper paths against the plain definitions they replaced: IPv4 parsing without a
 * regex, reply methods read without a new string, message flows paired without a WeakMap, links
 * whose outbox is a reused array. Each property drives the fast path and a reference with the same
 * inputs and compares every answer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ipv4Number } from '../../src/fabric/pod-ip-owners.ts';
import { RandomStreams } from '../../src/kernel/random.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import { makeRawId, methodOfRawId, type RpcMessage } from '../../src/opflex/message.ts';
import { MessageFlowRecorder, type FlowSelection, type MessageFlow } from '../../src/report/message-flows.ts';
import { observeTransport } from '../../src/transport/observed-transport.ts';
import { SimTransport } from '../../src/transport/sim-transport.ts';
import type { ConnectionHandler, Transport } from '../../src/transport/transport.ts';
import { fuzzParameters, fuzzTimeoutMs, hostileString } from '../support/fuzz.ts';
import { interceptSends } from '../support/send-interceptor.ts';

function referenceIpv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

function referenceMethodOfRawId(id: string): string | undefined {
  if (id.startsWith('["')) {
    const end = id.indexOf('"', 2);
    if (end > 0 && id.charCodeAt(end + 1) === 44 && id.lastIndexOf('\\', end) < 2) return id.slice(2, end);
  }
  const m = /^\[\s*"((?:[^"\\]|\\.)*)"\s*,/.exec(id);
  return m ? (JSON.parse(`"${m[1]}"`) as string) : undefined;
}

/** An octet as a scenario might write it: leading zeros, and now and then just past the range. */
const octetText = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 255 })).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 255 }).map((n) => String(n).padStart(3, '0')) },
  { weight: 1, arbitrary: fc.constantFrom('256', '299', '300', '999', '0000', '1000', '') },
);

/** Characters at the edges of what an address may hold: '/' and ':' border the digits in ASCII. */
const edgeCharacter = fc.constantFrom('/', ':', '.', ' ', '0', '9', '\u0660', '\n', '-', '+');

/** A dotted quad, then up to two edits (a character inserted, replaced or removed) anywhere in it. */
const addressLike = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: fc.array(octetText, { minLength: 4, maxLength: 4 }) }, { weight: 1, arbitrary: fc.array(octetText, { minLength: 3, maxLength: 5 }) }),
    fc.array(fc.tuple(fc.constantFrom('insert', 'replace', 'remove'), fc.nat(), edgeCharacter), { maxLength: 2 }),
  )
  .map(([octets, edits]) => {
    let text = octets.join('.');
    for (const [edit, at, c] of edits) {
      const i = text.length === 0 ? 0 : at % (text.length + (edit === 'insert' ? 1 : 0));
      if (edit === 'insert') text = text.slice(0, i) + c + text.slice(i);
      else if (edit === 'replace') text = text.slice(0, i) + c + text.slice(i + 1);
      else text = text.slice(0, i) + text.slice(i + 1);
    }
    return text;
  });

/** What a function returns, or the name of the error it throws (an id that is no JSON at all). */
function outcome<T>(f: () => T): { value: T } | { thrown: string } {
  try {
    return { value: f() };
  } catch (err) {
    return { thrown: (err as Error).name };
  }
}

const methodNames = fc.oneof(fc.constantFrom('echo', 'policy_resolve', 'endpoint_declare', 'send_identity', 'policy_update'), hostileString(24));

describe('fuzz: run-phase fast paths against their definitions', { timeout: fuzzTimeoutMs(60_000) }, () => {
  it('ipv4Number reads exactly what the dotted-quad regex accepts, with the same number', () => {
    fc.assert(
      fc.property(fc.oneof(addressLike, hostileString(20), fc.ipV4(), fc.ipV4Extended()), (ip) => {
        assert.equal(ipv4Number(ip), referenceIpv4(ip), JSON.stringify(ip));
      }),
      fuzzParameters(4000),
    );
  });

  it('methodOfRawId answers as the slicing definition for ids made by makeRawId and for anything a peer sends', () => {
    fc.assert(
      fc.property(methodNames, fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), hostileString(40), (method, n, raw) => {
        const made = makeRawId(method, n);
        assert.equal(methodOfRawId(made), referenceMethodOfRawId(made));
        for (const id of [raw, `["${method}",${String(n)}]`, `[ "${raw}" , 1]`, `["${method}${raw}",0]`]) {
          assert.deepEqual(outcome(() => methodOfRawId(id)), outcome(() => referenceMethodOfRawId(id)), JSON.stringify(id));
        }
      }),
      fuzzParameters(2000),
    );
  });
});

// ---- Message flows ---------------------------------------------------------------------------------

type Step =
  | { kind: 'send'; fromClient: boolean; reuse: number | undefined }
  | { kind: 'fault'; what: 'drop' | 'duplicate' }
  | { kind: 'wait'; ms: number }
  | { kind: 'follow'; on: boolean }
  | { kind: 'close'; client: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('send' as const), fromClient: fc.boolean(), reuse: fc.option(fc.nat(), { nil: undefined }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fault' as const), what: fc.constantFrom('drop' as const, 'duplicate' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.double({ min: 0, max: 8, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('follow' as const), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), client: fc.boolean() }) },
);

/** The pairing flows had before: a WeakMap from message to its pending sends, matched by receiver. */
function referenceWatcher(clock: VirtualScheduler, selection: FlowSelection, onFlow: (flow: MessageFlow) => void) {
  const pending = new WeakMap<RpcMessage, { from: string; to: string; sentMs: number }[]>();
  const watch = (self: string, peer: string) => ({
    sent(message: RpcMessage) {
      if (!selection.direction(self, peer).followed) return;
      const list = pending.get(message) ?? [];
      list.push({ from: self, to: peer, sentMs: clock.now() });
      pending.set(message, list);
    },
    received(message: RpcMessage) {
      if (!selection.direction(peer, self).followed) return;
      const list = pending.get(message);
      const i = list?.findIndex((p) => p.to === self) ?? -1;
      if (i < 0) return;
      const { from, sentMs } = list!.splice(i, 1)[0]!;
      onFlow({ from, to: self, method: referenceMethodOfRawId(message.kind === 'request' ? `["${message.method}",0]` : message.id) ?? 'unknown', kind: message.kind, sentMs, arrivedMs: clock.now() });
    },
  });
  return { client: (_to: unknown, from: string) => watch(`agent:${from}`, 'leaf-101'), server: (_at: unknown, remote: string) => watch('leaf-101', `agent:${remote}`) };
}

/** Drops or duplicates the next message sent on either end, as the fault injector does, below the watchers. */
function faultyBelow(inner: Transport, fault: { next: 'drop' | 'duplicate' | undefined }): Transport {
  return interceptSends(inner, (c, m) => {
    const what = fault.next;
    fault.next = undefined;
    if (what === 'drop') return;
    c.send(m);
    if (what === 'duplicate') c.send(m);
  });
}

describe('fuzz: message flows against the WeakMap pairing they replaced', { timeout: fuzzTimeoutMs(60_000) }, () => {
  it('reports the same flows, in the same order, for any sends, re-sends, losses, duplicates, follow changes and closes', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (script) => {
        const scheduler = new VirtualScheduler();
        const sim = new SimTransport(scheduler, {
          linkLatency: { kind: 'uniform', minMs: 0.1, maxMs: 6 },
          connectLatency: { kind: 'fixed', valueMs: 1 },
          random: new RandomStreams(3).stream('network'),
        });
        const view = { followed: true };
        const selection: FlowSelection = { direction: () => view };
        const fault: { next: 'drop' | 'duplicate' | undefined } = { next: undefined };
        const got: MessageFlow[] = [];
        const expected: MessageFlow[] = [];
        const recorder = new MessageFlowRecorder(scheduler, { client: (from) => `agent:${from}`, server: () => 'leaf-101' }, (flow) => got.push(flow), selection);
        const transport = recorder.wrap(observeTransport(faultyBelow(sim, fault), referenceWatcher(scheduler, selection, (flow) => expected.push(flow))));
        transport.listen({ host: '10.0.80.64', port: 8009 }, () => {});
        const { client, server } = transport.establish!({ host: '10.0.80.64', port: 8009 }, 'node-1');
        const quiet: ConnectionHandler = { onOpen() {}, onMessage() {}, onClose() {} };
        client.setHandler(quiet);
        server.setHandler(quiet);
        const sent: RpcMessage[] = [];
        let n = 0;
        for (const s of script) {
          switch (s.kind) {
            case 'send': {
              const message: RpcMessage =
                s.reuse !== undefined && sent.length > 0 ? sent[s.reuse % sent.length]! : n % 3 === 2 ? { kind: 'result', id: makeRawId('policy_resolve', n), result: {} } : { kind: 'request', id: makeRawId('echo', n), method: 'echo', params: [n] };
              n++;
              sent.push(message);
              (s.fromClient ? client : server).send(message);
              break;
            }
            case 'fault':
              fault.next = s.what;
              break;
            case 'wait':
              scheduler.runUntil(scheduler.now() + s.ms);
              break;
            case 'follow':
              view.followed = s.on;
              break;
            case 'close':
              (s.client ? client : server).close('fuzz');
              break;
          }
        }
        scheduler.runUntil(scheduler.now() + 1000);
        assert.deepEqual(got, expected);
      }),
      fuzzParameters(1500),
    );
  });
});
