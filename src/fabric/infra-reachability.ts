/**
 * What a node's infra VLAN can reach in a multipod fabric: a pod's leaves and anycast proxy answer
 * only a node that runs in that pod with an address from that pod's TEP pool. A node that moved
 * pods keeps its old address until it renews it, and until then its OpFlex traffic goes nowhere:
 * modelled as unreachable ([ASSUMPTION], docs/multipod.md): a connect gets no answer and fails at
 * the connect timeout, and on an open connection messages in both directions, closes included, are
 * lost (the agent notices through its keepalive timeout, the leaf through its own).
 *
 * One per agent: it wraps the transport the agent dials with.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import type { RpcMessage } from '../opflex/message.ts';
import { formatEndpoint, type Connection, type ConnectionHandler, type Endpoint, type EstablishedLink, type Listener, type Transport } from '../transport/transport.ts';

/** Why `to` cannot be reached from the node now, or undefined when it can. */
export type ReachabilityCheck = (to: Endpoint) => string | undefined;

class GatedConnection implements Connection {
  private handler: ConnectionHandler | undefined;
  private inner: Connection | undefined;
  private innerClosed = false;
  private reported = false;

  constructor(
    private readonly to: Endpoint,
    readonly local: string,
    private readonly unreachable: ReachabilityCheck,
  ) {}

  /** The transport's id once the connect was answered; 0 for a connect that never reached anything. */
  get id(): number {
    return this.inner?.id ?? 0;
  }

  get remote(): string {
    return formatEndpoint(this.to);
  }

  get isOpen(): boolean {
    return !this.reported && (this.inner?.isOpen ?? false);
  }

  /** @internal The transport's connection, once the connect was answered. */
  attach(inner: Connection): void {
    this.inner = inner;
  }

  setHandler(handler: ConnectionHandler): void {
    this.handler = handler;
  }

  send(message: RpcMessage): void {
    if (this.inner && this.unreachable(this.to) === undefined) this.inner.send(message);
  }

  markIdentified(): void {
    this.inner?.markIdentified?.();
  }

  /** The agent closes: its own handler hears it whatever the network does (only the peer may miss it). */
  close(reason: string): void {
    this.closing = true;
    if (this.inner && !this.innerClosed) this.inner.close(reason);
    this.report(reason);
  }

  private closing = false;

  /** @internal */
  readonly innerHandler: ConnectionHandler = {
    onOpen: () => this.handler?.onOpen(),
    onMessage: (message) => {
      if (this.unreachable(this.to) === undefined) this.handler?.onMessage(message);
    },
    onClose: (reason) => {
      this.innerClosed = true;
      // A close the node cannot hear is not reported until the agent itself gives up on the link.
      if (this.closing || this.unreachable(this.to) === undefined) this.report(reason);
    },
  };

  report(reason: string): void {
    if (this.reported) return;
    this.reported = true;
    this.handler?.onClose(reason);
  }
}

export class InfraReachableTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly scheduler: Scheduler,
    private readonly unreachable: ReachabilityCheck,
    private readonly connectTimeoutMs: number,
  ) {}

  connect(to: Endpoint, handler: ConnectionHandler, from?: string): Connection {
    const gated = new GatedConnection(to, from ?? 'client', this.unreachable);
    gated.setHandler(handler);
    const why = this.unreachable(to);
    if (why !== undefined) {
      this.scheduler.after(this.connectTimeoutMs, () => gated.report(`connect timed out: ${why}`));
      return gated;
    }
    gated.attach(this.inner.connect(to, gated.innerHandler, from));
    return gated;
  }

  listen(at: Endpoint, onAccept: (connection: Connection) => void): Listener {
    return this.inner.listen(at, onAccept);
  }

  /** A steady start's already-open link: the agent's end is gated like any other. */
  establish(to: Endpoint, from: string): EstablishedLink {
    if (!this.inner.establish) throw new Error('the wrapped transport cannot establish connections');
    const link = this.inner.establish(to, from);
    const gated = new GatedConnection(to, from, this.unreachable);
    gated.attach(link.client);
    link.client.setHandler(gated.innerHandler);
    return { client: gated, server: link.server };
  }
}
