/**
 * The server (policy repository / endpoint registry / observer) side of one OpFlex session, as a
 * leaf's OpFlex proxy or the reference opflex_server speaks it: identity first (anything else before
 * it gets ESTATE and a disconnect), resolves answered with whole subtrees and remembered as prr
 * subscriptions, declares registered, updates pushed to subscribers of an object or its ancestors.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import type { ManagedObject } from '../model/managed-object.ts';
import type { Connection } from '../transport/transport.ts';
import type {
  IdentityRequest,
  IdentityResult,
  PolicyUpdateItem,
  RpcRequest,
} from './message.ts';
import { RpcEndpoint, type KeepaliveTimers, type RpcEndpointEvents } from './rpc-endpoint.ts';

export interface ProxyBackend {
  /** The identity reply for this session, or an error message to refuse it. */
  identify(session: ProxySession, request: IdentityRequest): IdentityResult | { error: string };
  onReady(session: ProxySession): void;
  onClosed(session: ProxySession, reason: string): void;
  /** Calls `done` with the object's subtree, parents first, or [] when it does not exist (yet). */
  resolvePolicy(session: ProxySession, subject: string, uri: string, done: (objects: ManagedObject[]) => void): void;
  /** The session subscribes to an object it did not subscribe to yet (a resolve; before resolvePolicy). */
  onSubscribed?(session: ProxySession, uri: string): void;
  /** The session dropped its subscription to an object (policy_unresolve). */
  unresolvePolicy(session: ProxySession, uri: string): void;
  declareEndpoint(session: ProxySession, objects: ManagedObject[], prrS: number): void;
  undeclareEndpoint(session: ProxySession, subject: string, uri: string): void;
  resolveEndpoint(session: ProxySession, subject: string, uri: string): ManagedObject[];
  stateReport?(session: ProxySession, objects: ManagedObject[]): void;
}

export interface ProxySessionOptions {
  keepalive: KeepaliveTimers | undefined;
  /** Requests this session may have outstanding (resolves waiting on APIC); a flood past it is cut off. */
  maxOutstanding: number;
  /** See `RpcEndpointOptions.keepalivePhaseMs` (a session of a steady start). */
  keepalivePhaseMs?: number;
}

export type ProxySessionState = 'awaiting-identity' | 'ready' | 'closed';

export class ProxySession implements RpcEndpointEvents {
  readonly rpc: RpcEndpoint;
  state: ProxySessionState = 'awaiting-identity';
  identity: IdentityRequest | undefined;
  /** Subscribed URI -> expiry (whole ms, scheduler time; see expiryMs). */
  readonly subscriptions = new Map<string, number>();
  private outstanding = 0;

  constructor(
    connection: Connection,
    private readonly scheduler: Scheduler,
    private readonly backend: ProxyBackend,
    private readonly options: ProxySessionOptions,
  ) {
    this.rpc = new RpcEndpoint(connection, scheduler, this, { keepalive: options.keepalive, keepalivePhaseMs: options.keepalivePhaseMs });
  }

  /** RpcEndpointEvents: a request from the agent. */
  onRequest(request: RpcRequest): void {
    this.handle(request);
  }

  /** RpcEndpointEvents: the connection is gone. */
  onClose(reason: string): void {
    this.state = 'closed';
    this.backend.onClosed(this, reason);
  }

  get id(): number {
    return this.rpc.connection.id;
  }

  get agentName(): string {
    return this.identity?.name ?? `connection-${this.id}`;
  }

  close(reason: string): void {
    this.rpc.close(reason);
  }

  /** The identity a long-running session was established with (steady start): ready at once. */
  adoptIdentity(identity: IdentityRequest): void {
    if (this.state !== 'awaiting-identity') throw new Error(`session ${this.id} already has an identity`);
    this.identity = identity;
    this.state = 'ready';
  }

  /** Sends a policy_update if this session subscribes to one of the objects or an ancestor of it. */
  pushPolicyUpdate(update: PolicyUpdateItem): boolean {
    if (this.state !== 'ready') return false;
    const interesting = (uri: string) => this.isSubscribed(uri);
    const item: PolicyUpdateItem = {
      replace: update.replace.filter((mo) => interesting(mo.uri)),
      merge_children: update.merge_children.filter((mo) => interesting(mo.uri)),
      delete: update.delete.filter((d) => interesting(d.uri)),
    };
    if (item.replace.length + item.merge_children.length + item.delete.length === 0) return false;
    this.rpc.request('policy_update', [item]);
    return true;
  }

  /** Sends a policy_update regardless of subscriptions (the leaf's PlatformConfig delete). */
  sendPolicyUpdate(update: PolicyUpdateItem): void {
    if (this.state === 'ready') this.rpc.request('policy_update', [update]);
  }

  /** Adds or renews a subscription for prr seconds; true when the session did not have it. */
  subscribe(uri: string, prrS: number): boolean {
    const fresh = !this.subscriptions.has(uri);
    this.subscriptions.set(uri, expiryMs(this.scheduler.now(), prrS));
    return fresh;
  }

  /** True when the URI or one of its ancestors has a live subscription. */
  isSubscribed(uri: string): boolean {
    const now = this.scheduler.now();
    for (let end = uri.length; end > 1; end = uri.lastIndexOf('/', end - 2) + 1) {
      const expiry = this.subscriptions.get(uri.slice(0, end));
      if (expiry !== undefined && expiry > now) return true;
    }
    return false;
  }

  private handle(request: RpcRequest): void {
    if (this.state === 'closed') return;
    if (request.method === 'send_identity') {
      this.handleIdentity(request);
      return;
    }
    if (this.state !== 'ready') {
      this.rpc.replyError(request, 'ESTATE', `Request "${request.method}" before the identity handshake`);
      this.rpc.close(`request "${request.method}" before identity`);
      return;
    }
    switch (request.method) {
      case 'policy_resolve':
        return this.handleResolve(request);
      case 'policy_unresolve':
        return this.handleUnresolve(request);
      case 'endpoint_declare':
        return this.handleDeclare(request);
      case 'endpoint_undeclare':
        return this.handleUndeclare(request);
      case 'endpoint_resolve':
        return this.handleEndpointResolve(request);
      case 'endpoint_unresolve':
        return this.rpc.reply(request, {});
      case 'state_report':
        return this.handleStateReport(request);
      case 'custom':
        return this.rpc.replyError(request, 'EUNSUPPORTED', 'Method "custom" is not supported');
      default:
        // libopflex logs and ignores unknown methods: no reply.
        return;
    }
  }

  private handleIdentity(request: RpcRequest): void {
    const params = request.params[0] as IdentityRequest | undefined;
    if (!params || typeof params !== 'object' || typeof params.name !== 'string' || typeof params.domain !== 'string') {
      this.rpc.replyError(request, 'ERROR', 'Malformed send_identity: name and domain must be strings');
      return;
    }
    const answer = this.backend.identify(this, params);
    if ('error' in answer) {
      this.rpc.replyError(request, 'ERROR', answer.error);
      return;
    }
    this.identity = params;
    this.rpc.reply(request, answer);
    if (this.state === 'awaiting-identity') {
      this.state = 'ready';
      this.backend.onReady(this);
    }
  }

  private admit(request: RpcRequest): boolean {
    if (this.outstanding < this.options.maxOutstanding) return true;
    this.rpc.replyError(request, 'ERROR', `More than ${this.options.maxOutstanding} requests outstanding`);
    this.rpc.close(`flooded: more than ${this.options.maxOutstanding} requests outstanding`);
    return false;
  }

  private handleResolve(request: RpcRequest): void {
    const items = request.params as { subject?: unknown; policy_uri?: unknown; prr?: unknown; policy_ident?: unknown }[];
    for (const item of items) {
      if (item?.policy_ident !== undefined) return this.rpc.replyError(request, 'EUNSUPPORTED', 'policy_ident is not supported');
      if (typeof item?.subject !== 'string' || typeof item.policy_uri !== 'string' || typeof item.prr !== 'number') {
        return this.rpc.replyError(request, 'ERROR', 'Malformed policy_resolve: subject, policy_uri (strings) and prr (integer) are required');
      }
    }
    if (!this.admit(request)) return;
    this.outstanding++;
    if (items.length === 1) {
      // The agent sends one item per request: answer it without the bookkeeping for many.
      const item = items[0]!;
      if (this.subscribe(item.policy_uri as string, item.prr as number)) this.backend.onSubscribed?.(this, item.policy_uri as string);
      this.backend.resolvePolicy(this, item.subject as string, item.policy_uri as string, (objects) => {
        this.outstanding--;
        if (this.state === 'ready') this.rpc.reply(request, { policy: objects });
      });
      return;
    }
    const results: ManagedObject[][] = new Array(items.length);
    let remaining = items.length;
    const finish = (): void => {
      this.outstanding--;
      if (this.state !== 'ready') return;
      this.rpc.reply(request, { policy: results.length === 1 ? results[0] : results.flat() });
    };
    if (remaining === 0) return finish();
    items.forEach((item, index) => {
      const uri = item.policy_uri as string;
      if (this.subscribe(uri, item.prr as number)) this.backend.onSubscribed?.(this, uri);
      this.backend.resolvePolicy(this, item.subject as string, uri, (objects) => {
        results[index] = objects;
        if (--remaining === 0) finish();
      });
    });
  }

  private handleUnresolve(request: RpcRequest): void {
    for (const item of request.params as { policy_uri?: unknown }[]) {
      if (typeof item?.policy_uri !== 'string') return this.rpc.replyError(request, 'ERROR', 'Malformed policy_unresolve: policy_uri must be a string');
      if (this.subscriptions.delete(item.policy_uri)) this.backend.unresolvePolicy(this, item.policy_uri);
    }
    this.rpc.reply(request, {});
  }

  private handleDeclare(request: RpcRequest): void {
    for (const item of request.params as { endpoint?: unknown; prr?: unknown }[]) {
      if (!Array.isArray(item?.endpoint) || typeof item.prr !== 'number') {
        return this.rpc.replyError(request, 'ERROR', 'Malformed endpoint_declare: endpoint (array) and prr (integer) are required');
      }
      const objects = item.endpoint as ManagedObject[];
      if (!objects.every((mo) => typeof mo?.subject === 'string' && typeof mo.uri === 'string')) {
        return this.rpc.replyError(request, 'ERROR', 'Malformed endpoint_declare: every endpoint object needs subject and uri');
      }
      this.backend.declareEndpoint(this, objects, item.prr);
    }
    this.rpc.reply(request, {});
  }

  private handleUndeclare(request: RpcRequest): void {
    for (const item of request.params as { subject?: unknown; endpoint_uri?: unknown }[]) {
      if (typeof item?.subject !== 'string' || typeof item.endpoint_uri !== 'string') {
        return this.rpc.replyError(request, 'ERROR', 'Malformed endpoint_undeclare: subject and endpoint_uri must be strings');
      }
      this.backend.undeclareEndpoint(this, item.subject, item.endpoint_uri);
    }
    this.rpc.reply(request, {});
  }

  private handleEndpointResolve(request: RpcRequest): void {
    const out: ManagedObject[] = [];
    for (const item of request.params as { subject?: unknown; endpoint_uri?: unknown; endpoint_ident?: unknown }[]) {
      if (item?.endpoint_ident !== undefined) return this.rpc.replyError(request, 'EUNSUPPORTED', 'endpoint_ident is not supported');
      if (typeof item?.subject !== 'string' || typeof item.endpoint_uri !== 'string') {
        return this.rpc.replyError(request, 'ERROR', 'Malformed endpoint_resolve: subject and endpoint_uri must be strings');
      }
      out.push(...this.backend.resolveEndpoint(this, item.subject, item.endpoint_uri));
    }
    this.rpc.reply(request, { endpoint: out });
  }

  private handleStateReport(request: RpcRequest): void {
    for (const item of request.params as { observable?: unknown }[]) {
      if (!Array.isArray(item?.observable)) return this.rpc.replyError(request, 'ERROR', 'Malformed state_report: observable must be an array');
      this.backend.stateReport?.(this, item.observable as ManagedObject[]);
    }
    this.rpc.reply(request, {});
  }

  /** Drops subscriptions past their prr lifetime; returns the URIs dropped. */
  expireSubscriptions(): string[] {
    const now = this.scheduler.now();
    const dropped: string[] = [];
    for (const [uri, expiry] of this.subscriptions) {
      if (expiry <= now) {
        this.subscriptions.delete(uri);
        dropped.push(uri);
      }
    }
    return dropped;
  }
}

/**
 * When something declared or subscribed with a prr lifetime lapses, in whole milliseconds: an
 * integer is stored inline where a fractional time would be a separate heap number, and a fabric
 * holds millions of these.
 */
export function expiryMs(nowMs: number, prrS: number): number {
  return Math.ceil(nowMs + prrS * 1000);
}
