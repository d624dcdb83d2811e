import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomStreams } from '../../src/kernel/random.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import type { RpcMessage } from '../../src/opflex/message.ts';
import { SimTransport } from '../../src/transport/sim-transport.ts';
import type { ConnectionHandler } from '../../src/transport/transport.ts';

const at = { host: '127.0.0.1', port: 8009 };

function echoRequest(n: number): RpcMessage {
  return { kind: 'request', id: `["echo",${n}]`, method: 'echo', params: [n] };
}

/** Records what reaches one end, with the virtual time it arrived. */
function recorder(scheduler: VirtualScheduler): ConnectionHandler & { got: { tMs: number; n?: number; closed?: string }[] } {
  const got: { tMs: number; n?: number; closed?: string }[] = [];
  return {
    got,
    onOpen() {},
    onMessage(message) {
      got.push({ tMs: scheduler.now(), n: (message as { params: number[] }).params[0]! });
    },
    onClose(reason) {
      got.push({ tMs: scheduler.now(), closed: reason });
    },
  };
}

/** A link whose latency varies a lot from message to message, so later sends often draw shorter latencies. */
function jitteryLink(maxInFlight?: number) {
  const scheduler = new VirtualScheduler();
  const transport = new SimTransport(scheduler, {
    linkLatency: { kind: 'uniform', minMs: 0.1, maxMs: 50 },
    connectLatency: { kind: 'fixed', valueMs: 1 },
    random: new RandomStreams(7).stream('net'),
    ...(maxInFlight !== undefined ? { maxInFlight } : {}),
  });
  transport.listen(at, () => {});
  const { client, server } = transport.establish(at, 'agent');
  return { scheduler, client, server };
}

describe('in-memory links', { timeout: 30_000 }, () => {
  it('deliver each direction in send order whatever latency each message draws, the close after what was sent before it', () => {
    const { scheduler, client, server } = jitteryLink();
    const atServer = recorder(scheduler);
    const atClient = recorder(scheduler);
    server.setHandler(atServer);
    client.setHandler(atClient);
    for (let n = 0; n < 500; n++) {
      scheduler.after(n * 0.05, () => {
        client.send(echoRequest(n));
        server.send(echoRequest(1000 + n));
      });
    }
    scheduler.after(25, () => client.close('done'));
    scheduler.runUntil(10_000);
    const sentBeforeClose = atServer.got.filter((g) => g.n !== undefined).map((g) => g.n);
    assert.deepEqual(sentBeforeClose, Array.from({ length: sentBeforeClose.length }, (_, i) => i));
    assert.equal(sentBeforeClose.length, 501 - 1, 'every message sent before the close (at 25 ms: 0..499) arrives');
    assert.equal(atServer.got.at(-1)!.closed, 'peer closed: done');
    for (let i = 1; i < atServer.got.length; i++) assert.ok(atServer.got[i]!.tMs >= atServer.got[i - 1]!.tMs);
    // The server's messages reach the client in order until the client closed its end.
    const toClient = atClient.got.filter((g) => g.n !== undefined).map((g) => g.n!);
    assert.deepEqual(toClient, toClient.slice().sort((a, b) => a - b));
    assert.deepEqual(toClient, Array.from({ length: toClient.length }, (_, i) => 1000 + i));
    assert.equal(client.isOpen, false);
    assert.equal(server.isOpen, false);
  });

  it('close the sending end when more than maxInFlight of its messages are on the way; those arrive', () => {
    const { scheduler, client, server } = jitteryLink(100);
    const atServer = recorder(scheduler);
    const atClient = recorder(scheduler);
    server.setHandler(atServer);
    client.setHandler(atClient);
    for (let n = 0; n < 150; n++) client.send(echoRequest(n));
    assert.equal(client.isOpen, false, 'the 101st message in flight closes the sender');
    assert.deepEqual(atClient.got, [{ tMs: 0, closed: 'more than 100 messages in flight' }]);
    scheduler.runUntil(10_000);
    assert.deepEqual(atServer.got.map((g) => g.n), Array.from({ length: 100 }, (_, i) => i));
  });

  it('keep delivering in order on a link that is never idle (its backlog compacted as it goes)', () => {
    const { scheduler, client, server } = jitteryLink();
    const atServer = recorder(scheduler);
    server.setHandler(atServer);
    client.setHandler(recorder(scheduler));
    // 20 messages per ms against latencies up to 50 ms: about a thousand always in flight.
    const total = 20_000;
    for (let n = 0; n < total; n++) scheduler.after(n / 20, () => client.send(echoRequest(n)));
    scheduler.runUntil(100_000);
    const got = atServer.got.map((g) => g.n);
    assert.equal(got.length, total);
    for (let i = 0; i < total; i++) if (got[i] !== i) assert.fail(`message ${i} arrived as ${got[i]}`);
  });
});
