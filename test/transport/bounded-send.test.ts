/**
 * What the socket transport does with a message it cannot send: a reply past maxSentFrameBytes
 * becomes an error reply to the same id (the request fails, the session goes on); a request past it,
 * or any message that cannot be encoded at all, closes only that connection, with the reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SocketTransport, type ConnectionErrorInfo } from '../../src/transport/socket-transport.ts';
import type { Connection } from '../../src/transport/transport.ts';
import { RawPeer, RecordingHandler, waitFor } from './socket-helpers.ts';

const TEST_TIMEOUT = { timeout: 20_000 };
const MAX_SENT = 1000;

async function server() {
  const errors: ConnectionErrorInfo[] = [];
  const transport = new SocketTransport({ maxSentFrameBytes: MAX_SENT, onConnectionError: (e) => errors.push(e) });
  const accepted: { connection: Connection; handler: RecordingHandler }[] = [];
  const listener = await transport.listenAsync({ host: '127.0.0.1', port: 0 }, (connection) => {
    connection.markIdentified?.();
    const handler = new RecordingHandler();
    connection.setHandler(handler);
    accepted.push({ connection, handler });
  });
  const open = async () => {
    const raw = await RawPeer.open(listener.endpoint.port);
    await waitFor(() => accepted.length > 0 && accepted[accepted.length - 1]!.connection.remote.endsWith(`:${raw.socket.localPort}`), 'the accept');
    return { raw, side: accepted[accepted.length - 1]! };
  };
  return { transport, errors, open };
}

describe('SocketTransport sending what it should not', () => {
  it('replaces a reply larger than maxSentFrameBytes by an error reply with the same id, and keeps the connection', TEST_TIMEOUT, async () => {
    const { transport, errors, open } = await server();
    const { raw, side } = await open();
    try {
      side.connection.send({ kind: 'result', id: '["policy_resolve",7]', result: { policy: [{ subject: 'X', uri: `/${'x'.repeat(2 * MAX_SENT)}/`, properties: [], children: [] }] } });
      side.connection.send({ kind: 'result', id: '["echo",1]', result: 'x'.repeat(2 * MAX_SENT) });
      side.connection.send({ kind: 'result', id: '["echo",2]', result: [] });
      await raw.waitFrames(3);
      assert.deepEqual(raw.frames, [
        `{"id":["policy_resolve",7],"error":{"code":"ERROR","message":"Reply larger than ${MAX_SENT} bytes"}}`,
        `{"id":["echo",1],"error":{"code":"ERROR","message":"Reply larger than ${MAX_SENT} bytes"}}`,
        '{"id":["echo",2],"result":[]}',
      ]);
      assert.equal(side.connection.isOpen, true);
      assert.equal(errors.length, 2);
      assert.match(errors[0]!.reason, /^reply \["policy_resolve",7\] not sent: more than 1000 bytes \(maxSentFrameBytes\)$/);
    } finally {
      raw.destroy();
      await transport.shutdown();
    }
  });

  it('closes only the connection that must send a request too large, or a message that cannot be encoded', TEST_TIMEOUT, async () => {
    const { transport, errors, open } = await server();
    const a = await open();
    const b = await open();
    const c = await open();
    try {
      a.side.connection.send({ kind: 'request', id: '["policy_update",1]', method: 'policy_update', params: ['x'.repeat(2 * MAX_SENT)] });
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      b.side.connection.send({ kind: 'result', id: '["echo",1]', result: cyclic });
      await a.raw.waitDisconnected();
      await b.raw.waitDisconnected();
      assert.deepEqual(a.side.handler.closeReasons, ['cannot send policy_update request: more than 1000 bytes (maxSentFrameBytes)']);
      assert.match(b.side.handler.closeReasons[0]!, /^cannot send reply \["echo",1\]: /);
      c.side.connection.send({ kind: 'result', id: '["echo",3]', result: [] });
      await c.raw.waitFrames(1);
      assert.equal(c.side.connection.isOpen, true);
      assert.equal(errors.length, 2);
    } finally {
      for (const x of [a, b, c]) x.raw.destroy();
      await transport.shutdown();
    }
  });
});
