/**
 * A transport whose connections pass each message their actor sends to `send` (which may drop it, send
 * it, or send it twice), as the fault injector does below the transport watchers; all else is the inner
 * transport's.
 */
import type { RpcMessage } from '../../src/opflex/message.ts';
import type { Connection, ConnectionHandler, Transport } from '../../src/transport/transport.ts';

export function interceptSends(inner: Transport, send: (connection: Connection, message: RpcMessage) => void): Transport {
  const wrap = (c: Connection): Connection => ({
    get id() { return c.id; },
    get local() { return c.local; },
    get remote() { return c.remote; },
    get isOpen() { return c.isOpen; },
    setHandler: (h: ConnectionHandler) => c.setHandler(h),
    send: (m: RpcMessage) => send(c, m),
    close: (reason: string) => c.close(reason),
  });
  return {
    connect: (to, handler, from) => wrap(inner.connect(to, handler, from)),
    listen: (at, onAccept) => inner.listen(at, (c) => onAccept(wrap(c))),
    establish: (to, from) => {
      const { client, server } = inner.establish!(to, from);
      return { client: wrap(client), server: wrap(server) };
    },
  };
}
