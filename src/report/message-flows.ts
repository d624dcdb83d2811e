/**
 * Every OpFlex message as a flow from one actor to another: who sent it when, who received it when.
 * A transport wrapper watches both ends of every connection without changing what the actors see, so
 * the simulation runs exactly as it would unwatched (same events, same order, same trace).
 *
 * Sends and arrivals are paired by the message object itself (the in-memory links hand the receiver
 * the object the sender passed); a message sent more than once (a duplicating fault) pairs first in
 * first out per receiver, since a link delivers in order.
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

/**
 * Followed messages in flight at once, at most. Each leaves the table when it arrives; one that never
 * does (lost to a fault) stays until this many newer ones push it out, oldest first.
 */
export const flowsInFlightMax = 1 << 18;

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
  /**
   * Followed messages sent and not arrived yet, by the message object itself, oldest first. A Map
   * whose entries leave on arrival rather than a WeakMap: every message of a migrating node passes
   * through here, and a WeakMap that only grows costs the garbage collector far more.
   */
  private readonly pending = new Map<RpcMessage, Pending>();

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
    /** See flowsInFlightMax (tests lower it). */
    private readonly inFlightMax = flowsInFlightMax,
  ) {}

  /** Followed messages sent and not arrived (nor forgotten) yet. */
  get inFlight(): number {
    return this.pending.size;
  }

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
    const first = this.pending.get(message);
    if (first !== undefined) {
      let last = first;
      while (last.next !== undefined) last = last.next;
      last.next = entry;
      return;
    }
    if (this.pending.size >= this.inFlightMax) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(message, entry);
  }

  /** A message reached `receiver` (called by a FlowWatch): its earliest send to that actor becomes a flow. */
  arrived(message: RpcMessage, receiver: string): void {
    const first = this.pending.get(message);
    let before: Pending | undefined;
    let entry = first;
    while (entry !== undefined && entry.sender.peer !== receiver) {
      before = entry;
      entry = entry.next;
    }
    if (entry === undefined) return;
    if (before !== undefined) before.next = entry.next;
    else if (entry.next !== undefined) this.pending.set(message, entry.next);
    else this.pending.delete(message);
    const flow: MessageFlow = { from: entry.sender.self, to: receiver, method: methodOf(message), kind: message.kind, sentMs: entry.sentMs, arrivedMs: this.clock.now() };
    this.onFlow(flow, message);
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
