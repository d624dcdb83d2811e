/**
 * The network seam under fault: a Transport wrapped around the simulated links that can hold, lose,
 * delay or duplicate the messages of one agent-leaf session, lose or delay the PlatformConfig delete a
 * leaf sends, and close a session from either end. What is active is asked of a `LinkFaults` on every
 * send; with nothing active a message passes straight through. Order on one direction of a link is
 * kept, as over TCP: a message never overtakes one held or delayed before it.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import type { RpcMessage } from '../opflex/message.ts';
import type { Connection, ConnectionHandler, Endpoint, EstablishedLink, Listener, Transport } from '../transport/transport.ts';
import { formatEndpoint } from '../transport/transport.ts';
import { ForwardingConnection } from '../transport/forwarding-connection.ts';

/** What happens to one message sent on a session between `node` and `leaf` now. */
export type LinkVerdict =
  | { action: 'pass' }
  | { action: 'drop'; fault: string }
  | { action: 'hold'; fault: string }
  | { action: 'delay'; delayMs: number; fault: string }
  | { action: 'duplicate'; fault: string };

export interface LinkFaults {
  /** `fromAgent`: the agent sent it (else the leaf). */
  verdict(node: string, leaf: string, fromAgent: boolean, message: RpcMessage): LinkVerdict;
}

/** Most messages one direction of a session may have held or delayed; past it the session breaks. */
const heldMessagesPerLinkMax = 100_000;

const NO_HANDLER: ConnectionHandler = { onOpen() {}, onMessage() {}, onClose() {} };

class FaultyConnection extends ForwardingConnection {
  private backlog: RpcMessage[] = [];
  private held = false;
  private releaseAtMs = 0;
  private releasing = 0;
  private handler: ConnectionHandler = NO_HANDLER;
  private innerConnection: Connection | undefined;

  constructor(
    private readonly net: FaultyTransport,
    readonly node: string,
    /** The leaf's name, or its "host:port" when the address is not a leaf's (the anycast proxy). */
    readonly leaf: string,
    readonly isAgentSide: boolean,
  ) {
    super();
  }

  /** What the wrapped connection reports to: forwards to the actor's handler. */
  readonly forward: ConnectionHandler = {
    onOpen: () => this.handler.onOpen(),
    onMessage: (m) => this.handler.onMessage(m),
    onClose: (reason) => {
      this.net.forget(this);
      this.handler.onClose(reason);
    },
  };

  attach(inner: Connection): this {
    this.innerConnection = inner;
    return this;
  }

  protected get inner(): Connection {
    return this.innerConnection!;
  }

  override setHandler(handler: ConnectionHandler): void {
    this.handler = handler;
  }

  override send(message: RpcMessage): void {
    if (!this.inner.isOpen) return;
    const verdict = this.net.faults.verdict(this.node, this.leaf, this.isAgentSide, message);
    switch (verdict.action) {
      case 'pass':
        this.enqueue(message, 0);
        return;
      case 'drop':
        return;
      case 'duplicate':
        this.enqueue(message, 0);
        this.enqueue(message, 0);
        return;
      case 'delay':
        this.enqueue(message, verdict.delayMs);
        return;
      case 'hold':
        this.held = true;
        this.push(message);
        return;
    }
  }

  /** A partition healed: what was held goes out in order. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.flush();
  }

  private enqueue(message: RpcMessage, delayMs: number): void {
    if (this.held || this.backlog.length > 0 || delayMs > 0 || this.releasing > 0) {
      const at = Math.max(this.net.scheduler.now() + delayMs, this.releaseAtMs);
      if (this.held || this.backlog.length > 0) {
        this.push(message);
        return;
      }
      this.releaseAtMs = at;
      this.releasing++;
      this.net.scheduler.at(at, this.sendLater, message);
      return;
    }
    this.inner.send(message);
  }

  private push(message: RpcMessage): void {
    if (this.backlog.length >= heldMessagesPerLinkMax) {
      this.inner.close(`fault: more than ${heldMessagesPerLinkMax} messages held`);
      return;
    }
    this.backlog.push(message);
  }

  private flush(): void {
    const waiting = this.backlog;
    this.backlog = [];
    for (const m of waiting) {
      if (this.held) this.push(m);
      else this.enqueue(m, 0);
    }
  }

  private readonly sendLater = (message: RpcMessage): void => {
    this.releasing--;
    this.inner.send(message);
  };
}

export class FaultyTransport implements Transport {
  private readonly open = new Set<FaultyConnection>();
  /** Filled in once the twin is built: leaf names by "host:port". */
  readonly leafAt = new Map<string, string>();

  constructor(
    private readonly inner: Transport,
    readonly scheduler: Scheduler,
    readonly faults: LinkFaults,
  ) {}

  connect(to: Endpoint, handler: ConnectionHandler, from = 'client'): Connection {
    const remote = formatEndpoint(to);
    const c = this.track(new FaultyConnection(this, from, this.leafAt.get(remote) ?? remote, true));
    c.setHandler(handler);
    return c.attach(this.inner.connect(to, c.forward, from));
  }

  listen(at: Endpoint, onAccept: (connection: Connection) => void): Listener {
    const here = formatEndpoint(at);
    return this.inner.listen(at, (server) => {
      const c = this.track(new FaultyConnection(this, server.remote, this.leafAt.get(here) ?? here, false)).attach(server);
      server.setHandler(c.forward);
      onAccept(c);
    });
  }

  establish(to: Endpoint, from: string): EstablishedLink {
    if (!this.inner.establish) throw new Error('the wrapped transport cannot establish connections');
    const link = this.inner.establish(to, from);
    const here = formatEndpoint(to);
    const leaf = this.leafAt.get(here) ?? here;
    const client = this.track(new FaultyConnection(this, from, leaf, true)).attach(link.client);
    const server = this.track(new FaultyConnection(this, from, leaf, false)).attach(link.server);
    link.client.setHandler(client.forward);
    link.server.setHandler(server.forward);
    return { client, server };
  }

  /** Open sessions between a node's agent and a leaf, one entry per end. */
  sessions(node: string, leaf: string): { agentSide: Connection[]; leafSide: Connection[] } {
    const agentSide: Connection[] = [];
    const leafSide: Connection[] = [];
    for (const c of this.open) {
      if (c.node !== node || c.leaf !== leaf || !c.isOpen) continue;
      (c.isAgentSide ? agentSide : leafSide).push(c);
    }
    return { agentSide, leafSide };
  }

  /** A partition between the node and the leaf healed: held messages go out. */
  heal(node: string, leaf: string): void {
    for (const c of [...this.open]) if (c.node === node && c.leaf === leaf) c.release();
  }

  /** @internal */
  forget(c: FaultyConnection): void {
    this.open.delete(c);
  }

  private track(c: FaultyConnection): FaultyConnection {
    this.open.add(c);
    return c;
  }
}
