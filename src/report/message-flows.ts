/**
 * Every OpFlex message as a flow from one actor to another: who sent it when, who received it when.
 * A transport wrapper watches both ends of every connection without changing what the actors see, so
 * the simulation runs exactly as it would unwatched (same events, same order, same trace).
 *
 * Sends and arrivals are paired by the message object itself (the in-memory links hand the receiver
 * the object the sender passed), first in first out per receiver, since a link delivers in order.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import { methodOfRawId, type RpcMessage } from '../opflex/message.ts';
import {
  formatEndpoint,
  type Connection,
  type ConnectionHandler,
  type Endpoint,
  type EstablishedLink,
  type Listener,
  type Transport,
} from '../transport/transport.ts';

export interface MessageFlow {
  from: string;
  to: string;
  method: string;
  kind: RpcMessage['kind'];
  sentMs: number;
  arrivedMs: number;
}

/** How the two ends of a connection are named: the dialling side by its `from`, the other by the address it listens on. */
export interface FlowActorNames {
  client(from: string): string;
  server(listenAddress: string): string;
}

interface Pending {
  from: string;
  to: string;
  sentMs: number;
}

export function methodOf(message: RpcMessage): string {
  return message.kind === 'request' ? message.method : (methodOfRawId(message.id) ?? 'unknown');
}

export class MessageFlowRecorder {
  /** Weak, so a message that never arrives (its receiver closed first) is forgotten with it. */
  private readonly pending = new WeakMap<RpcMessage, Pending[]>();

  constructor(
    private readonly clock: Pick<Scheduler, 'now'>,
    private readonly names: FlowActorNames,
    private readonly onFlow: (flow: MessageFlow, message: RpcMessage) => void,
  ) {}

  /** The transport the actors use: `inner`, with every message on every connection seen. */
  wrap(inner: Transport): Transport {
    const recorder = this;
    const wrapped: Transport = {
      connect(to: Endpoint, handler: ConnectionHandler, from = 'client'): Connection {
        const self = recorder.names.client(from);
        const peer = recorder.names.server(formatEndpoint(to));
        return new WatchedConnection(recorder, inner.connect(to, recorder.receiving(self, handler), from), self, peer);
      },
      listen(at: Endpoint, onAccept: (connection: Connection) => void): Listener {
        const self = recorder.names.server(formatEndpoint(at));
        return inner.listen(at, (c) => onAccept(new WatchedConnection(recorder, c, self, recorder.names.client(c.remote))));
      },
    };
    if (inner.establish) {
      const establish = inner.establish.bind(inner);
      wrapped.establish = (to: Endpoint, from: string): EstablishedLink => {
        const { client, server } = establish(to, from);
        const agent = recorder.names.client(from);
        const leaf = recorder.names.server(formatEndpoint(to));
        return { client: new WatchedConnection(recorder, client, agent, leaf), server: new WatchedConnection(recorder, server, leaf, agent) };
      };
    }
    return wrapped;
  }

  /** @internal */
  sent(message: RpcMessage, from: string, to: string): void {
    const list = this.pending.get(message);
    const entry = { from, to, sentMs: this.clock.now() };
    if (list) list.push(entry);
    else this.pending.set(message, [entry]);
  }

  /** @internal */
  receiving(self: string, handler: ConnectionHandler): ConnectionHandler {
    return {
      onOpen: () => handler.onOpen(),
      onClose: (reason) => handler.onClose(reason),
      onMessage: (message) => {
        this.arrived(message, self);
        handler.onMessage(message);
      },
    };
  }

  private arrived(message: RpcMessage, receiver: string): void {
    const list = this.pending.get(message);
    const i = list?.findIndex((p) => p.to === receiver) ?? -1;
    if (i < 0) return;
    const { from, sentMs } = list!.splice(i, 1)[0]!;
    this.onFlow({ from, to: receiver, method: methodOf(message), kind: message.kind, sentMs, arrivedMs: this.clock.now() }, message);
  }
}

class WatchedConnection implements Connection {
  constructor(
    private readonly recorder: MessageFlowRecorder,
    private readonly inner: Connection,
    private readonly self: string,
    private readonly peer: string,
  ) {}

  get id(): number {
    return this.inner.id;
  }
  get local(): string {
    return this.inner.local;
  }
  get remote(): string {
    return this.inner.remote;
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  setHandler(handler: ConnectionHandler): void {
    this.inner.setHandler(this.recorder.receiving(this.self, handler));
  }

  send(message: RpcMessage): void {
    if (this.inner.isOpen) this.recorder.sent(message, this.self, this.peer);
    this.inner.send(message);
  }

  close(reason: string): void {
    this.inner.close(reason);
  }
}
