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

/** Makes the watched end of each connection (as TransportWatcher chooses watches); undefined leaves it unwatched. */
interface WatchedEnds {
  client?(to: Endpoint, from: string): WatchedEnd | undefined;
  server?(at: Endpoint, remote: string): WatchedEnd | undefined;
}

/** `inner` with every connection end the watcher chooses a watch for seen by that watch. */
export function observeTransport(inner: Transport, watcher: TransportWatcher): Transport {
  const end = (watch: MessageWatch | undefined) => (watch ? new ObservedConnection(watch) : undefined);
  return watchTransport(inner, {
    ...(watcher.client ? { client: (to: Endpoint, from: string) => end(watcher.client!(to, from)) } : {}),
    ...(watcher.server ? { server: (at: Endpoint, remote: string) => end(watcher.server!(at, remote)) } : {}),
  });
}

/** `inner` with the connection ends `ends` makes in front of its connections: each end is its own watch. */
export function watchTransport(inner: Transport, ends: WatchedEnds): Transport {
  const watched: Transport = {
    connect(to: Endpoint, handler: ConnectionHandler, from?: string): Connection {
      const end = ends.client?.(to, from ?? 'client');
      if (!end) return inner.connect(to, handler, from);
      end.handler = handler;
      return end.attach(inner.connect(to, end, from));
    },
    listen(at: Endpoint, onAccept: (connection: Connection) => void): Listener {
      return inner.listen(at, (c) => {
        const end = ends.server?.(at, c.remote);
        onAccept(end ? end.attach(c) : c);
      });
    },
  };
  if (inner.establish) {
    const establish = inner.establish.bind(inner);
    watched.establish = (to: Endpoint, from: string): EstablishedLink => {
      const { client, server } = establish(to, from);
      const clientEnd = ends.client?.(to, from);
      const serverEnd = ends.server?.(to, from);
      return {
        client: clientEnd ? clientEnd.attach(client) : client,
        server: serverEnd ? serverEnd.attach(server) : server,
      };
    };
  }
  return watched;
}

/**
 * One watched connection end: the actor's connection, the handler the wrapped connection reports to
 * (which lets the watch see each arrival before the actor does), and the watch itself. One object
 * for all three: a fabric-scale simulation watches every connection end, every message passes
 * through it, and each object more is one more cache miss per message.
 */
export abstract class WatchedEnd extends ForwardingConnection implements ConnectionHandler, MessageWatch {
  protected inner!: Connection;
  /** @internal The actor's; the wrapped connection reports here only once there is one. */
  handler: ConnectionHandler | undefined;

  abstract sent(message: RpcMessage): void;
  abstract received(message: RpcMessage): void;

  /** @internal Wraps the transport's connection (whose events come here once a handler is set, or from the connect). */
  attach(inner: Connection): this {
    this.inner = inner;
    return this;
  }

  override setHandler(handler: ConnectionHandler): void {
    this.handler = handler;
    this.inner.setHandler(this);
  }

  override send(message: RpcMessage): void {
    if (this.inner.isOpen) this.sent(message);
    this.inner.send(message);
  }

  onOpen(): void {
    this.handler!.onOpen();
  }

  onClose(reason: string): void {
    this.handler!.onClose(reason);
  }

  onMessage(message: RpcMessage): void {
    this.received(message);
    this.handler!.onMessage(message);
  }
}

/** A watched end that reports to a watch of its own choosing (one watch may see many connections). */
class ObservedConnection extends WatchedEnd {
  constructor(private readonly watch: MessageWatch) {
    super();
  }

  sent(message: RpcMessage): void {
    this.watch.sent(message);
  }

  received(message: RpcMessage): void {
    this.watch.received(message);
  }
}
