/**
 * Every OpFlex message as a flow from one actor to another: who sent it when, who received it when.
 * A transport wrapper watches both ends of every connection without changing what the actors see, so
 * the simulation runs exactly as it would unwatched (same events, same order, same trace).
 *
 * Sends and arrivals are paired by the message object itself (the in-memory links hand the receiver
 * the object the sender passed); a message sent more than once (a duplicating fault) pairs first in
 * first out per receiver, since a link delivers in order.
 *
 * A followed message carries its sends on itself, under a symbol of the recorder's, from its first send
 * until its last arrival: a table of messages in flight, as a migration burst fills it and drains it,
 * kept reallocating its storage (in the old generation, at its size), which grew the XL run's heap by
 * more than a hundred megabytes. A message that never arrives (lost to a fault) takes its sends with it
 * when it is collected, so nothing here needs a bound of its own: messages in flight are bounded by
 * the links (maxInFlight).
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import { methodOfRawId, type RpcMessage } from '../opflex/message.ts';
import { watchTransport, WatchedEnd } from '../transport/observed-transport.ts';
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

/** A followed message on its way: who sent it when; `next` is a later send of the same object (a duplicated message). */
interface Pending {
  sender: FlowWatch;
  sentMs: number;
  next: Pending | undefined;
}

/** A message as the recorder sees it: it may carry sends under the recorder's own symbol. */
type CarriesSends = Record<symbol, Pending | undefined>;

function methodOf(message: RpcMessage): string {
  return message.kind === 'request' ? message.method : (methodOfRawId(message.id) ?? 'unknown');
}

/** Whether the messages of one direction between two actors are followed now (read at every message). */
export interface FollowedDirection {
  readonly followed: boolean;
}

/** The flows a recorder follows: for each direction between two actors, a view whose answer may change at any time. */
export interface FlowSelection {
  direction(from: string, to: string): FollowedDirection;
}

export class MessageFlowRecorder {
  /** Where a followed message in flight keeps its sends: a symbol of this recorder's, so two recorders never see each other's. */
  private readonly sends = Symbol('message-flow sends');
  /** The sends of followed messages that cannot carry them (frozen ones: none of the simulation's actors send one). */
  private sealed: WeakMap<RpcMessage, Pending> | undefined;

  constructor(
    private readonly clock: Pick<Scheduler, 'now'>,
    private readonly names: FlowActorNames,
    private readonly onFlow: (flow: MessageFlow, message: RpcMessage) => void,
    /**
     * Which flows to follow (by sender and receiver actor); all when absent. A flow is reported when
     * it is followed both when sent and when it arrives. Each connection end asks once for the views
     * of its two directions, so a message that is not followed costs one read.
     */
    private readonly selection?: FlowSelection,
  ) {}

  /** The transport the actors use: `inner`, with every message on every connection seen. */
  wrap(inner: Transport): Transport {
    return watchTransport(inner, {
      client: (to, from) => new FlowWatch(this, this.names.client(from), this.names.server(formatEndpoint(to)), this.selection),
      server: (at, remote) => new FlowWatch(this, this.names.server(formatEndpoint(at)), this.names.client(remote), this.selection),
    });
  }

  /** A message `sender` sent to its peer (called by a FlowWatch). */
  sent(message: RpcMessage, sender: FlowWatch): void {
    const entry: Pending = { sender, sentMs: this.clock.now(), next: undefined };
    const first = this.sendsOf(message);
    if (first !== undefined) {
      let last = first;
      while (last.next !== undefined) last = last.next;
      last.next = entry;
      return;
    }
    if (Object.isExtensible(message)) (message as unknown as CarriesSends)[this.sends] = entry;
    else (this.sealed ??= new WeakMap()).set(message, entry);
  }

  /** A message reached `receiver` (called by a FlowWatch): its earliest send to that actor becomes a flow. */
  arrived(message: RpcMessage, receiver: string): void {
    const first = this.sendsOf(message);
    let before: Pending | undefined;
    let entry = first;
    while (entry !== undefined && entry.sender.peer !== receiver) {
      before = entry;
      entry = entry.next;
    }
    if (entry === undefined) return;
    if (before !== undefined) before.next = entry.next;
    else this.setSends(message, entry.next);
    const flow: MessageFlow = { from: entry.sender.self, to: receiver, method: methodOf(message), kind: message.kind, sentMs: entry.sentMs, arrivedMs: this.clock.now() };
    this.onFlow(flow, message);
  }

  private sendsOf(message: RpcMessage): Pending | undefined {
    return (message as unknown as CarriesSends)[this.sends] ?? this.sealed?.get(message);
  }

  /** Replaces the first of the message's sends (none left: the message is as it was sent). */
  private setSends(message: RpcMessage, first: Pending | undefined): void {
    if ((message as unknown as CarriesSends)[this.sends] === undefined) {
      if (first === undefined) this.sealed!.delete(message);
      else this.sealed!.set(message, first);
    } else if (first === undefined) delete (message as unknown as CarriesSends)[this.sends];
    else (message as unknown as CarriesSends)[this.sends] = first;
  }
}

/**
 * One connection end, watched: reports what its actor sends and receives when the selection follows
 * that direction. The connection end itself (one object, not a connection wrapper and a watch beside
 * it): every connection end of a fabric-scale run has one, and every message passes through it.
 */
class FlowWatch extends WatchedEnd {
  /** The selection's views of this end's two directions, asked for at the first message of each. */
  private sending: FollowedDirection | undefined;
  private receiving: FollowedDirection | undefined;

  constructor(
    private readonly recorder: MessageFlowRecorder,
    readonly self: string,
    readonly peer: string,
    private readonly selection: FlowSelection | undefined,
  ) {
    super();
  }

  sent(message: RpcMessage): void {
    if (this.selection === undefined || (this.sending ??= this.selection.direction(this.self, this.peer)).followed) this.recorder.sent(message, this);
  }

  received(message: RpcMessage): void {
    if (this.selection === undefined || (this.receiving ??= this.selection.direction(this.peer, this.self)).followed) this.recorder.arrived(message, this.self);
  }
}
