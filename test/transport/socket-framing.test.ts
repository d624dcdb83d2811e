import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from '../../src/opflex/codec.ts';
import type { RpcMessage } from '../../src/opflex/message.ts';
import { SocketTransport, type ConnectionErrorInfo } from '../../src/transport/socket-transport.ts';
import type { Connection } from '../../src/transport/transport.ts';
import { loadReferenceFrames } from '../opflex/reference-frames.ts';
import { delay, RawPeer, RecordingHandler, waitFor } from './socket-helpers.ts';

const TEST_TIMEOUT = { timeout: 20_000 };

const reference = loadReferenceFrames();
const referenceStream = Buffer.concat(reference.map((f) => f.bytes));
const referenceMessages = reference.map((f) => decodeMessage(f.frame));

describe('SocketTransport framing over a real socket', { timeout: 300_000 }, () => {
  const errors: ConnectionErrorInfo[] = [];
  const transport = new SocketTransport({ onConnectionError: (e) => errors.push(e) });
  const accepted: { connection: Connection; handler: RecordingHandler }[] = [];
  let port = 0;

  before(async () => {
    const listener = await transport.listenAsync({ host: '127.0.0.1', port: 0 }, (connection) => {
      // These peers test framing, not the identity handshake: the bounds on unidentified peers do not apply.
      connection.markIdentified?.();
      const handler = new RecordingHandler();
      connection.setHandler(handler);
      accepted.push({ connection, handler });
    });
    port = listener.endpoint.port;
  });

  after(async () => {
    await transport.shutdown();
  });

  /** Opens a raw peer and returns it with the server side of its connection. */
  async function open(): Promise<{ raw: RawPeer; server: { connection: Connection; handler: RecordingHandler } }> {
    const before = accepted.length;
    const raw = await RawPeer.open(port);
    await waitFor(() => accepted.length > before, 'the server to accept the raw peer');
    return { raw, server: accepted[accepted.length - 1]! };
  }

  it('delivers every frame of the captured reference stream, in order, when it comes in one write (with empty frames between)', TEST_TIMEOUT, async () => {
    const { raw, server } = await open();
    try {
      const withEmptyFrames = Buffer.concat([Buffer.from('\0\0'), ...reference.map((f) => Buffer.concat([f.bytes, Buffer.from('\0')]))]);
      await raw.write(withEmptyFrames);
      await server.handler.waitMessages(reference.length);
      await delay(20);
      assert.deepEqual(server.handler.messages, referenceMessages);
      assert.equal(server.connection.isOpen, true);
    } finally {
      raw.destroy();
    }
  });

  it('delivers one large frame split over many writes with delays, only once its NUL arrives (multi-byte characters split too)', TEST_TIMEOUT, async () => {
    const { raw, server } = await open();
    try {
      const message: RpcMessage = {
        kind: 'request',
        id: '["endpoint_declare",9223372036854775809]',
        method: 'endpoint_declare',
        params: [{ endpoint: [{ subject: 'EpdrL2Discovered', uri: '/EprL2Universe/', properties: [{ name: 'note', data: 'ü€𝄞'.repeat(20_000) }], children: [] }], prr: 3600 }],
      };
      const bytes = encodeMessage(message);
      // 40 pieces; the cut points are shifted by 0-2 bytes so that some fall inside the 2-, 3- and 4-byte UTF-8 sequences.
      const pieces = 40;
      const cuts = [0, ...Array.from({ length: pieces - 1 }, (_, i) => Math.floor(((i + 1) * bytes.length) / pieces) + (i % 3)), bytes.length];
      for (let i = 0; i + 1 < cuts.length; i++) {
        await raw.write(bytes.subarray(cuts[i], cuts[i + 1]));
        if (cuts[i + 1]! < bytes.length) {
          await delay(3);
          assert.equal(server.handler.messages.length, 0, `delivered before its NUL (at byte ${cuts[i + 1]} of ${bytes.length})`);
        }
      }
      await server.handler.waitMessages(1);
      assert.deepEqual(server.handler.messages, [message]);
    } finally {
      raw.destroy();
    }
  });

  it('delivers the reference stream in order when it is cut into 7-byte writes with delays, frames straddling writes', TEST_TIMEOUT, async () => {
    const { raw, server } = await open();
    try {
      for (let offset = 0; offset < referenceStream.length; offset += 7) {
        await raw.write(referenceStream.subarray(offset, offset + 7));
        if ((offset / 7) % 50 === 0) await delay(1);
      }
      await server.handler.waitMessages(reference.length);
      assert.deepEqual(server.handler.messages, referenceMessages);
    } finally {
      raw.destroy();
    }
  });

  it('echoes raw ids byte-identical on the wire, whitespace and 64-bit integers included', TEST_TIMEOUT, async () => {
    const { raw, server } = await open();
    try {
      const ids = ['["policy_resolve",18446744073709551615]', '[ "policy_resolve" , 9223372036854775808 ]', '"plain"', '42'];
      await raw.write(ids.map((id) => `{"id":${id},"method":"policy_resolve","params":[]}\0`).join(''));
      await server.handler.waitMessages(ids.length);
      assert.deepEqual(server.handler.messages.map((m) => m.id), ids);
      for (const m of server.handler.messages) server.connection.send({ kind: 'result', id: m.id, result: {} });
      await raw.waitFrames(ids.length);
      assert.deepEqual(raw.frames, ids.map((id) => `{"id":${id},"result":{}}`));
    } finally {
      raw.destroy();
    }
  });

  it('nothing was reported as a connection error', () => {
    assert.deepEqual(errors.filter((e) => !/peer|reset/.test(e.reason)), []);
  });
});
