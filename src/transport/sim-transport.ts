/**
 * In-memory links with modelled latency. Messages on one direction of a link are delivered in
 * order (a later message never overtakes an earlier one), as over TCP.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { RpcMessage } from '../opflex/message.ts';
import type { Distribution } from '../scenario/types.ts';
import {
  formatEndpoint,
  type Connection,
  type ConnectionHandler,
  type Endpoint,
  type EstablishedLink,
  type Listener,
  type Transport,
} from './transport.ts';

interface SimTransportOptions {
  linkLatency: Distribution;
  connectLatency: Distribution;
  random: RandomStream;
  /** Upper bound on messages in flight on one direction of a link. */
  maxInFlight?: number;
  /** Sees every message sent; `fromClient` is true for the side that connected (the agent). */
  observe?: (fromClient: boolean, message: RpcMessage) => void;
}

/** What travels on one direction of a link: a message, or (a string) the reason the sender closed it. */
type InFlight = RpcMessage | string;

class SimConnection implements Connection {
  readonly id: number;
  peer: SimConnection | undefined;
  handler: ConnectionHandler | undefined;
  open = false;
  closed = false;
  lastDeliveryAt = 0;
  /**
   * What this end sent that has not arrived yet. Each arrival event carries its message and this
   * end, and a direction's arrivals run in send order, so nothing is kept per message here.
   */
  inFlight = 0;

  constructor(
    private readonly net: SimTransport,
    readonly local: string,
    readonly remote: string,
    readonly isClient: boolean,
  ) {
    this.id = net.nextConnectionId();
  }

  get isOpen(): boolean {
    return this.open && !this.closed;
  }

  setHandler(handler: ConnectionHandler): void {
    this.handler = handler;
  }

  send(message: RpcMessage): void {
    if (!this.isOpen || !this.peer) return;
    this.net.observe?.(this.isClient, message);
    this.net.deliver(this, message);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const peer = this.peer;
    if (peer && !peer.closed) this.net.deliver(this, `peer closed: ${reason}`);
    this.handler?.onClose(reason);
  }
}

export class SimTransport implements Transport {
  private readonly listeners = new Map<string, (c: Connection) => void>();
  private readonly maxInFlight: number;
  private connections = 0;
  /** @internal Read on every message: fields of their own rather than the options'. */
  readonly observe: SimTransportOptions['observe'];
  private readonly random: RandomStream;
  private readonly linkLatency: Distribution;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly options: SimTransportOptions,
  ) {
    this.maxInFlight = options.maxInFlight ?? 100_000;
    this.observe = options.observe;
    this.random = options.random;
    this.linkLatency = options.linkLatency;
  }

  /** @internal */
  nextConnectionId(): number {
    return ++this.connections;
  }

  listen(at: Endpoint, onAccept: (connection: Connection) => void): Listener {
    const key = formatEndpoint(at);
    if (this.listeners.has(key)) throw new Error(`Address already in use: ${key}`);
    this.listeners.set(key, onAccept);
    return { endpoint: at, close: () => this.listeners.delete(key) };
  }

  connect(to: Endpoint, handler: ConnectionHandler, from = 'client'): Connection {
    const remote = formatEndpoint(to);
    const client = new SimConnection(this, from, remote, true);
    client.setHandler(handler);
    this.scheduler.after(this.options.random.sample(this.options.connectLatency), this.completeConnect, client);
    return client;
  }

  establish(to: Endpoint, from: string): EstablishedLink {
    const remote = formatEndpoint(to);
    if (!this.listeners.has(remote)) throw new Error(`Nothing listens on ${remote}`);
    const client = new SimConnection(this, from, remote, true);
    const server = new SimConnection(this, remote, from, false);
    client.peer = server;
    server.peer = client;
    client.open = true;
    server.open = true;
    return { client, server };
  }

  private readonly completeConnect = (client: SimConnection): void => {
    if (client.closed) return;
    const accept = this.listeners.get(client.remote);
    if (!accept) {
      client.closed = true;
      client.handler?.onClose('connection refused');
      return;
    }
    const server = new SimConnection(this, client.remote, client.local, false);
    server.peer = client;
    client.peer = server;
    server.open = true;
    client.open = true;
    accept(server);
    client.handler?.onOpen();
  };

  /** @internal Sends a message, or the close of the link, from one end to its peer. */
  deliver(from: SimConnection, what: InFlight): void {
    if (from.inFlight >= this.maxInFlight) {
      from.close(`more than ${this.maxInFlight} messages in flight`);
      return;
    }
    const at = Math.max(this.scheduler.now() + this.random.sample(this.linkLatency), from.lastDeliveryAt);
    from.lastDeliveryAt = at;
    from.inFlight++;
    this.scheduler.at(at, SimTransport.arrive, from, what);
  }

  /** What `from` sent arrives at its peer (arrivals of one direction run in send order). */
  private static readonly arrive = (from: SimConnection, what: InFlight): void => {
    from.inFlight--;
    const to = from.peer!;
    if (to.closed) return;
    if (typeof what === 'string') {
      to.closed = true;
      to.handler?.onClose(what);
      return;
    }
    to.handler?.onMessage(what);
  };
}
