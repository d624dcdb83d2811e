/**
 * One side of an OpFlex session over a Connection: request/response correlation by raw id, echo
 * replies, and libopflex's keepalive (an echo at connect, then the timer first at 10 s and every
 * 15 s; if nothing was heard for longer than the timeout the session is torn down). Where the
 * keepalive cannot expire (KeepaliveTimers.counted: a simulation's lossless links), its echoes are
 * counted on the tally instead of sent, and no timer runs.
 */
import type { Scheduler, TimerHandle } from '../kernel/scheduler.ts';
import type { Connection, ConnectionHandler } from '../transport/transport.ts';
import type { EchoTally } from './echo-tally.ts';
import { makeRawId, type RawId, type RpcErrorReply, type RpcMessage, type RpcRequest, type RpcResult } from './message.ts';

export interface KeepaliveTimers {
  firstMs: number;
  repeatMs: number;
  timeoutMs: number;
  /** Where echoes cannot be lost or expire (see echo-tally.ts): they are counted here, not sent. */
  counted?: EchoTally | undefined;
}

export type ReplyHandler = (reply: RpcResult | RpcErrorReply) => void;

export interface RpcEndpointEvents {
  onOpen?(): void;
  onRequest(request: RpcRequest): void;
  onClose(reason: string): void;
}

export interface RpcEndpointOptions {
  keepalive: KeepaliveTimers | undefined;
  /** Bound on our own requests awaiting a reply; past it the oldest is forgotten. */
  maxPending?: number;
  /**
   * A session that has been up a while (steady start): no echo on open, and the first keepalive
   * tick after this many ms, so the fabric's keepalives are not all in step.
   */
  keepalivePhaseMs?: number | undefined;
}

/** Why a keepalive closes a session whose peer was silent longer than `timeoutMs` (the far end sees it after "peer closed: "). */
function keepaliveTimeoutReason(timeoutMs: number): string {
  return `nothing heard for more than ${timeoutMs} ms`;
}

/** Whether a close reason is a keepalive's timeout, on this end or the peer's. */
export function isKeepaliveTimeout(reason: string): boolean {
  return /nothing heard for more than \d+ ms$/.test(reason);
}

/** Echo ids made once and shared by every session: a session's echo counter stays below this for 17 hours of 15 s keepalives. */
export const echoIdsSharedMax = 4096;
const echoIds: RawId[] = [];

/** The id of a session's n-th echo (libopflex numbers them per connection from 0). */
function echoId(n: number): RawId {
  if (n >= echoIdsSharedMax) return makeRawId('echo', n);
  return (echoIds[n] ??= makeRawId('echo', n));
}

export class RpcEndpoint implements ConnectionHandler {
  /** Made at the first request that wants a reply: most of a fabric's server sessions never send one. */
  private pending: Map<RawId, ReplyHandler> | undefined;
  /** Usually one object shared by every session of an actor, so a keepalive tick reads no per-session options. */
  private readonly keepalive: KeepaliveTimers | undefined;
  private readonly keepalivePhaseMs: number | undefined;
  private keepaliveTimer: TimerHandle | undefined;
  private lastHeardMs: number;
  /** A number: one echo per keepalive period would take millions of years to pass 2^53. */
  private echoCounter = 0;
  private requestCounter = 0n;
  private closed = false;
  private readonly maxPending: number;

  constructor(
    readonly connection: Connection,
    private readonly scheduler: Scheduler,
    private readonly events: RpcEndpointEvents,
    options: RpcEndpointOptions,
  ) {
    this.lastHeardMs = scheduler.now();
    this.maxPending = options.maxPending ?? 65_536;
    this.keepalive = options.keepalive;
    this.keepalivePhaseMs = options.keepalivePhaseMs;
    connection.setHandler(this);
    if (connection.isOpen) this.start();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get pendingRequests(): number {
    return this.pending?.size ?? 0;
  }

  onOpen(): void {
    this.start();
    this.events.onOpen?.();
  }

  /** Sends a request with an id from this session's own counter (libopflex's RpcConnection starts at 1). */
  request(method: string, params: unknown[], onReply?: ReplyHandler): RawId {
    return this.requestWithId(makeRawId(method, ++this.requestCounter), method, params, onReply);
  }

  /** Sends a request with a caller-chosen id (the agent's processor numbers from 2^63). */
  requestWithId(id: RawId, method: string, params: unknown[], onReply?: ReplyHandler): RawId {
    if (this.closed) return id;
    if (onReply) {
      const pending = (this.pending ??= new Map());
      if (pending.size >= this.maxPending) {
        const oldest = pending.keys().next().value as RawId;
        pending.delete(oldest);
      }
      pending.set(id, onReply);
    }
    this.connection.send({ kind: 'request', id, method, params });
    return id;
  }

  reply(request: RpcRequest, result: unknown): void {
    if (!this.closed) this.connection.send({ kind: 'result', id: request.id, result });
  }

  replyError(request: RpcRequest, code: string, message: string): void {
    if (!this.closed) this.connection.send({ kind: 'error', id: request.id, error: { code, message } });
  }

  close(reason: string): void {
    if (this.closed) return;
    this.connection.close(reason);
  }

  onMessage(message: RpcMessage): void {
    if (this.closed) return;
    this.lastHeardMs = this.scheduler.now();
    if (message.kind === 'request') {
      if (message.method === 'echo') {
        this.reply(message, message.params);
        return;
      }
      this.events.onRequest(message);
      return;
    }
    const handler = this.pending?.get(message.id);
    if (handler) {
      this.pending!.delete(message.id);
      handler(message);
    }
  }

  onClose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.cancel(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    this.keepalive?.counted?.close(this, this.scheduler.now());
    this.pending?.clear();
    this.events.onClose(reason);
  }

  private start(): void {
    this.lastHeardMs = this.scheduler.now();
    const keepalive = this.keepalive;
    if (!keepalive) return;
    const phaseMs = this.keepalivePhaseMs;
    if (keepalive.counted) {
      keepalive.counted.open(this, this.scheduler.now() + (phaseMs ?? keepalive.firstMs), phaseMs === undefined);
      return;
    }
    if (phaseMs === undefined) this.sendEcho();
    this.keepaliveTimer = this.scheduler.after(phaseMs ?? keepalive.firstMs, RpcEndpoint.keepaliveTick, this);
  }

  private sendEcho(): void {
    this.connection.send({ kind: 'request', id: echoId(this.echoCounter++), method: 'echo', params: [Math.floor(this.scheduler.now())] });
  }

  /** Shared by every endpoint (a fabric has tens of thousands of sessions): no closure each. */
  private static readonly keepaliveTick = (rpc: RpcEndpoint): void => rpc.onKeepaliveTick();

  private onKeepaliveTick(): void {
    const keepalive = this.keepalive!;
    this.keepaliveTimer = undefined;
    if (this.closed) return;
    if (this.scheduler.now() - this.lastHeardMs > keepalive.timeoutMs) {
      this.connection.close(keepaliveTimeoutReason(keepalive.timeoutMs));
      return;
    }
    this.sendEcho();
    this.keepaliveTimer = this.scheduler.after(keepalive.repeatMs, RpcEndpoint.keepaliveTick, this);
  }
}
