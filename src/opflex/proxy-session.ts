/**
 * The server (policy repository / endpoint registry / observer) side of one OpFlex session, as a
 * leaf's OpFlex proxy or the reference opflex_server speaks it: identity first (anything else before
 * it gets ESTATE and a disconnect), resolves answered with whole subtrees and remembered as prr
 * subscriptions, declares registered, updates pushed to subscribers of an object or its ancestors.
 * One name per session: a second identity under another name is refused. Every request is bounded
 * (proxy-limits.ts): past a bound the request gets an error reply and the session goes on.
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
import { clampPrrS, DEFAULT_PROXY_LIMITS, textChars, type ProxyLimits } from './proxy-limits.ts';
import { RpcEndpoint, type KeepaliveTimers, type RpcEndpointEvents } from './rpc-endpoint.ts';
import { SubscriptionTable } from './subscription-table.ts';
import type { UriInterner } from '../model/uri-interner.ts';

/** A backend's answer to a resolve it will not serve (a download bound): the request gets an error reply. */
export interface ResolveRefusal {
  refused: string;
}

export type ResolveAnswer = ManagedObject[] | ResolveRefusal;

/** A backend's answer to an identity it will not accept: an error reply, and with `close` the session ends. */
export interface IdentityRefusal {
  error: string;
  close?: boolean;
}

export interface ProxyBackend {
  /** The identity reply for this session, or an error message to refuse it (and `close` to drop the session after the reply). */
  identify(session: ProxySession, request: IdentityRequest): IdentityResult | IdentityRefusal;
  onReady(session: ProxySession): void;
  onClosed(session: ProxySession, reason: string): void;
  /** Calls `done` with the object's subtree, parents first, [] when it does not exist (yet), or a refusal. */
  resolvePolicy(session: ProxySession, subject: string, uri: string, done: (answer: ResolveAnswer) => void): void;
  /** The session subscribes to an object it did not subscribe to yet (a resolve; before resolvePolicy). */
  onSubscribed?(session: ProxySession, uri: string): void;
  /** The session dropped its subscription to an object (policy_unresolve). */
  unresolvePolicy(session: ProxySession, uri: string): void;
  /**
   * Registers the endpoint; returns why not when refused (a bound, an address the session may not
   * declare). `chars`: the objects' text as textChars counts it (within declaredEndpointCharsMax).
   */
  declareEndpoint(session: ProxySession, objects: ManagedObject[], prrS: number, chars: number): string | void;
  undeclareEndpoint(session: ProxySession, subject: string, uri: string): void;
  resolveEndpoint(session: ProxySession, subject: string, uri: string): ManagedObject[];
  stateReport?(session: ProxySession, objects: ManagedObject[]): void;
}

export interface ProxySessionOptions {
  keepalive: KeepaliveTimers | undefined;
  /** Requests this session may have outstanding (resolves waiting on APIC); a flood past it is cut off. */
  maxOutstanding: number;
  /** See `RpcEndpointOptions.keepalivePhaseMs` (a session of a steady start). */
  keepalivePhaseMs?: number | undefined;
  /** Bounds on what one request may ask; DEFAULT_PROXY_LIMITS where not given. */
  limits?: Partial<ProxyLimits>;
  /** Seeds the subscription table's index hash (see SubscriptionTable); 0 where not given. */
  subscriptionHashSeed?: number;
  /** Numbers the subscribed URIs; the sessions of one leaf share it. An interner of its own where not given. */
  subscribedUris?: UriInterner;
}

export type ProxySessionState = 'awaiting-identity' | 'ready' | 'closed';

export class ProxySession implements RpcEndpointEvents {
  readonly rpc: RpcEndpoint;
  state: ProxySessionState = 'awaiting-identity';
  identity: IdentityRequest | undefined;
  /** Subscribed URI -> expiry (whole ms, scheduler time; see expiryMs). */
  readonly subscriptions: SubscriptionTable;
  readonly limits: Readonly<ProxyLimits>;
  private outstanding = 0;

  constructor(
    connection: Connection,
    private readonly scheduler: Scheduler,
    private readonly backend: ProxyBackend,
    private readonly options: ProxySessionOptions,
  ) {
    this.limits = options.limits ? { ...DEFAULT_PROXY_LIMITS, ...options.limits } : DEFAULT_PROXY_LIMITS;
    this.subscriptions = new SubscriptionTable(options.subscriptionHashSeed, options.subscribedUris);
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
    this.rpc.connection.markIdentified?.();
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

  /** Adds or renews a subscription for prr seconds (clamped, see ProxyLimits); true when the session did not have it. `uriId`: see SubscriptionTable.add. */
  subscribe(uri: string, prrS: number, uriId = -1): boolean {
    return this.subscriptions.add(uri, expiryMs(this.scheduler.now(), clampPrrS(prrS, this.limits)), uriId);
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
    if (request.params.length > this.limits.itemsPerRequestMax && ITEM_METHODS.has(request.method)) {
      this.rpc.replyError(request, 'ERROR', `${request.method} carries ${request.params.length} items, more than ${this.limits.itemsPerRequestMax} (itemsPerRequestMax)`);
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
    if (this.identity !== undefined && params.name !== this.identity.name) {
      // libopflex accepts a repeated identity; a session that changes its name would leave the
      // first name's state (its ODev, its registrations) behind.
      this.rpc.replyError(request, 'ERROR', `This session is already identified as "${this.identity.name}": one name per session`);
      return;
    }
    if (params.name.length > this.limits.uriCharsMax) {
      this.rpc.replyError(request, 'ERROR', `Identity name of ${params.name.length} characters, more than ${this.limits.uriCharsMax} (uriCharsMax)`);
      return;
    }
    const answer = this.backend.identify(this, params);
    if ('error' in answer) {
      this.rpc.replyError(request, 'ERROR', answer.error);
      if (answer.close) this.rpc.close(`identity refused: ${answer.error}`);
      return;
    }
    this.identity ??= params;
    this.rpc.reply(request, answer);
    if (this.state === 'awaiting-identity') {
      this.state = 'ready';
      this.rpc.connection.markIdentified?.();
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
    let fresh = 0;
    for (const item of items) {
      if (item?.policy_ident !== undefined) return this.rpc.replyError(request, 'EUNSUPPORTED', 'policy_ident is not supported');
      if (typeof item?.subject !== 'string' || typeof item.policy_uri !== 'string' || !isNumber(item.prr)) {
        return this.rpc.replyError(request, 'ERROR', 'Malformed policy_resolve: subject, policy_uri (strings) and prr (integer) are required');
      }
      if (item.policy_uri.length > this.limits.uriCharsMax) return this.refuseLongUri(request, item.policy_uri);
      if (!this.subscriptions.has(item.policy_uri)) fresh++;
    }
    if (this.subscriptions.size + fresh > this.limits.subscriptionsPerSessionMax) {
      return this.rpc.replyError(request, 'ERROR', `More than ${this.limits.subscriptionsPerSessionMax} subscriptions (subscriptionsPerSessionMax)`);
    }
    if (!this.admit(request)) return;
    this.outstanding++;
    if (items.length === 1) {
      // The agent sends one item per request: answer it without the bookkeeping for many.
      const item = items[0]!;
      if (this.subscribe(item.policy_uri as string, Number(item.prr))) this.backend.onSubscribed?.(this, item.policy_uri as string);
      this.backend.resolvePolicy(this, item.subject as string, item.policy_uri as string, (answer) => {
        this.outstanding--;
        if (this.state !== 'ready') return;
        if (isRefusal(answer)) this.rpc.replyError(request, 'ERROR', answer.refused);
        else this.rpc.reply(request, { policy: answer });
      });
      return;
    }
    const results: ManagedObject[][] = new Array(items.length);
    let refusal: ResolveRefusal | undefined;
    let remaining = items.length;
    const finish = (): void => {
      this.outstanding--;
      if (this.state !== 'ready') return;
      if (refusal) return this.rpc.replyError(request, 'ERROR', refusal.refused);
      let objects = 0;
      for (const r of results) objects += r.length;
      if (objects > this.limits.objectsPerReplyMax) {
        return this.rpc.replyError(request, 'ERROR', `Reply of ${objects} objects, more than ${this.limits.objectsPerReplyMax} (objectsPerReplyMax)`);
      }
      this.rpc.reply(request, { policy: results.length === 1 ? results[0] : results.flat() });
    };
    if (remaining === 0) return finish();
    items.forEach((item, index) => {
      const uri = item.policy_uri as string;
      if (this.subscribe(uri, Number(item.prr))) this.backend.onSubscribed?.(this, uri);
      this.backend.resolvePolicy(this, item.subject as string, uri, (answer) => {
        if (isRefusal(answer)) {
          refusal ??= answer;
          results[index] = [];
        } else {
          results[index] = answer;
        }
        if (--remaining === 0) finish();
      });
    });
  }

  private refuseLongUri(request: RpcRequest, uri: string): void {
    this.rpc.replyError(request, 'ERROR', `URI of ${uri.length} characters, more than ${this.limits.uriCharsMax} (uriCharsMax)`);
  }

  private handleUnresolve(request: RpcRequest): void {
    for (const item of request.params as { policy_uri?: unknown }[]) {
      if (typeof item?.policy_uri !== 'string') return this.rpc.replyError(request, 'ERROR', 'Malformed policy_unresolve: policy_uri must be a string');
      if (this.subscriptions.delete(item.policy_uri)) this.backend.unresolvePolicy(this, item.policy_uri);
    }
    this.rpc.reply(request, {});
  }

  private handleDeclare(request: RpcRequest): void {
    const items = request.params as { endpoint?: unknown; prr?: unknown }[];
    // Every item is checked before any is registered: a refused request changes nothing.
    const chars: number[] = [];
    for (const item of items) {
      if (!Array.isArray(item?.endpoint) || !isNumber(item.prr)) {
        return this.rpc.replyError(request, 'ERROR', 'Malformed endpoint_declare: endpoint (array) and prr (integer) are required');
      }
      const objects = item.endpoint as ManagedObject[];
      if (!namesEveryObject(objects)) {
        return this.rpc.replyError(request, 'ERROR', 'Malformed endpoint_declare: every endpoint object needs subject and uri');
      }
      const size = this.declaredSize(objects);
      if (typeof size === 'string') return this.rpc.replyError(request, 'ERROR', size);
      chars.push(size);
    }
    for (const [i, item] of items.entries()) {
      const refused = this.backend.declareEndpoint(this, item.endpoint as ManagedObject[], clampPrrS(item.prr as number, this.limits), chars[i]!);
      if (refused !== undefined) return this.rpc.replyError(request, 'ERROR', refused);
    }
    this.rpc.reply(request, {});
  }

  /** Why a declared endpoint is too large to keep, or (when it is not) its text as textChars counts it. */
  private declaredSize(objects: ManagedObject[]): string | number {
    const limits = this.limits;
    if (objects.length > limits.objectsPerDeclareMax) return `Endpoint of ${objects.length} objects, more than ${limits.objectsPerDeclareMax} (objectsPerDeclareMax)`;
    for (const mo of objects) if (mo.uri.length > limits.uriCharsMax) return `URI of ${mo.uri.length} characters, more than ${limits.uriCharsMax} (uriCharsMax)`;
    const chars = textChars(objects, limits.declaredEndpointCharsMax);
    return chars === Infinity ? `Endpoint holds more than ${limits.declaredEndpointCharsMax} characters of text (declaredEndpointCharsMax)` : chars;
  }

  private handleUndeclare(request: RpcRequest): void {
    for (const item of request.params as { subject?: unknown; endpoint_uri?: unknown }[]) {
      if (typeof item?.subject !== 'string' || typeof item.endpoint_uri !== 'string') {
        return this.rpc.replyError(request, 'ERROR', 'Malformed endpoint_undeclare: subject and endpoint_uri must be strings');
      }
      if (item.endpoint_uri.length > this.limits.uriCharsMax) return this.refuseLongUri(request, item.endpoint_uri);
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
    return this.subscriptions.deleteExpired(this.scheduler.now());
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

/** Methods whose params are a list of items, each asking for work. */
const ITEM_METHODS = new Set(['policy_resolve', 'policy_unresolve', 'endpoint_declare', 'endpoint_undeclare', 'endpoint_resolve', 'endpoint_unresolve', 'state_report']);

function isNumber(value: unknown): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** Whether every object of a declared endpoint has a subject and a uri (as `every` would say, holes skipped). */
function namesEveryObject(objects: readonly ManagedObject[]): boolean {
  for (let i = 0; i < objects.length; i++) {
    if (!(i in objects)) continue;
    const mo = objects[i];
    if (typeof mo?.subject !== 'string' || typeof mo.uri !== 'string') return false;
  }
  return true;
}

function isRefusal(answer: ResolveAnswer): answer is ResolveRefusal {
  return !Array.isArray(answer);
}
