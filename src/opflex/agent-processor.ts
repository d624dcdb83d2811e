/**
 * The agent's resolution engine (libopflex engine/Processor.cpp, simplified to what the twin needs):
 * every reference to a policy object is counted and resolved; received objects' references chain
 * further resolves; an object nobody references is unresolved after a short delay. Local endpoints
 * are declared once their EPG's bridge and routing domains are known. Unanswered requests are
 * retried with doubling backoff; answered ones are refreshed at a random point in [prr/3, prr/2].
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler, TimerHandle } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import { property, referencesOf, type ManagedObject, type Reference } from '../model/managed-object.ts';
import { objectBytes } from '../model/object-size.ts';
import { ObjectStore } from '../model/object-store.ts';
import { POLICY_LIMITS, PolicyValidationError, validateManagedObjects, validatePolicyUpdate, type PolicyLimits } from '../model/policy-validation.ts';
import { childUri } from '../model/uri.ts';
import { EndpointObjectFactory, endpointOfDeclared, type EndpointNetwork, type LocalEndpoint } from './endpoint-objects.ts';
import type { PolicyUpdateItem, RpcErrorReply, RpcResult } from './message.ts';

export type { LocalEndpoint } from './endpoint-objects.ts';

export interface ProcessorTimers {
  prrS: number;
  retryDelayS: number;
  /** Delay before an unreferenced object is unresolved (libopflex: 250 ms). */
  gcDelayMs: number;
}

/**
 * Sends one request to every ready peer that has the role; returns how many peers it went to. Each
 * peer's reply comes back with the peer's key.
 */
export type Broadcast = (
  role: 'policy_repository' | 'endpoint_registry',
  method: string,
  params: unknown[],
  onReply?: (reply: RpcResult | RpcErrorReply, from: string) => void,
) => number;

/**
 * A peer sent something the agent drops: `reason` in one line; `closeSession` where libopflex
 * closes the connection ("Malformed ..." messages), not for objects it would skip.
 */
export type ProtocolErrorHandler = (peer: string, reason: string, closeSession: boolean) => void;

/** Where a steady start takes the answers a long-running agent got from its peers. */
export interface ProcessorSeeding {
  /** What the peers answer for an object (parents first); [] when they do not know it. */
  resolve(subject: string, uri: string): ManagedObject[];
  /** The peers registered these endpoint objects. */
  declare(objects: ManagedObject[]): void;
}

interface ResolveState {
  subject: string;
  uri: string;
  refs: number;
  resolved: boolean;
  attempt: number;
  retryTimer: TimerHandle | undefined;
  /** When the answer is next refreshed (REFRESH_NOT_SCHEDULED: not scheduled). */
  refreshAtMs: number;
  gcTimer: TimerHandle | undefined;
  /** What its subtree references, when anything (most objects reference nothing). */
  references: Reference[] | undefined;
}

const MAX_RETRY_EXPONENT = 16;
/**
 * A resolve's refresh time when none is scheduled. A small integer rather than Infinity: a field
 * that ever held a fraction or Infinity keeps every value boxed, 16 more bytes per resolved object
 * (millions at XL), while scheduled times are whole milliseconds.
 */
const REFRESH_NOT_SCHEDULED = -1;
/** Objects in one resolve reply or update message (its replace, merge_children and delete together). */
export const objectsPerMessageMax = 10_000;
/** Policy objects one agent holds. */
export const storeObjectsMax = 50_000;
/** Estimated memory of the objects one agent holds (see objectBytes). */
export const storeBytesMax = 64 * 1024 * 1024;
const AGENT_LIMITS: PolicyLimits = { ...POLICY_LIMITS, objectsPerBatchMax: objectsPerMessageMax };
/** Shared by every agent: its memo of escaped domain prefixes is pure. */
const endpointObjects = new EndpointObjectFactory();
/** Objects on an EPG's path to its bridge and routing domains: only they can make an endpoint declarable. */
const NETWORK_CLASSES = new Set(['GbpEpGroup', 'GbpFloodDomain', 'GbpBridgeDomain', 'GbpRoutingDomain']);

export class AgentProcessor {
  readonly store = new ObjectStore(objectBytes);
  private readonly resolves = new Map<string, ResolveState>();
  /** Endpoints waiting for their EPG's network to be known, by EPG URI then uuid. */
  private readonly waiting = new Map<string, Map<string, LocalEndpoint>>();
  /** Declared endpoints by uuid: their objects, one list per endpoint_declare (the endpoint is the first object's). */
  private readonly declared = new Map<string, ManagedObject[][]>();
  private declareRefreshTimer: TimerHandle | undefined;
  private refreshTimer: TimerHandle | undefined;
  private refreshTimerAtMs = Infinity;
  private seeding: ProcessorSeeding | undefined;
  /** networkOf's answers since the store last changed (every endpoint of an EPG asks). */
  private readonly networks = new Map<string, EndpointNetwork | undefined>();

  constructor(
    private readonly actor: string,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
    private readonly timers: ProcessorTimers,
    private readonly broadcast: Broadcast,
    private readonly protocolError: ProtocolErrorHandler,
  ) {}

  /** Objects referenced and resolved. */
  get resolvedCount(): number {
    let n = 0;
    for (const s of this.resolves.values()) if (s.resolved) n++;
    return n;
  }

  /** Every URI the agent currently wants, resolved or not. */
  wantedUris(): string[] {
    return [...this.resolves.keys()];
  }

  isResolved(uri: string): boolean {
    return this.resolves.get(uri)?.resolved === true;
  }

  declaredEndpoints(): LocalEndpoint[] {
    return [...this.declared.values()].map(endpointOfDeclared);
  }

  addReference(subject: string, uri: string): void {
    let state = this.resolves.get(uri);
    if (state) {
      state.refs++;
      if (state.gcTimer !== undefined) {
        this.scheduler.cancel(state.gcTimer);
        state.gcTimer = undefined;
      }
      return;
    }
    state = { subject, uri, refs: 1, resolved: false, attempt: 0, retryTimer: undefined, refreshAtMs: REFRESH_NOT_SCHEDULED, gcTimer: undefined, references: undefined };
    this.resolves.set(uri, state);
    this.sendResolve(state);
  }

  removeReference(uri: string): void {
    const state = this.resolves.get(uri);
    if (!state || state.refs === 0) return;
    state.refs--;
    if (state.refs === 0 && state.gcTimer === undefined) state.gcTimer = this.scheduler.after(this.timers.gcDelayMs, this.collect, state);
  }

  addEndpoint(endpoint: LocalEndpoint): void {
    let group = this.waiting.get(endpoint.epgUri);
    if (!group) this.waiting.set(endpoint.epgUri, (group = new Map()));
    group.set(endpoint.uuid, endpoint);
    this.addReference('GbpEpGroup', endpoint.epgUri);
    this.declareReady();
  }

  removeEndpoint(uuid: string): void {
    for (const [epg, group] of this.waiting) {
      const waiting = group.get(uuid);
      if (!waiting) continue;
      group.delete(uuid);
      if (group.size === 0) this.waiting.delete(epg);
      this.removeReference(waiting.epgUri);
      return;
    }
    const declared = this.declared.get(uuid);
    if (!declared) return;
    this.declared.delete(uuid);
    for (const objects of declared) {
      this.broadcast('endpoint_registry', 'endpoint_undeclare', [{ subject: objects[0]!.subject, endpoint_uri: objects[0]!.uri }]);
    }
    this.removeReference(endpointOfDeclared(declared).epgUri);
  }

  /**
   * Runs `build` (adding references and endpoints) as an agent that has been up for a while: every
   * resolve is answered at once from `seeding` and every declare registered there, with no message
   * sent; refresh timers run as after real answers.
   */
  seed(seeding: ProcessorSeeding, build: () => void): void {
    this.seeding = seeding;
    try {
      build();
    } finally {
      this.seeding = undefined;
      // The memo has an answer for every EPG of the node's pods by now; a map held per agent until
      // the store next changes (20,000 of them at XL) for answers worked out again in microseconds.
      this.networks.clear();
    }
  }

  /** A peer became ready: send it (and, as the reference agent does, every ready peer) the whole set. */
  resendAll(): void {
    for (const state of this.resolves.values()) if (state.refs > 0) this.sendResolve(state);
    for (const d of this.declared.values()) this.sendDeclare(d);
  }

  /**
   * A policy_update or endpoint_update from a peer (the agent never replies to it): every item is
   * validated against the store before any applies; an invalid message is dropped whole.
   */
  receiveUpdate(method: string, params: readonly unknown[], from: string, onDeleted: (subject: string, uri: string) => void): void {
    const items: PolicyUpdateItem[] = [];
    let objects = 0;
    for (const [i, item] of params.entries()) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        this.protocolError(from, `${method} params[${i}] is not an object`, true);
        return;
      }
      const raw = item as Record<string, unknown>;
      objects += lengthOf(raw.replace) + lengthOf(raw.merge_children) + lengthOf(raw.delete);
      if (objects > objectsPerMessageMax) {
        this.protocolError(from, `${method} holds more than ${objectsPerMessageMax} objects and deletes`, false);
        return;
      }
      try {
        items.push(validatePolicyUpdate(item, `${method} params[${i}]`, { store: this.store, limits: AGENT_LIMITS, keepObjects: true }));
      } catch (err) {
        if (!(err instanceof PolicyValidationError)) throw err;
        this.protocolError(from, `${method} params[${i}]: ${err.firstIssue}`, false);
        return;
      }
    }
    if (!this.fitsInStore(items.flatMap((item) => [...item.replace, ...item.merge_children]), method, from)) return;
    for (const item of items) this.applyUpdate(item, onDeleted);
  }

  private applyUpdate(item: PolicyUpdateItem, onDeleted: (subject: string, uri: string) => void): void {
    this.networks.clear();
    for (const mo of item.replace) this.store.replace(mo);
    for (const mo of item.merge_children) this.store.mergeChildren(mo);
    for (const d of item.delete) {
      const existed = this.store.delete(d.uri);
      const state = this.resolves.get(d.uri);
      if (state) {
        state.resolved = false;
        state.refreshAtMs = REFRESH_NOT_SCHEDULED;
      }
      if (existed) {
        this.trace.emit(this.actor, 'policy-deleted', { subject: d.subject, uri: d.uri });
        onDeleted(d.subject, d.uri);
      }
    }
    for (const mo of [...item.replace, ...item.merge_children]) {
      const state = this.resolves.get(mo.uri);
      if (!state) continue;
      // A pushed object the agent asked for earlier (and got [] for) now counts as resolved.
      if (!state.resolved) this.markResolved(state);
      this.updateReferences(state);
    }
    this.declareReady();
  }

  private markResolved(state: ResolveState): void {
    state.resolved = true;
    state.attempt = 0;
    this.scheduler.cancel(state.retryTimer);
    state.retryTimer = undefined;
    if (state.refreshAtMs === REFRESH_NOT_SCHEDULED) this.scheduleRefresh(state);
    if (!this.seeding) this.trace.emit(this.actor, 'policy-resolved', { subject: state.subject, uri: state.uri });
  }

  private sendResolve(state: ResolveState): void {
    if (this.seeding) {
      const objects = this.seeding.resolve(state.subject, state.uri);
      if (objects.length > 0) return this.accept(state, objects);
    } else {
      const params = [{ subject: state.subject, policy_uri: state.uri, prr: this.timers.prrS }];
      this.broadcast('policy_repository', 'policy_resolve', params, (reply, from) => this.onResolveReply(state, reply, from));
    }
    this.scheduler.cancel(state.retryTimer);
    state.retryTimer = undefined;
    if (!state.resolved) {
      const base = this.timers.retryDelayS * 1000 * 2 ** Math.min(state.attempt, MAX_RETRY_EXPONENT);
      const delay = Math.min(base * this.random.uniform(0.9, 1.1), (this.timers.prrS * 1000) / 2);
      state.retryTimer = this.scheduler.after(delay, this.retry, state);
    }
  }

  private readonly retry = (state: ResolveState): void => {
    state.retryTimer = undefined;
    if (state.resolved || this.resolves.get(state.uri) !== state) return;
    state.attempt++;
    this.trace.emit(this.actor, 'policy-resolve-retry', { uri: state.uri, attempt: state.attempt });
    this.sendResolve(state);
  };

  private onResolveReply(state: ResolveState, reply: RpcResult | RpcErrorReply, from: string): void {
    if (this.resolves.get(state.uri) !== state) return;
    if (reply.kind === 'error') {
      this.trace.emit(this.actor, 'policy-resolve-failed', { uri: state.uri, code: reply.error.code });
      return;
    }
    const result = reply.result;
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      this.protocolError(from, 'policy_resolve reply: result is not an object', true);
      return;
    }
    const policy = (result as { policy?: unknown }).policy;
    if (policy === undefined) return;
    if (!Array.isArray(policy)) {
      this.protocolError(from, 'policy_resolve reply: policy is not an array', true);
      return;
    }
    if (policy.length === 0) return;
    let objects: ManagedObject[];
    try {
      objects = validateManagedObjects(policy, `policy_resolve reply`, { store: this.store, limits: AGENT_LIMITS, keepObjects: true });
    } catch (err) {
      if (!(err instanceof PolicyValidationError)) throw err;
      this.protocolError(from, `policy_resolve reply for ${JSON.stringify(state.uri)}: ${err.firstIssue}`, false);
      return;
    }
    if (this.fitsInStore(objects, 'policy_resolve reply', from)) this.accept(state, objects);
  }

  /** Whether objects received from a peer stay within the store's bounds; a protocol error when not. */
  private fitsInStore(objects: readonly ManagedObject[], what: string, from: string): boolean {
    let added = 0;
    let bytes = 0;
    for (const mo of objects) {
      if (!this.store.has(mo.uri)) added++;
      bytes += objectBytes(mo);
    }
    if (this.store.size + added > storeObjectsMax) {
      this.protocolError(from, `${what} would grow the policy store past ${storeObjectsMax} objects`, false);
      return false;
    }
    if (this.store.bytes + bytes > storeBytesMax) {
      this.protocolError(from, `${what} would grow the policy store past ${storeBytesMax} bytes`, false);
      return false;
    }
    return true;
  }

  private accept(state: ResolveState, objects: ManagedObject[]): void {
    const first = !state.resolved;
    // The same objects again (the other leaf's copy of the answer, or a resend): nothing changes.
    if (!first && objects.every((mo) => this.store.get(mo.uri) === mo)) return;
    this.networks.clear();
    for (const mo of objects) this.store.replace(mo);
    if (first) this.markResolved(state);
    this.updateReferences(state);
    if (first && NETWORK_CLASSES.has(state.subject)) this.declareReady();
  }

  private scheduleRefresh(state: ResolveState): void {
    const prrMs = this.timers.prrS * 1000;
    // Whole milliseconds: a small integer is stored inline, a fractional time is a heap number each.
    state.refreshAtMs = Math.ceil(this.scheduler.now() + this.random.uniform(prrMs / 3, prrMs / 2));
    if (this.refreshTimer === undefined || state.refreshAtMs < this.refreshTimerAtMs) {
      this.scheduler.cancel(this.refreshTimer);
      this.refreshTimer = this.scheduler.at(state.refreshAtMs, AgentProcessor.onRefreshTimer, this);
      this.refreshTimerAtMs = state.refreshAtMs;
    }
  }

  /**
   * Each answer is refreshed at its own random point in [prr/3, prr/2] after it arrived, as libopflex
   * does, from one timer per agent armed at the earliest: a fabric has millions of resolved objects,
   * and a timer each would fill the event queue.
   */
  private static readonly onRefreshTimer = (processor: AgentProcessor): void => processor.refreshDue();

  private refreshDue(): void {
    this.refreshTimer = undefined;
    const now = this.scheduler.now();
    const due: ResolveState[] = [];
    for (const state of this.resolves.values()) if (state.refreshAtMs !== REFRESH_NOT_SCHEDULED && state.refreshAtMs <= now) due.push(state);
    for (const state of due) {
      state.refreshAtMs = REFRESH_NOT_SCHEDULED;
      if (state.refs === 0 || !state.resolved) continue;
      this.sendResolve(state);
      const prrMs = this.timers.prrS * 1000;
      state.refreshAtMs = Math.ceil(now + this.random.uniform(prrMs / 3, prrMs / 2));
    }
    let next = Infinity;
    for (const state of this.resolves.values()) if (state.refreshAtMs !== REFRESH_NOT_SCHEDULED && state.refreshAtMs < next) next = state.refreshAtMs;
    if (next !== Infinity) {
      this.refreshTimer = this.scheduler.at(next, AgentProcessor.onRefreshTimer, this);
      this.refreshTimerAtMs = next;
    }
  }

  private updateReferences(state: ResolveState): void {
    const now: Reference[] = [];
    for (const mo of this.store.subtree(state.uri)) {
      for (const ref of storedReferencesOf(mo)) if (!includesTarget(now, ref.reference_uri)) now.push(ref);
    }
    const before = state.references;
    state.references = now.length > 0 ? now : undefined;
    for (const ref of now) if (!before || !includesTarget(before, ref.reference_uri)) this.addReference(ref.subject, ref.reference_uri);
    if (before) for (const ref of before) if (!includesTarget(now, ref.reference_uri)) this.removeReference(ref.reference_uri);
  }

  private readonly collect = (state: ResolveState): void => {
    state.gcTimer = undefined;
    if (state.refs > 0 || this.resolves.get(state.uri) !== state) return;
    this.resolves.delete(state.uri);
    this.scheduler.cancel(state.retryTimer);
    state.refreshAtMs = REFRESH_NOT_SCHEDULED;
    this.broadcast('policy_repository', 'policy_unresolve', [{ subject: state.subject, policy_uri: state.uri }]);
    this.trace.emit(this.actor, 'policy-unresolved', { uri: state.uri });
    const targets = state.references ?? [];
    state.references = undefined;
    this.networks.clear();
    this.store.deleteRecursive(state.uri);
    for (const t of targets) this.removeReference(t.reference_uri);
  };

  // ---- Endpoints ------------------------------------------------------------------------------

  /** The bridge and routing domain URIs an EPG's network chain leads to, when all are known. */
  networkOf(epgUri: string): EndpointNetwork | undefined {
    if (this.networks.has(epgUri)) return this.networks.get(epgUri);
    const network = this.findNetwork(epgUri);
    this.networks.set(epgUri, network);
    return network;
  }

  private findNetwork(epgUri: string): EndpointNetwork | undefined {
    let uri = this.targetOf(childUri(epgUri, 'GbpEpGroupToNetworkRSrc'));
    let bd: string | undefined;
    for (let hops = 0; uri && hops < 4; hops++) {
      const mo = this.store.get(uri);
      if (!mo) return undefined;
      if (mo.subject === 'GbpFloodDomain') uri = this.targetOf(childUri(uri, 'GbpFloodDomainToNetworkRSrc'));
      else if (mo.subject === 'GbpBridgeDomain') {
        bd = uri;
        uri = this.targetOf(childUri(uri, 'GbpBridgeDomainToNetworkRSrc'));
      } else if (mo.subject === 'GbpRoutingDomain') return bd ? { bd, rd: uri } : undefined;
      else return undefined;
    }
    return undefined;
  }

  private targetOf(relationUri: string): string | undefined {
    const rel = this.store.get(relationUri);
    const target = rel ? property(rel, 'target') : undefined;
    return target && typeof target === 'object' && 'reference_uri' in target ? target.reference_uri : undefined;
  }

  private declareReady(): void {
    for (const [epg, group] of this.waiting) {
      const network = this.networkOf(epg);
      if (!network) continue;
      this.waiting.delete(epg);
      for (const [uuid, endpoint] of group) {
        const declared = endpointObjects.objectsOf(endpoint, network);
        this.declared.set(uuid, declared);
        this.sendDeclare(declared);
        if (!this.seeding) this.trace.emit(this.actor, 'endpoint-ready', { endpoint: endpoint.name, ips: endpoint.ips.join(',') });
      }
    }
  }

  private sendDeclare(declared: ManagedObject[][]): void {
    const seeding = this.seeding;
    if (seeding) for (const objects of declared) seeding.declare(objects);
    else for (const objects of declared) this.broadcast('endpoint_registry', 'endpoint_declare', [{ endpoint: objects, prr: this.timers.prrS }]);
    this.scheduleDeclareRefresh();
  }

  /**
   * Declarations are refreshed together, at a random point in [prr/3, prr/2]: one timer per agent
   * rather than one per endpoint, so a node with many pods does not fill the event queue.
   */
  private scheduleDeclareRefresh(): void {
    if (this.declareRefreshTimer !== undefined) return;
    const prrMs = this.timers.prrS * 1000;
    this.declareRefreshTimer = this.scheduler.after(this.random.uniform(prrMs / 3, prrMs / 2), AgentProcessor.refreshDeclares, this);
  }

  private static readonly refreshDeclares = (processor: AgentProcessor): void => {
    processor.declareRefreshTimer = undefined;
    for (const declared of processor.declared.values()) for (const objects of declared) processor.broadcast('endpoint_registry', 'endpoint_declare', [{ endpoint: objects, prr: processor.timers.prrS }]);
    if (processor.declared.size > 0) processor.scheduleDeclareRefresh();
  };
}

/**
 * An object's references, worked out once per object: stored objects never change (ObjectStore), and
 * every agent that holds a policy object holds the same one.
 */
const referencesByObject = new WeakMap<ManagedObject, readonly Reference[]>();

function storedReferencesOf(mo: ManagedObject): readonly Reference[] {
  let refs = referencesByObject.get(mo);
  if (refs === undefined) referencesByObject.set(mo, (refs = referencesOf(mo)));
  return refs;
}

/** Reference lists are short (an object's subtree names a handful): a scan beats a Set. */
function includesTarget(refs: readonly Reference[], uri: string): boolean {
  for (let i = 0; i < refs.length; i++) if (refs[i]!.reference_uri === uri) return true;
  return false;
}

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}
