/**
 * A Connection that counts the keepalive echoes its own end sends and the answers that come back,
 * so a test on model time can let time pass only once every echo has been answered.
 */
import type { RpcMessage } from '../../src/opflex/message.ts';
import { ForwardingConnection } from '../../src/transport/forwarding-connection.ts';
import type { Connection, ConnectionHandler } from '../../src/transport/transport.ts';

const ECHO_ID_PREFIX = '["echo",';

export class EchoCountingConnection extends ForwardingConnection {
  echoesSent = 0;
  echoesAnswered = 0;

  constructor(protected readonly inner: Connection) {
    super();
  }

  /** Every echo this end sent has had its answer. */
  get settled(): boolean {
    return this.echoesAnswered === this.echoesSent;
  }

  override setHandler(handler: ConnectionHandler): void {
    this.inner.setHandler({
      onOpen: () => handler.onOpen(),
      onClose: (reason) => handler.onClose(reason),
      onMessage: (message) => {
        if (message.kind !== 'request' && message.id.startsWith(ECHO_ID_PREFIX)) this.echoesAnswered++;
        handler.onMessage(message);
      },
    });
  }

  override send(message: RpcMessage): void {
    if (message.kind === 'request' && message.method === 'echo' && this.inner.isOpen) this.echoesSent++;
    this.inner.send(message);
  }
}
