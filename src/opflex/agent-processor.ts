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
import { UriInterner } from '../model/uri-interner.ts';
import { POLICY_LIMITS, PolicyValidationError, validateManagedObjects, validatePolicyUpdate, type PolicyLimits } from '../model/policy-validation.ts';
import { childUri } from '../model/uri.ts';
import { EndpointObjectFactory, endpointOfDeclared, type EndpointNetwork, type LocalEndpoint } from './endpoint-objects.ts';
import { DeclaredEndpoints } from './declared-endpoints.ts';
import type { PolicyUpdateItem, RpcErrorReply, RpcResult } from './message.ts';
import { NO_TIMER, ResolveTable } from './resolve-table.ts';
import type { RememberedSubtree, SeedingMemo } from './seeding-memo.ts';

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
  /** What the peers answer for an object (parents first); [] when they do not know it. `uriId` is its number in the agent's UriInterner. */
  resolve(subject: string, uri: string, uriId: number): ManagedObject[];
  /** The peers registered these endpoint objects. */
  declare(objects: ManagedObject[]): void;
  /** What agents seeded before this one worked out (see SeedingMemo). */
  memo?: SeedingMemo;
  /** About how many resolves the agent will hold (room for the peers' subscriptions). */
  expect?(resolves: number): void;
}

const MAX_RETRY_EXPONENT = 16;
/** A resolve's refresh time when none is scheduled (scheduled times are whole milliseconds, never negative). */
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
  readonly store: ObjectStore;
  /** One resolve per referenced URI, by slot (see ResolveTable). */
  private readonly resolves: ResolveTable;
  /** Endpoints waiting for their EPG's network to be known, by EPG URI then uuid (none: no map, as in most agents most of the time). */
  private waiting: Map<string, Map<string, LocalEndpoint>> | undefined;
  private readonly declared = new DeclaredEndpoints();
  private declareRefreshTimer: TimerHandle | undefined;
  private refreshTimer: TimerHandle | undefined;
  private refreshTimerAtMs = Infinity;
  private seeding: ProcessorSeeding | undefined;
  /** networkOf's answers since the store last changed (every endpoint of an EPG asks). */
  private networks: Map<string, EndpointNetwork | undefined> | undefined;

  constructor(
    private readonly actor: string,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
    private readonly timers: ProcessorTimers,
    private readonly broadcast: Broadcast,
    private readonly protocolError: ProtocolErrorHandler,
    /** The twin's URI numbering, shared by its agents (a table of its own without). */
    private readonly uris: UriInterner = new UriInterner(),
  ) {
    this.store = new ObjectStore(objectBytes, uris);
    this.resolves = new ResolveTable(uris, REFRESH_NOT_SCHEDULED);
  }

  /** Objects referenced and resolved. */
  get resolvedCount(): number {
    const table = this.resolves;
    let n = 0;
    for (let slot = table.firstSlot; slot >= 0; slot = table.nextSlot(slot)) if (table.isResolved(slot)) n++;
    return n;
  }

  /** Every URI the agent currently wants, resolved or not. */
  wantedUris(): string[] {
    return Array.from(this.resolves.slotsInOrder(), (slot) => this.resolves.uriOf(slot));
  }

  isResolved(uri: string): boolean {
    const slot = this.resolves.slotOf(uri);
    return slot >= 0 && this.resolves.isResolved(slot);
  }

  /** Endpoints declared. */
  get declaredCount(): number {
    return this.declared.size;
  }

  declaredEndpoints(): LocalEndpoint[] {
    return [...this.declared.values()].map(endpointOfDeclared);
  }

  addReference(subject: string, uri: string): void {
    const slot = this.resolves.slotOf(uri);
    if (slot >= 0) return this.referAgain(slot);
    this.resolveNew(this.resolves.add(uri, subject));
  }

  /** addReference for a URI known by its interned id (held by someone). */
  private addReferenceById(subject: string, uriId: number): void {
    const slot = this.resolves.slotOfId(uriId);
    if (slot >= 0) return this.referAgain(slot);
    this.resolveNew(this.resolves.addId(uriId, subject));
  }

  private referAgain(slot: number): void {
    const table = this.resolves;
    table.setRefs(slot, table.refsOf(slot) + 1);
    if (table.gcTimerOf(slot) !== NO_TIMER) {
      this.scheduler.cancel(table.gcTimerOf(slot));
      table.setGcTimer(slot, NO_TIMER);
    }
  }

  private resolveNew(slot: number): void {
    this.resolves.setRefs(slot, 1);
    this.sendResolve(slot);
  }

  removeReference(uri: string): void {
    const table = this.resolves;
    const slot = table.slotOf(uri);
    const refs = slot < 0 ? 0 : table.refsOf(slot);
    if (refs === 0) return;
    table.setRefs(slot, refs - 1);
    if (refs === 1 && table.gcTimerOf(slot) === NO_TIMER) table.setGcTimer(slot, this.scheduler.after(this.timers.gcDelayMs, this.collect, slot));
  }

  addEndpoint(endpoint: LocalEndpoint): void {
    // Its EPG's network known and no endpoint waiting: declared at once, as declareReady would.
    if (this.waiting === undefined) {
      const slot = this.resolves.slotOf(endpoint.epgUri);
      const network = slot >= 0 ? this.networkOf(endpoint.epgUri) : undefined;
      if (network !== undefined) {
        this.referAgain(slot);
        this.declare(endpoint, network);
        return;
      }
    }
    const waiting = (this.waiting ??= new Map());
    let group = waiting.get(endpoint.epgUri);
    if (!group) waiting.set(endpoint.epgUri, (group = new Map()));
    group.set(endpoint.uuid, endpoint);
    this.addReference('GbpEpGroup', endpoint.epgUri);
    this.declareReady();
  }

  removeEndpoint(uuid: string): void {
    for (const [epg, group] of this.waiting ?? []) {
      const waiting = group.get(uuid);
      if (!waiting) continue;
      group.delete(uuid);
      if (group.size === 0) this.stopWaiting(epg);
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
   * Runs `build` (adding references to `roots` and endpoints in them) as an agent that has been up for a while: every
   * resolve is answered at once from `seeding` and every declare registered there, with no message
   * sent; refresh timers run as after real answers.
   */
  seed(seeding: ProcessorSeeding, build: () => void, roots: readonly string[] = []): void {
    this.seeding = seeding;
    const memo = seeding.memo;
    if (memo) {
      // Exactly what `roots` lead to when the memo knows; else about what the last agent held.
      const size = memo.sizeOfClosure(this.uris, roots) ?? { resolves: memo.resolvesHint, objects: memo.objectsHint };
      this.resolves.reserve(size.resolves, memo.slab);
      this.store.reserve(size.objects, memo.slab);
      seeding.expect?.(size.resolves);
    }
    try {
      build();
      if (memo) {
        memo.resolvesHint = this.resolves.size;
        memo.objectsHint = this.store.size;
      }
    } finally {
      this.seeding = undefined;
      // The memo has an answer for every EPG of the node's pods by now; a map held per agent until
      // the store next changes (20,000 of them at XL) for answers worked out again in microseconds.
      this.networks = undefined;
      this.resolves.trim();
      this.store.trim();
      this.declared.fitToSize();
    }
  }

  /** A peer became ready: send it (and, as the reference agent does, every ready peer) the whole set. */
  resendAll(): void {
    const table = this.resolves;
    for (const slot of table.slotsInOrder()) if (table.isLive(slot) && table.refsOf(slot) > 0) this.sendResolve(slot);
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
    this.networks = undefined;
    for (const mo of item.replace) this.store.replace(mo);
    for (const mo of item.merge_children) this.store.mergeChildren(mo);
    const table = this.resolves;
    for (const d of item.delete) {
      const existed = this.store.delete(d.uri);
      const slot = table.slotOf(d.uri);
      if (slot >= 0) {
        table.setResolved(slot, false);
        table.setRefreshAt(slot, REFRESH_NOT_SCHEDULED);
      }
      if (existed) {
        this.trace.emit(this.actor, 'policy-deleted', { subject: d.subject, uri: d.uri });
        onDeleted(d.subject, d.uri);
      }
    }
    for (const mo of [...item.replace, ...item.merge_children]) {
      const slot = table.slotOf(mo.uri);
      if (slot < 0) continue;
      // A pushed object the agent asked for earlier (and got [] for) now counts as resolved.
      if (!table.isResolved(slot)) this.markResolved(slot);
      this.updateReferences(slot);
    }
    this.declareReady();
  }

  private markResolved(slot: number): void {
    const table = this.resolves;
    table.setResolved(slot, true);
    table.setAttempts(slot, 0);
    this.cancelRetry(slot);
    if (table.refreshAtOf(slot) === REFRESH_NOT_SCHEDULED) this.scheduleRefresh(slot);
    if (!this.seeding) this.trace.emit(this.actor, 'policy-resolved', { subject: table.subjectOf(slot), uri: table.uriOf(slot) });
  }

  private cancelRetry(slot: number): void {
    const timer = this.resolves.retryTimerOf(slot);
    if (timer === NO_TIMER) return;
    this.scheduler.cancel(timer);
    this.resolves.setRetryTimer(slot, NO_TIMER);
  }

  private sendResolve(slot: number): void {
    const table = this.resolves;
    const subject = table.subjectOf(slot);
    const uri = table.uriOf(slot);
    if (this.seeding) {
      const objects = this.seeding.resolve(subject, uri, table.uriIdOf(slot));
      if (objects.length > 0) return this.accept(slot, objects);
    } else {
      const params = [{ subject, policy_uri: uri, prr: this.timers.prrS }];
      const serial = table.serialOf(slot);
      this.broadcast('policy_repository', 'policy_resolve', params, (reply, from) => this.onResolveReply(slot, serial, reply, from));
    }
    this.cancelRetry(slot);
    if (!table.isResolved(slot)) {
      const base = this.timers.retryDelayS * 1000 * 2 ** Math.min(table.attemptsOf(slot), MAX_RETRY_EXPONENT);
      const delay = Math.min(base * this.random.uniform(0.9, 1.1), (this.timers.prrS * 1000) / 2);
      table.setRetryTimer(slot, this.scheduler.after(delay, this.retry, slot));
    }
  }

  /** A retry timer fired (timers are cancelled when their resolve goes, so the slot is the timer's own). */
  private readonly retry = (slot: number): void => {
    const table = this.resolves;
    table.setRetryTimer(slot, NO_TIMER);
    if (!table.isLive(slot) || table.isResolved(slot)) return;
    const attempt = table.attemptsOf(slot) + 1;
    table.setAttempts(slot, attempt);
    this.trace.emit(this.actor, 'policy-resolve-retry', { uri: table.uriOf(slot), attempt });
    this.sendResolve(slot);
  };

  private onResolveReply(slot: number, serial: number, reply: RpcResult | RpcErrorReply, from: string): void {
    // The resolve this request was for is gone (and the slot perhaps another's).
    if (!this.resolves.isLive(slot) || this.resolves.serialOf(slot) !== serial) return;
    const uri = this.resolves.uriOf(slot);
    if (reply.kind === 'error') {
      this.trace.emit(this.actor, 'policy-resolve-failed', { uri, code: reply.error.code });
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
      this.protocolError(from, `policy_resolve reply for ${JSON.stringify(uri)}: ${err.firstIssue}`, false);
      return;
    }
    if (this.fitsInStore(objects, 'policy_resolve reply', from)) this.accept(slot, objects);
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

  private accept(slot: number, objects: ManagedObject[]): void {
    const first = !this.resolves.isResolved(slot);
    // The same objects again (the other leaf's copy of the answer, or a resend): nothing changes.
    if (!first && objects.every((mo) => this.store.get(mo.uri) === mo)) return;
    this.networks = undefined;
    const memo = first ? this.seeding?.memo : undefined;
    const known = memo?.recall(this.uris, this.resolves.uriIdOf(slot), objects);
    // Another agent stored this answer: the memo knows its ids, its weight and what it references.
    if (known) this.store.addDisjoint(objects, known.objectIds, known.bytes);
    else for (const mo of objects) this.store.replace(mo);
    if (first) this.markResolved(slot);
    if (known) this.referRemembered(slot, known);
    else if (memo) this.seedReferences(slot, objects, memo);
    else this.updateReferences(slot);
    if (first && NETWORK_CLASSES.has(this.resolves.subjectOf(slot))) this.declareReady();
  }

  private scheduleRefresh(slot: number): void {
    const prrMs = this.timers.prrS * 1000;
    // Whole milliseconds, as the refresh timer's times.
    const at = Math.ceil(this.scheduler.now() + this.random.uniform(prrMs / 3, prrMs / 2));
    this.resolves.setRefreshAt(slot, at);
    if (this.refreshTimer === undefined || at < this.refreshTimerAtMs) {
      this.scheduler.cancel(this.refreshTimer);
      this.refreshTimer = this.scheduler.at(at, AgentProcessor.onRefreshTimer, this);
      this.refreshTimerAtMs = at;
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
    const table = this.resolves;
    const due: number[] = [];
    for (let slot = table.firstSlot; slot >= 0; slot = table.nextSlot(slot)) {
      const at = table.refreshAtOf(slot);
      if (at !== REFRESH_NOT_SCHEDULED && at <= now) due.push(slot);
    }
    // Sending resolves neither adds nor removes any (answers come later), so the slots stay these.
    for (const slot of due) {
      table.setRefreshAt(slot, REFRESH_NOT_SCHEDULED);
      if (table.refsOf(slot) === 0 || !table.isResolved(slot)) continue;
      this.sendResolve(slot);
      const prrMs = this.timers.prrS * 1000;
      table.setRefreshAt(slot, Math.ceil(now + this.random.uniform(prrMs / 3, prrMs / 2)));
    }
    let next = Infinity;
    for (let slot = table.firstSlot; slot >= 0; slot = table.nextSlot(slot)) {
      const at = table.refreshAtOf(slot);
      if (at !== REFRESH_NOT_SCHEDULED && at < next) next = at;
    }
    if (next !== Infinity) {
      this.refreshTimer = this.scheduler.at(next, AgentProcessor.onRefreshTimer, this);
      this.refreshTimerAtMs = next;
    }
  }

  private updateReferences(slot: number, subtree: readonly ManagedObject[] = this.store.subtree(this.resolves.uriOf(slot))): void {
    const table = this.resolves;
    const now = subtreeReferences(subtree);
    const before = table.referencesOf(slot);
    table.setReferences(slot, now);
    // Adding references can add resolves (the table may grow), never remove one: the slot stays.
    if (now) for (const ref of now) if (!before || !includesTarget(before, ref.reference_uri)) this.addReference(ref.subject, ref.reference_uri);
    if (before) for (const ref of before) if (!now || !includesTarget(now, ref.reference_uri)) this.removeReference(ref.reference_uri);
  }

  /** updateReferences for an answer no agent had stored in this steady start: the walk's findings are remembered. */
  private seedReferences(slot: number, answer: readonly ManagedObject[], memo: SeedingMemo): void {
    const table = this.resolves;
    const subtree = this.store.subtree(table.uriOf(slot));
    this.updateReferences(slot, subtree);
    memo.remember(this.uris, table.uriIdOf(slot), answer, subtree, table.referencesOf(slot), (uri) => this.uris.idOf(uri));
  }

  /** updateReferences for a new resolve whose answer the memo knows: the same references, added in the same order. */
  private referRemembered(slot: number, known: RememberedSubtree): void {
    this.resolves.setReferences(slot, known.references);
    const references = known.references;
    if (references) for (let i = 0; i < references.length; i++) this.addReferenceById(references[i]!.subject, known.targetIds[i]!);
  }

  /** A resolve's unresolve delay ran out (the timer is cancelled when a reference comes back). */
  private readonly collect = (slot: number): void => {
    const table = this.resolves;
    table.setGcTimer(slot, NO_TIMER);
    if (!table.isLive(slot) || table.refsOf(slot) > 0) return;
    const subject = table.subjectOf(slot);
    const uri = table.uriOf(slot);
    const targets = table.referencesOf(slot) ?? [];
    this.cancelRetry(slot);
    table.remove(slot);
    this.broadcast('policy_repository', 'policy_unresolve', [{ subject, policy_uri: uri }]);
    this.trace.emit(this.actor, 'policy-unresolved', { uri });
    this.networks = undefined;
    this.store.deleteRecursive(uri);
    for (const t of targets) this.removeReference(t.reference_uri);
  };

  // ---- Endpoints ------------------------------------------------------------------------------

  /** The bridge and routing domain URIs an EPG's network chain leads to, when all are known. */
  networkOf(epgUri: string): EndpointNetwork | undefined {
    const networks = (this.networks ??= new Map());
    if (networks.has(epgUri)) return networks.get(epgUri);
    const network = this.findNetwork(epgUri);
    networks.set(epgUri, network);
    return network;
  }

  private findNetwork(epgUri: string): EndpointNetwork | undefined {
    let uri = this.targetOf(relationUri(epgUri, 'GbpEpGroupToNetworkRSrc'));
    let bd: string | undefined;
    for (let hops = 0; uri && hops < 4; hops++) {
      const mo = this.store.get(uri);
      if (!mo) return undefined;
      if (mo.subject === 'GbpFloodDomain') uri = this.targetOf(relationUri(uri, 'GbpFloodDomainToNetworkRSrc'));
      else if (mo.subject === 'GbpBridgeDomain') {
        bd = uri;
        uri = this.targetOf(relationUri(uri, 'GbpBridgeDomainToNetworkRSrc'));
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

  private stopWaiting(epgUri: string): void {
    if (this.waiting?.delete(epgUri) && this.waiting.size === 0) this.waiting = undefined;
  }

  private declareReady(): void {
    for (const [epg, group] of this.waiting ?? []) {
      const network = this.networkOf(epg);
      if (!network) continue;
      this.stopWaiting(epg);
      for (const [uuid, endpoint] of group) this.declare(endpoint, network, uuid);
    }
  }

  /** `uuid`: the endpoint's, when the caller has it already (a getter may build it each time). */
  private declare(endpoint: LocalEndpoint, network: EndpointNetwork, uuid?: string): void {
    const declared = endpointObjects.objectsOf(endpoint, network);
    // A steady start declares each of its node's pods once.
    if (this.seeding) this.declared.add(declared);
    else this.declared.set(uuid ?? endpoint.uuid, declared);
    this.sendDeclare(declared);
    if (!this.seeding) this.trace.emit(this.actor, 'endpoint-ready', { endpoint: endpoint.name, ips: endpoint.ips.join(',') });
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

type NetworkRelation = 'GbpEpGroupToNetworkRSrc' | 'GbpFloodDomainToNetworkRSrc' | 'GbpBridgeDomainToNetworkRSrc';

/** Relation URIs remembered per relation class, at most this many each (then forgotten all at once). */
export const relationUrisRememberedMax = 65_536;
const relationUris = new Map<NetworkRelation, Map<string, string>>();

/**
 * The URI of an EPG's, flood domain's or bridge domain's network relation: every agent asks again for
 * each endpoint it declares after its store changed (a million pods at XL), and building the URI is
 * most of finding the network. Pure, so shared by every agent; bounded, since peers choose the URIs.
 */
function relationUri(parentUri: string, relation: NetworkRelation): string {
  let known = relationUris.get(relation);
  if (known === undefined) relationUris.set(relation, (known = new Map()));
  let uri = known.get(parentUri);
  if (uri === undefined) {
    if (known.size >= relationUrisRememberedMax) known.clear();
    known.set(parentUri, (uri = childUri(parentUri, relation)));
  }
  return uri;
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

/**
 * Objects in a resolve's subtree for what it references to be remembered under its root. Policy
 * subtrees are a handful of objects; remembering a peer's 10,000-object subtree for each of its
 * roots would hold memory quadratic in what the peer sent.
 */
export const subtreeObjectsSharedMax = 64;

/**
 * The last subtree seen under each root object and what it references: every agent that holds the
 * same objects under a resolved URI shares one (immutable) list instead of building its own.
 */
const referencesBySubtreeRoot = new WeakMap<ManagedObject, { subtree: readonly ManagedObject[]; references: readonly Reference[] | undefined }>();

/** What a resolve's subtree references, each target once, in order found; undefined for nothing. */
function subtreeReferences(subtree: readonly ManagedObject[]): readonly Reference[] | undefined {
  const root = subtree[0];
  if (root === undefined) return undefined;
  const known = referencesBySubtreeRoot.get(root);
  if (known && sameObjects(known.subtree, subtree)) return known.references;
  const found: Reference[] = [];
  for (const mo of subtree) {
    for (const ref of storedReferencesOf(mo)) if (!includesTarget(found, ref.reference_uri)) found.push(ref);
  }
  const references = found.length > 0 ? found : undefined;
  if (subtree.length <= subtreeObjectsSharedMax) referencesBySubtreeRoot.set(root, { subtree, references });
  else referencesBySubtreeRoot.delete(root);
  return references;
}

function sameObjects(a: readonly ManagedObject[], b: readonly ManagedObject[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reference lists are short (an object's subtree names a handful): a scan beats a Set. */
function includesTarget(refs: readonly Reference[], uri: string): boolean {
  for (let i = 0; i < refs.length; i++) if (refs[i]!.reference_uri === uri) return true;
  return false;
}

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}
