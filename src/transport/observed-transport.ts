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
      const connection = new ObservedConnection(watch, handler);
      connection.attach(inner.connect(to, connection, from));
      return connection;
    },
    listen(at: Endpoint, onAccept: (connection: Connection) => void): Listener {
      return inner.listen(at, (c) => {
        const watch = watcher.server?.(at, c.remote);
        onAccept(watch ? new ObservedConnection(watch).attach(c) : c);
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
        client: clientWatch ? new ObservedConnection(clientWatch).attach(client) : client,
        server: serverWatch ? new ObservedConnection(serverWatch).attach(server) : server,
      };
    };
  }
  return observed;
}

/**
 * One watched connection end: the actor's connection, and the handler the wrapped connection reports
 * to (which lets the watch see each arrival before the actor does). One object for both: a
 * fabric-scale simulation watches every connection end, and every message passes through it.
 */
class ObservedConnection extends ForwardingConnection implements ConnectionHandler {
  protected inner!: Connection;

  constructor(
    private readonly watch: MessageWatch,
    /** The actor's; the wrapped connection reports here only once there is one. */
    private handler?: ConnectionHandler,
  ) {
    super();
  }

  /** Wraps the transport's connection (whose events come here once a handler is set, or from the connect). */
  attach(inner: Connection): this {
    this.inner = inner;
    return this;
  }

  override setHandler(handler: ConnectionHandler): void {
    this.handler = handler;
    this.inner.setHandler(this);
  }

  override send(message: RpcMessage): void {
    if (this.inner.isOpen) this.watch.sent(message);
    this.inner.send(message);
  }

  onOpen(): void {
    this.handler!.onOpen();
  }

  onClose(reason: string): void {
    this.handler!.onClose(reason);
  }

  onMessage(message: RpcMessage): void {
    this.watch.received(message);
    this.handler!.onMessage(message);
  }
}
