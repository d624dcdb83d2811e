/**
 * A transport whose connections are watched without being changed: the watcher sees what each end's
 * actor sends (while the connection is open) and what reaches it (just before the actor does). The
 * actors run exactly as they would unwatched: same messages, same order.
 */
import type { RpcMessage } from '../opflex/message.ts';
import { ForwardingConnection } from './forwarding-connection.ts';
import type { Connection, ConnectionHandler, Endpoint, EstablishedLink, Listener, Transport } from './transport.ts';

export interface MessageWatch {
  sent(message: RpcMessage): void;
  received(message: RpcMessage): void;
}

/** Chooses a watch per connection end; undefined leaves that end unwatched. */
interface TransportWatcher {
  /** The dialling end: `from` names it, `to` is the address it dials. */
  client?(to: Endpoint, from: string): MessageWatch | undefined;
  /** An accepted end on the listener at `at`; `remote` names the dialler. */
  server?(at: Endpoint, remote: string): MessageWatch | undefined;
}

export function observeTransport(inner: Transport, watcher: TransportWatcher): Transport {
  const observed: Transport = {
    connect(to: Endpoint, handler: ConnectionHandler, from?: string): Connection {
      const watch = watcher.client?.(to, from ?? 'client');
      if (!watch) return inner.connect(to, handler, from);
      return new ObservedConnection(inner.connect(to, new WatchedHandler(handler, watch), from), watch);
    },
    listen(at: Endpoint, onAccept: (connection: Connection) => void): Listener {
      return inner.listen(at, (c) => {
        const watch = watcher.server?.(at, c.remote);
        onAccept(watch ? new ObservedConnection(c, watch) : c);
      });
    },
  };
  if (inner.establish) {
    const establish = inner.establish.bind(inner);
    observed.establish = (to: Endpoint, from: string): EstablishedLink => {
      const { client, server } = establish(to, from);
      const clientWatch = watcher.client?.(to, from);
      const serverWatch = watcher.server?.(to, from);
      return {
        client: clientWatch ? new ObservedConnection(client, clientWatch) : client,
        server: serverWatch ? new ObservedConnection(server, serverWatch) : server,
      };
    };
  }
  return observed;
}

/**
 * The actor's handler behind a watch. A class rather than an object of closures: a fabric-scale
 * simulation watches every connection end (four per node), and each closure would cost a function
 * object, its context and (compiled with keepNames, as tsx does) a dictionary of properties.
 */
class WatchedHandler implements ConnectionHandler {
  constructor(
    private readonly handler: ConnectionHandler,
    private readonly watch: MessageWatch,
  ) {}

  onOpen(): void {
    this.handler.onOpen();
  }

  onClose(reason: string): void {
    this.handler.onClose(reason);
  }

  onMessage(message: RpcMessage): void {
    this.watch.received(message);
    this.handler.onMessage(message);
  }
}

class ObservedConnection extends ForwardingConnection {
  constructor(
    protected readonly inner: Connection,
    private readonly watch: MessageWatch,
  ) {
    super();
  }

  override setHandler(handler: ConnectionHandler): void {
    this.inner.setHandler(new WatchedHandler(handler, this.watch));
  }

  override send(message: RpcMessage): void {
    if (this.inner.isOpen) this.watch.sent(message);
    this.inner.send(message);
  }
}
