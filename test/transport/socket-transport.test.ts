import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RpcMessage } from '../../src/opflex/message.ts';
import {
  ListenError,
  PEER_CLOSED,
  SocketTransport,
  type ConnectionErrorInfo,
  type SocketConnection,
  type SocketTransportOptions,
} from '../../src/transport/socket-transport.ts';
import type { Connection } from '../../src/transport/transport.ts';
import { RawPeer, RecordingHandler, testCertificates, unusedPort, waitFor } from './socket-helpers.ts';

const TEST_TIMEOUT = { timeout: 20_000 };
const BIG_ID = '["policy_resolve",18446744073709551615]';

interface Pair {
  server: SocketTransport;
  client: SocketTransport;
  serverErrors: ConnectionErrorInfo[];
  clientErrors: ConnectionErrorInfo[];
  accepted: { connection: Connection; handler: RecordingHandler }[];
  port: number;
  dispose(): Promise<void>;
}

/** A listening server transport (every accepted connection gets a RecordingHandler) and a client transport. */
async function makePair(
  serverOptions: SocketTransportOptions = {},
  clientOptions: SocketTransportOptions = {},
  host = '127.0.0.1',
): Promise<Pair> {
  const serverErrors: ConnectionErrorInfo[] = [];
  const clientErrors: ConnectionErrorInfo[] = [];
  const server = new SocketTransport({ ...serverOptions, onConnectionError: (e) => serverErrors.push(e) });
  const client = new SocketTransport({ ...clientOptions, onConnectionError: (e) => clientErrors.push(e) });
  const accepted: Pair['accepted'] = [];
  const listener = await server.listenAsync({ host, port: 0 }, (connection) => {
    const handler = new RecordingHandler();
    connection.setHandler(handler);
    accepted.push({ connection, handler });
  });
  return {
    server,
    client,
    serverErrors,
    clientErrors,
    accepted,
    port: listener.endpoint.port,
    async dispose() {
      await Promise.all([client.shutdown(), server.shutdown()]);
    },
  };
}

async function connectPair(pair: Pair, host = '127.0.0.1', from?: string) {
  const handler = new RecordingHandler();
  const connection = pair.client.connect({ host, port: pair.port }, handler, from);
  await handler.waitOpen();
  await waitFor(() => pair.accepted.length > 0, 'the server to accept');
  return { connection, handler, peer: pair.accepted[pair.accepted.length - 1]! };
}

async function exchangeBothWays(pair: Pair): Promise<void> {
  const { connection: client, handler: clientHandler, peer } = await connectPair(pair, '127.0.0.1', 'agent-node-1');
  assert.equal(client.isOpen, true);
  assert.equal(peer.connection.isOpen, true);
  assert.equal(client.remote, `127.0.0.1:${pair.port}`);
  assert.equal(client.local, 'agent-node-1');
  assert.equal(peer.connection.local, `127.0.0.1:${pair.port}`);
  assert.match(peer.connection.remote, /^127\.0\.0\.1:\d+$/);

  const request: RpcMessage = {
    kind: 'request',
    id: BIG_ID,
    method: 'policy_resolve',
    params: [{ subject: 'PlatformConfig', policy_uri: '/PolicyUniverse/PlatformConfig/comp%2fprov-Kubernetes/', prr: 3600 }],
  };
  client.send(request);
  await peer.handler.waitMessages(1, 'the request at the server');
  assert.deepEqual(peer.handler.messages[0], request);
  assert.equal(peer.handler.messages[0]!.id, BIG_ID);

  const reply: RpcMessage = { kind: 'result', id: BIG_ID, result: { policy: [] } };
  const update: RpcMessage = { kind: 'request', id: '["policy_update",1]', method: 'policy_update', params: [{ replace: [], merge_children: [], delete: [] }] };
  const error: RpcMessage = { kind: 'error', id: '["policy_resolve",9223372036854775808]', error: { code: 'ESTATE', message: 'ünïcödé ✓' } };
  peer.connection.send(reply);
  peer.connection.send(update);
  peer.connection.send(error);
  await clientHandler.waitMessages(3, 'the replies at the client');
  assert.deepEqual(clientHandler.messages, [reply, update, error]);
  assert.equal(clientHandler.messages[0]!.id, BIG_ID);
  assert.equal(clientHandler.opens, 1);
  assert.deepEqual(clientHandler.closeReasons, []);
  assert.deepEqual(peer.handler.closeReasons, []);
}

describe('SocketTransport: messages both ways', () => {
  it('plain TCP: client and server connections exchange messages, ids arrive byte-identical', TEST_TIMEOUT, async () => {
    const pair = await makePair();
    try {
      await exchangeBothWays(pair);
      assert.deepEqual(pair.serverErrors, []);
      assert.deepEqual(pair.clientErrors, []);
    } finally {
      await pair.dispose();
    }
  });

  it('TLS: a client that trusts the generated CA (secure mode) exchanges messages both ways', TEST_TIMEOUT, async () => {
    const certs = await testCertificates();
    const pair = await makePair({ tls: certs.server }, { clientTls: { ca: certs.ca } });
    try {
      await exchangeBothWays(pair);
      const serverSide = pair.accepted[0]!.connection as SocketConnection;
      assert.equal(serverSide.peerAuthorized, false, 'no client certificate was asked for');
      assert.deepEqual(pair.serverErrors, []);
    } finally {
      await pair.dispose();
    }
  });

  it('TLS: the agent\'s "encrypted" mode (rejectUnauthorized: false) exchanges messages both ways', TEST_TIMEOUT, async () => {
    const certs = await testCertificates();
    const pair = await makePair({ tls: certs.server }, { clientTls: { rejectUnauthorized: false } });
    try {
      await exchangeBothWays(pair);
    } finally {
      await pair.dispose();
    }
  });

  it('TLS: a server that requires a client certificate accepts one signed by its CA', TEST_TIMEOUT, async () => {
    const certs = await testCertificates();
    const pair = await makePair(
      { tls: { ...certs.server, ca: certs.ca, requestCert: true, rejectUnauthorized: true } },
      { clientTls: { ca: certs.ca, ...certs.client } },
    );
    try {
      await exchangeBothWays(pair);
      assert.equal((pair.accepted[0]!.connection as SocketConnection).peerAuthorized, true);
      assert.deepEqual(pair.serverErrors, []);
    } finally {
      await pair.dispose();
    }
  });

  it('TLS: a server that requires a client certificate refuses a client without one, or with one from another CA', TEST_TIMEOUT, async () => {
    const certs = await testCertificates();
    const serverTls = { ...certs.server, ca: certs.ca, requestCert: true, rejectUnauthorized: true };
    const noCert = await makePair({ tls: serverTls }, { clientTls: { ca: certs.ca } });
    const foreign = await makePair({ tls: serverTls }, { clientTls: { ca: certs.ca, ...certs.otherClient } });
    try {
      for (const pair of [noCert, foreign]) {
        const handler = new RecordingHandler();
        pair.client.connect({ host: '127.0.0.1', port: pair.port }, handler);
        // With TLS 1.3 the client may see the handshake done before the server refuses its certificate.
        await handler.waitClosed('the refused client to be closed');
        assert.equal(handler.closeReasons.length, 1);
        await waitFor(() => pair.serverErrors.length > 0, 'the server to report the refused handshake');
        assert.match(pair.serverErrors[0]!.reason, /^TLS handshake failed: /);
        assert.equal(pair.accepted.length, 0, 'no connection reaches onAccept');
      }
    } finally {
      await Promise.all([noCert.dispose(), foreign.dispose()]);
    }
  });

  it('TLS: a secure client refuses a server whose certificate it cannot verify; the plain host-name check is off as in libopflex', TEST_TIMEOUT, async () => {
    const certs = await testCertificates();
    const untrusted = await makePair({ tls: certs.server }, { clientTls: { ca: certs.otherCa } });
    try {
      const handler = new RecordingHandler();
      untrusted.client.connect({ host: '127.0.0.1', port: untrusted.port }, handler);
      await handler.waitClosed();
      assert.equal(handler.opens, 0);
      assert.match(handler.closeReasons[0]!, new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${untrusted.port} failed: `));
      assert.equal(untrusted.clientErrors.length, 1);
    } finally {
      await untrusted.dispose();
    }
    // The certificate names 127.0.0.1 and localhost, not 127.0.0.3: the chain alone is verified.
    const otherAddress = await makePair({ tls: certs.server }, { clientTls: { ca: certs.ca } }, '127.0.0.3');
    try {
      const { connection } = await connectPair(otherAddress, '127.0.0.3');
      assert.equal(connection.remote, `127.0.0.3:${otherAddress.port}`);
    } finally {
      await otherAddress.dispose();
    }
  });

  it('reports remote exactly as dialled and local as the socket address when no name is given (127.0.0.2)', TEST_TIMEOUT, async () => {
    const pair = await makePair({}, {}, '127.0.0.2');
    try {
      const { connection, peer } = await connectPair(pair, '127.0.0.2');
      assert.equal(connection.remote, `127.0.0.2:${pair.port}`);
      assert.match(connection.local, /^127\.0\.0\.1:\d+$/);
      assert.equal(peer.connection.local, `127.0.0.2:${pair.port}`);
      assert.equal(peer.connection.remote, connection.local);
      assert.notEqual(connection.id, 0);
    } finally {
      await pair.dispose();
    }
  });
});

describe('SocketTransport: closing', () => {
  it('close() calls the own onClose once with the reason, the peer gets "peer closed the connection", send after close is a no-op', TEST_TIMEOUT, async () => {
    const pair = await makePair();
    try {
      const { connection, handler, peer } = await connectPair(pair);
      connection.close('agent going away');
      connection.close('again');
      assert.deepEqual(handler.closeReasons, ['agent going away']);
      assert.equal(connection.isOpen, false);
      connection.send({ kind: 'result', id: '1', result: {} });
      await peer.handler.waitClosed();
      assert.deepEqual(peer.handler.closeReasons, [PEER_CLOSED]);
      assert.deepEqual(peer.handler.messages, []);
      peer.connection.send({ kind: 'result', id: '1', result: {} });
      peer.connection.close('late');
      assert.deepEqual(peer.handler.closeReasons, [PEER_CLOSED]);
      await waitFor(() => pair.client.liveSockets === 0 && pair.server.liveSockets === 0, 'both sockets to be gone');
    } finally {
      await pair.dispose();
    }
  });

  it('frames sent just before close() still reach the peer, then the close', TEST_TIMEOUT, async () => {
    const pair = await makePair();
    try {
      const { handler, peer } = await connectPair(pair);
      for (let i = 1; i <= 100; i++) peer.connection.send({ kind: 'request', id: `["policy_update",${i}]`, method: 'policy_update', params: [] });
      peer.connection.close('server done');
      await handler.waitClosed();
      assert.equal(handler.messages.length, 100);
      assert.deepEqual(handler.closeReasons, [PEER_CLOSED]);
    } finally {
      await pair.dispose();
    }
  });

  it('Listener.close() stops accepting and closes its open connections', TEST_TIMEOUT, async () => {
    const server = new SocketTransport();
    const client = new SocketTransport();
    const accepted: RecordingHandler[] = [];
    const listener = await server.listenAsync({ host: '127.0.0.1', port: 0 }, (c) => {
      const h = new RecordingHandler();
      c.setHandler(h);
      accepted.push(h);
    });
    try {
      const a = new RecordingHandler();
      const b = new RecordingHandler();
      client.connect(listener.endpoint, a);
      client.connect(listener.endpoint, b);
      await Promise.all([a.waitOpen(), b.waitOpen()]);
      await waitFor(() => accepted.length === 2, 'two accepted connections');
      assert.equal(listener.openConnections, 2);
      await listener.closeAsync();
      assert.deepEqual(accepted.map((h) => h.closeReasons), [['listener closed'], ['listener closed']]);
      await Promise.all([a.waitClosed(), b.waitClosed()]);
      assert.deepEqual([a.closeReasons, b.closeReasons], [[PEER_CLOSED], [PEER_CLOSED]]);
      const late = new RecordingHandler();
      client.connect(listener.endpoint, late);
      await late.waitClosed();
      assert.deepEqual(late.closeReasons, [`connection refused: 127.0.0.1:${listener.endpoint.port}`]);
    } finally {
      await Promise.all([client.shutdown(), server.shutdown()]);
    }
  });

  it('a handler that throws closes only its own connection, with the error as reason, and it is reported', TEST_TIMEOUT, async () => {
    const pair = await makePair();
    try {
      const good = await connectPair(pair);
      const bad = await connectPair(pair);
      bad.peer.handler.onMessage = () => {
        throw new Error('boom');
      };
      bad.connection.send({ kind: 'request', id: '["echo",0]', method: 'echo', params: [] });
      await bad.peer.handler.waitClosed();
      assert.deepEqual(bad.peer.handler.closeReasons, ['handler error: boom']);
      assert.ok(pair.serverErrors.some((e) => e.reason === 'handler error: boom'));
      await bad.handler.waitClosed();
      assert.deepEqual(bad.handler.closeReasons, [PEER_CLOSED]);

      good.connection.send({ kind: 'request', id: '["echo",1]', method: 'echo', params: [] });
      await good.peer.handler.waitMessages(1);
      good.peer.connection.send({ kind: 'result', id: '["echo",1]', result: [] });
      await good.handler.waitMessages(1);
      assert.equal(good.connection.isOpen, true);
    } finally {
      await pair.dispose();
    }
  });

  it('a peer that does not read is disconnected once the write buffer passes maxWriteBufferBytes', TEST_TIMEOUT, async () => {
    const pair = await makePair({ maxWriteBufferBytes: 1024 * 1024 });
    const raw = await RawPeer.open(pair.port);
    try {
      raw.socket.pause(); // never reads: the kernel buffers fill, then ours
      await waitFor(() => pair.accepted.length === 1, 'the server to accept');
      const { connection, handler } = pair.accepted[0]!;
      const payload = 'x'.repeat(10_000);
      let sent = 0;
      while (connection.isOpen && sent < 20_000) {
        connection.send({ kind: 'request', id: `["policy_update",${sent}]`, method: 'policy_update', params: [payload] });
        sent++;
      }
      assert.equal(connection.isOpen, false, `still open after ${sent} messages`);
      assert.deepEqual(handler.closeReasons, ['write buffer over 1048576 bytes: peer is not reading']);
      assert.ok(pair.serverErrors.some((e) => /write buffer/.test(e.reason)));
    } finally {
      raw.destroy();
      await pair.dispose();
    }
  });
});

describe('SocketTransport: connecting and listening', () => {
  it('connecting to a port nobody listens on calls onClose with a "refused" reason and throws nothing', TEST_TIMEOUT, async () => {
    const port = await unusedPort();
    const errors: ConnectionErrorInfo[] = [];
    const transport = new SocketTransport({ onConnectionError: (e) => errors.push(e) });
    const handler = new RecordingHandler();
    const connection = transport.connect({ host: '127.0.0.1', port }, handler, 'agent-node-1');
    assert.equal(connection.isOpen, false);
    connection.send({ kind: 'request', id: '["echo",0]', method: 'echo', params: [] }); // no-op while connecting
    await handler.waitClosed();
    assert.deepEqual(handler.closeReasons, [`connection refused: 127.0.0.1:${port}`]);
    assert.equal(handler.opens, 0);
    assert.deepEqual(errors, [{ connection: `#1 agent-node-1 -> 127.0.0.1:${port}`, reason: `connection refused: 127.0.0.1:${port}` }]);
    await transport.shutdown();
  });

  it('a TLS client refused at the TCP level gets the same "refused" reason', TEST_TIMEOUT, async () => {
    const port = await unusedPort();
    const transport = new SocketTransport({ clientTls: { rejectUnauthorized: false } });
    const handler = new RecordingHandler();
    transport.connect({ host: '127.0.0.1', port }, handler);
    await handler.waitClosed();
    assert.deepEqual(handler.closeReasons, [`connection refused: 127.0.0.1:${port}`]);
    await transport.shutdown();
  });

  it('close() while connecting reports the reason once and never opens', TEST_TIMEOUT, async () => {
    const pair = await makePair();
    try {
      const handler = new RecordingHandler();
      const connection = pair.client.connect({ host: '127.0.0.1', port: pair.port }, handler);
      connection.close('changed my mind');
      assert.deepEqual(handler.closeReasons, ['changed my mind']);
      await waitFor(() => pair.client.liveSockets === 0, 'the client socket to be gone');
      assert.equal(handler.opens, 0);
    } finally {
      await pair.dispose();
    }
  });

  it('an invalid port is reported through onClose, not thrown', TEST_TIMEOUT, async () => {
    const transport = new SocketTransport();
    const handler = new RecordingHandler();
    transport.connect({ host: '127.0.0.1', port: 70_000 }, handler);
    await handler.waitClosed();
    assert.match(handler.closeReasons[0]!, /^connect to 127\.0\.0\.1:70000 failed: /);
    await transport.shutdown();
  });

  it('ids count up per transport instance', TEST_TIMEOUT, async () => {
    const port = await unusedPort();
    const a = new SocketTransport();
    const b = new SocketTransport();
    const handlers = [new RecordingHandler(), new RecordingHandler(), new RecordingHandler()];
    const ids = [a.connect({ host: '127.0.0.1', port }, handlers[0]!).id, a.connect({ host: '127.0.0.1', port }, handlers[1]!).id, b.connect({ host: '127.0.0.1', port }, handlers[2]!).id];
    assert.deepEqual(ids, [1, 2, 1]);
    await Promise.all(handlers.map((h) => h.waitClosed()));
    await Promise.all([a.shutdown(), b.shutdown()]);
  });

  it('listenAsync resolves with the bound port and rejects a taken address with EADDRINUSE and the address in the message', TEST_TIMEOUT, async () => {
    const errors: ConnectionErrorInfo[] = [];
    const transport = new SocketTransport({ onConnectionError: (e) => errors.push(e) });
    try {
      const first = await transport.listenAsync({ host: '127.0.0.1', port: 0 }, () => {});
      assert.ok(first.endpoint.port > 0);
      assert.equal(first.isListening, true);
      const at = { host: '127.0.0.1', port: first.endpoint.port };
      await assert.rejects(transport.listenAsync(at, () => {}), (err: unknown) => {
        assert.ok(err instanceof ListenError);
        assert.equal(err.code, 'EADDRINUSE');
        assert.deepEqual(err.endpoint, at);
        assert.equal(err.message, `Cannot listen on 127.0.0.1:${at.port}: address already in use (EADDRINUSE)`);
        return true;
      });
      // The synchronous interface method surfaces it through `ready` and the error hook, never as an unhandled rejection.
      const second = transport.listen(at, () => {});
      await assert.rejects(second.ready, /EADDRINUSE/);
      assert.ok(errors.some((e) => e.connection === `listener 127.0.0.1:${at.port}` && /EADDRINUSE/.test(e.reason)));
      second.close();
    } finally {
      await transport.shutdown();
    }
  });
});
