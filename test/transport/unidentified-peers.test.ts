/**
 * Peers that connect and never finish the identity handshake: each is held to a small frame bound,
 * all of them together to a byte budget and a count, and each to a time limit. Past a bound the
 * newest offender is dropped with the reason; an identified session is never touched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeScheduler } from '../../src/kernel/realtime-scheduler.ts';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import type { IdentityRequest, IdentityResult } from '../../src/opflex/message.ts';
import { ProxySession, type ProxyBackend } from '../../src/opflex/proxy-session.ts';
import { SocketTransport, type ConnectionErrorInfo, type SocketTransportOptions } from '../../src/transport/socket-transport.ts';
import { OpflexClient } from '../support/opflex-client.ts';
import { delay, waitFor } from './socket-helpers.ts';

const TEST_TIMEOUT = { timeout: 30_000 };
const DOMAIN = 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid';

class EchoBackend implements ProxyBackend {
  identify(_s: ProxySession, request: IdentityRequest): IdentityResult {
    return { name: 'leaf', domain: request.domain, your_location: '', data: {}, my_role: ['policy_repository'], peers: [] };
  }
  onReady(): void {}
  onClosed(): void {}
  resolvePolicy(_s: ProxySession, subject: string, uri: string, done: (objects: ManagedObject[]) => void): void {
    done([{ subject, uri, properties: [], children: [] }]);
  }
  unresolvePolicy(): void {}
  declareEndpoint(): void {}
  undeclareEndpoint(): void {}
  resolveEndpoint(): ManagedObject[] {
    return [];
  }
}

async function withServer(options: SocketTransportOptions, body: (s: { port: number; transport: SocketTransport; errors: ConnectionErrorInfo[]; good: OpflexClient }) => Promise<void>): Promise<void> {
  const scheduler = new RealtimeScheduler();
  const errors: ConnectionErrorInfo[] = [];
  const transport = new SocketTransport({ ...options, onConnectionError: (e) => errors.push(e) });
  const backend = new EchoBackend();
  const listener = await transport.listenAsync({ host: '127.0.0.1', port: 0 }, (c) => void new ProxySession(c, scheduler, backend, { keepalive: undefined, maxOutstanding: 16 }));
  const port = listener.endpoint.port;
  const good = await OpflexClient.open('127.0.0.1', port);
  const opened: OpflexClient[] = [good];
  try {
    assert.equal((await good.identify('good', DOMAIN))?.kind, 'result');
    await body({ port, transport, errors, good });
    assert.equal((await good.resolve('PlatformConfig', '/PolicyUniverse/'))?.kind, 'result', 'the identified session still gets answers');
    assert.equal(good.closed, false);
  } finally {
    for (const c of opened) c.destroy();
    await transport.shutdown();
    scheduler.stop();
  }
}

async function openMany(port: number, n: number): Promise<OpflexClient[]> {
  const out: OpflexClient[] = [];
  for (let i = 0; i < n; i++) out.push(await OpflexClient.open('127.0.0.1', port));
  return out;
}

describe('SocketTransport with peers that never identify themselves', () => {
  it('keeps the bytes of their partial frames within the shared budget by dropping the newest holders', TEST_TIMEOUT, async () => {
    await withServer({ unidentifiedBufferedBytesMax: 100_000, maxFrameBytesBeforeIdentity: 8192 }, async ({ port, transport, errors }) => {
      const peers = await openMany(port, 40);
      try {
        // 4,962 bytes each: 20 fit in the budget, 21 do not.
        for (const p of peers) await p.write(`{"id":["send_identity",1],"method":"send_identity","params":["${'x'.repeat(4900)}`);
        await waitFor(() => transport.unidentifiedConnections === 20, 'the 20 newest to be dropped');
        assert.ok(transport.unidentifiedBufferedBytes <= 100_000);
        await waitFor(() => peers.slice(20).every((p) => p.closed), 'the newest 20 peers to see the close');
        assert.ok(peers.slice(0, 20).every((p) => !p.closed), 'the oldest 20 are kept');
        assert.equal(errors.filter((e) => /over 100000 bytes \(unidentifiedBufferedBytesMax\)/.test(e.reason)).length, 20);
      } finally {
        for (const p of peers) p.destroy();
      }
      await waitFor(() => transport.unidentifiedConnections === 0 && transport.unidentifiedBufferedBytes === 0, 'the budget to be free again');
    });
  });

  it('drops a peer whose frame before identity passes the small bound; after identity the full bound applies', TEST_TIMEOUT, async () => {
    await withServer({ maxFrameBytesBeforeIdentity: 1024 }, async ({ port, errors }) => {
      const [bad, late] = await openMany(port, 2);
      await bad!.write(`{"id":["send_identity",1],"method":"send_identity","params":["${'x'.repeat(2000)}"]}\0`);
      assert.ok(await bad!.waitClosed());
      assert.ok(errors.some((e) => /^protocol error: frame larger than 1024 bytes before identity/.test(e.reason)));
      assert.equal((await late!.identify('late', DOMAIN))?.kind, 'result');
      const big = await late!.resolve('PlatformConfig', `/PolicyUniverse/${'y'.repeat(1500)}/`);
      assert.equal(big?.kind, 'result', 'a 1.5 KB frame is fine once identified');
      late!.destroy();
    });
  });

  it('drops the newest connection past the cap on unidentified connections, and one that stays silent past the identity timeout', TEST_TIMEOUT, async () => {
    await withServer({ unidentifiedConnectionsMax: 5, identityTimeoutMs: 500 }, async ({ port, transport, errors }) => {
      const peers = await openMany(port, 7);
      try {
        await waitFor(() => peers.slice(5).every((p) => p.closed), 'the 6th and 7th connections to be dropped');
        assert.ok(peers.slice(0, 5).every((p) => !p.closed));
        assert.equal(errors.filter((e) => /more than 5 connections awaiting identity \(unidentifiedConnectionsMax\)/.test(e.reason)).length, 2);
        await waitFor(() => peers.every((p) => p.closed), 'the silent ones to time out', 10_000);
        assert.ok(errors.some((e) => /^no identity within 500 ms$/.test(e.reason)));
        assert.equal(transport.unidentifiedConnections, 0);
        await delay(600);
      } finally {
        for (const p of peers) p.destroy();
      }
    });
  });
});
