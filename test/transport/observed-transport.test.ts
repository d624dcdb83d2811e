import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RpcMessage } from '../../src/opflex/message.ts';
import { observeTransport } from '../../src/transport/observed-transport.ts';
import type { Connection, ConnectionHandler, Endpoint, Listener, Transport } from '../../src/transport/transport.ts';

/** A connection that records what its actor asks of it. */
class RecordingConnection implements Connection {
  readonly id = 1;
  readonly local = 'node-1';
  readonly remote = 'node-1';
  isOpen = true;
  handler: ConnectionHandler | undefined;
  readonly calls: string[] = [];
  setHandler(handler: ConnectionHandler): void {
    this.handler = handler;
  }
  send(message: RpcMessage): void {
    this.calls.push(`send ${message.kind}`);
  }
  markIdentified(): void {
    this.calls.push('markIdentified');
  }
  close(reason: string): void {
    this.calls.push(`close ${reason}`);
  }
}

function oneConnectionTransport(connection: RecordingConnection): Transport & { accept(): void } {
  let onAccept: ((c: Connection) => void) | undefined;
  return {
    connect: () => connection,
    listen: (at: Endpoint, accept: (c: Connection) => void): Listener => {
      onAccept = accept;
      return { endpoint: at, close() {} };
    },
    accept: () => onAccept!(connection),
  };
}

const echo: RpcMessage = { kind: 'request', id: '["echo",1]', method: 'echo', params: [] } as RpcMessage;

describe('an observed transport', { timeout: 10_000 }, () => {
  it('passes every call of the actor through, the optional ones included, and sees what is sent and received', () => {
    const inner = new RecordingConnection();
    const fake = oneConnectionTransport(inner);
    const seen: string[] = [];
    const observed = observeTransport(fake, { server: () => ({ sent: (m) => seen.push(`sent ${m.kind}`), received: (m) => seen.push(`received ${m.kind}`) }) });
    let accepted: Connection | undefined;
    observed.listen({ host: '127.0.0.1', port: 1 }, (c) => (accepted = c));
    fake.accept();
    const got: string[] = [];
    accepted!.setHandler({ onOpen() {}, onClose() {}, onMessage: (m) => got.push(m.kind) });
    inner.handler!.onMessage(echo);
    accepted!.send(echo);
    accepted!.markIdentified?.();
    accepted!.close('done');
    assert.deepEqual(got, ['request']);
    assert.deepEqual(seen, ['received request', 'sent request']);
    assert.deepEqual(inner.calls, ['send request', 'markIdentified', 'close done']);
  });

  it('does not see what is sent on a connection that is no longer open', () => {
    const inner = new RecordingConnection();
    const seen: string[] = [];
    const observed = observeTransport(oneConnectionTransport(inner), { client: () => ({ sent: () => seen.push('sent'), received: () => seen.push('received') }) });
    const c = observed.connect({ host: '127.0.0.1', port: 1 }, { onOpen() {}, onClose() {}, onMessage() {} }, 'node-1');
    inner.isOpen = false;
    c.send(echo);
    assert.deepEqual(seen, []);
    assert.deepEqual(inner.calls, ['send request']);
  });
});
