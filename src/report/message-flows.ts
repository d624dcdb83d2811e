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
import { observeTransport, type MessageWatch } from '../transport/observed-transport.ts';
import { formatEndpoint, type Transport } from '../transport/transport.ts';

export interface MessageFlow {
  from: string;
  to: string;
  method: string;
  kind: RpcMessage['kind'];
  sentMs: number;
  arrivedMs: number;
}

/** How the two ends of a connection are named: the dialling side by its `from`, the other by the address it listens on. */
interface FlowActorNames {
  client(from: string): string;
  server(listenAddress: string): string;
}

interface Pending {
  from: string;
  to: string;
  sentMs: number;
}

function methodOf(message: RpcMessage): string {
  return message.kind === 'request' ? message.method : (methodOfRawId(message.id) ?? 'unknown');
}

/** The flows a recorder follows, and a number that changes whenever `follows` may answer differently. */
export interface FlowSelection {
  readonly version: number;
  follows(from: string, to: string): boolean;
}

export class MessageFlowRecorder {
  /** Weak, so a message that never arrives (its receiver closed first) is forgotten with it. */
  private readonly pending = new WeakMap<RpcMessage, Pending[]>();

  constructor(
    private readonly clock: Pick<Scheduler, 'now'>,
    private readonly names: FlowActorNames,
    private readonly onFlow: (flow: MessageFlow, message: RpcMessage) => void,
    /**
     * Which flows to follow (by sender and receiver actor); all when absent. A flow is reported when
     * it is followed both when sent and when it arrives. Each connection end remembers its answers
     * until `selection.version` changes, so a message that is not followed costs a comparison.
     */
    private readonly selection?: FlowSelection,
  ) {}

  /** The transport the actors use: `inner`, with every message on every connection seen. */
  wrap(inner: Transport): Transport {
    return observeTransport(inner, {
      client: (to, from) => this.watch(this.names.client(from), this.names.server(formatEndpoint(to))),
      server: (at, remote) => this.watch(this.names.server(formatEndpoint(at)), this.names.client(remote)),
    });
  }

  private watch(self: string, peer: string): MessageWatch {
    return new FlowWatch(this, self, peer, this.selection);
  }

  /** A message `from` sent to `to` (called by a FlowWatch). */
  sent(message: RpcMessage, from: string, to: string): void {
    const list = this.pending.get(message);
    const entry = { from, to, sentMs: this.clock.now() };
    if (list) list.push(entry);
    else this.pending.set(message, [entry]);
  }

  /** A message reached `receiver` (called by a FlowWatch). */
  arrived(message: RpcMessage, receiver: string): void {
    const list = this.pending.get(message);
    const i = list?.findIndex((p) => p.to === receiver) ?? -1;
    if (i < 0) return;
    const { from, sentMs } = list!.splice(i, 1)[0]!;
    this.onFlow({ from, to: receiver, method: methodOf(message), kind: message.kind, sentMs, arrivedMs: this.clock.now() }, message);
  }
}

/**
 * One connection end's watch: reports what its actor sends and receives when the selection follows
 * it, remembering the selection's answers until its version changes. An object with fields rather
 * than closures: every connection end of a fabric-scale run has one.
 */
class FlowWatch implements MessageWatch {
  /** The selection.version the answers below hold for (NaN: not asked yet). */
  private asOf = NaN;
  private sending = false;
  private receiving = false;

  constructor(
    private readonly recorder: MessageFlowRecorder,
    private readonly self: string,
    private readonly peer: string,
    private readonly selection: FlowSelection | undefined,
  ) {}

  sent(message: RpcMessage): void {
    if (this.selection !== undefined && this.asOf !== this.selection.version) this.refresh(this.selection);
    if (this.selection === undefined || this.sending) this.recorder.sent(message, this.self, this.peer);
  }

  received(message: RpcMessage): void {
    if (this.selection !== undefined && this.asOf !== this.selection.version) this.refresh(this.selection);
    if (this.selection === undefined || this.receiving) this.recorder.arrived(message, this.self);
  }

  private refresh(selection: FlowSelection): void {
    this.asOf = selection.version;
    this.sending = selection.follows(this.self, this.peer);
    this.receiving = selection.follows(this.peer, this.self);
  }
}
