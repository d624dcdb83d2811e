/**
 * A leaf switch: its EPM endpoint table, its ODevs, its policy cache and the OpFlex proxy that
 * terminates agent sessions on its infra address. When the EPM sees an agent's device leave its
 * port (COOP bounce or a port move), the proxy tells that agent to delete its PlatformConfig, and
 * the device's ODev goes disconnected and is deleted later.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { ManagedObject } from '../model/managed-object.ts';
import { UriInterner } from '../model/uri-interner.ts';
import { SERVER_ROLES, type IdentityRequest, type IdentityResult, type PolicyUpdateItem } from '../opflex/message.ts';
import { declaredIp } from '../opflex/endpoint-objects.ts';
import { expiryMs, ProxySession, type IdentityRefusal, type ProxyBackend, type ResolveAnswer } from '../opflex/proxy-session.ts';
import type { KeepaliveTimers } from '../opflex/rpc-endpoint.ts';
import type { Faults, Latencies, Timers } from '../scenario/types.ts';
import { formatEndpoint, type Connection, type Listener, type Transport } from '../transport/transport.ts';
import type { Apic } from './apic.ts';
import type { CoopOracle, CoopSubscriber } from './coop.ts';
import { EndpointRegistry, type Registration } from './endpoint-registry.ts';
import type { RegistrationSlots } from './registration-slots.ts';
import { EndpointTable, type LocalEntry } from './endpoint-table.ts';
import type { FabricView, LeafAddress } from './fabric-view.ts';
import { DEFAULT_LEAF_LIMITS, type LeafLimits } from './leaf-limits.ts';
import { ipv4ToUint32, odevDn, vmmDomainParts, type Odev } from './odev.ts';
import { PolicyCache } from './policy-cache.ts';

export interface LeafDeps {
  scheduler: Scheduler;
  transport: Transport;
  trace: Trace;
  random: RandomStream;
  apic: Apic;
  coop: CoopOracle;
  fabric: FabricView;
  timers: Timers;
  latencies: Latencies;
  faults: Faults;
  downloadConcurrency: number;
  /** Its sessions' keepalive timers, one object for all of them (none: no keepalive). */
  keepalive: KeepaliveTimers | undefined;
  maxOutstandingPerSession: number;
  /** Bounds on what the leaf holds for all its peers; DEFAULT_LEAF_LIMITS where not given. */
  limits?: Partial<LeafLimits>;
  /** Seeds its sessions' subscription index hash (a stream of its own, so other draws are unchanged). */
  subscriptionHashSeed?: number;
  /**
   * Numbers the URIs its sessions subscribe: the twin's own in simulation (one table for all leaves
   * and agents); an interner of its own where not given, as a live leaf has (holding only what its
   * sessions subscribe).
   */
  uris?: UriInterner;
  /** Numbers the endpoints it registers: one table for both leaves of its pair; a table of its own where not given. */
  registrationSlots?: RegistrationSlots;
}

interface OdevDomainNames {
  domName: string;
  ctrlrName: string;
  vmmCtrlrPKey: string;
  /** An ODev's compHvDn is this and the node's name. */
  compHvDnPrefix: string;
}

interface OdevRecord {
  odev: Odev;
  retiring: boolean;
  timer: number | undefined;
}

/** Most subscriptions a new session's table makes room for before it has any (see acceptConnection). */
export const subscriptionRoomReservedMax = 1024;

export class Leaf implements ProxyBackend, CoopSubscriber {
  readonly name: string;
  readonly pair: string;
  readonly epm: EndpointTable;
  readonly cache: PolicyCache;
  private readonly sessions = new Set<ProxySession>();
  /** An array rather than a Set each: an agent has one or two sessions, a fabric tens of thousands of agents. */
  private readonly sessionsByAgent = new Map<string, ProxySession[]>();
  /** Sessions past their identity (those in sessionsByAgent). */
  private identifiedSessions = 0;
  /** Every endpoint registered on this leaf, by open sessions and left by closed ones. */
  readonly registry: EndpointRegistry;
  /** How many of this leaf's sessions subscribe to each object: the cache keeps what someone uses. */
  private readonly subscribers = new Map<string, { sessions: number }>();
  /** Subscriptions its sessions hold, all told (each one's add and removal pass countSubscriber): read for acceptConnection's room. */
  private subscriptionsHeld = 0;
  /** Numbers the URIs its sessions subscribe, so that their tables hold numbers rather than strings. */
  private readonly subscribedUris: UriInterner;
  private readonly odevs = new Map<string, OdevRecord>();
  private listener: Listener | undefined;
  private readonly d: LeafDeps;
  readonly limits: Readonly<LeafLimits>;

  constructor(readonly address: LeafAddress, deps: LeafDeps) {
    this.d = deps;
    this.limits = deps.limits ? { ...DEFAULT_LEAF_LIMITS, ...deps.limits } : DEFAULT_LEAF_LIMITS;
    this.name = address.name;
    this.pair = address.pair;
    this.subscribedUris = deps.uris ?? new UriInterner();
    this.registry = new EndpointRegistry(deps.registrationSlots);
    this.epm = new EndpointTable(this.name, deps.scheduler, deps.trace, deps.timers, {
      onLocalMovedAway: (key, previous, how) => this.onLocalMovedAway(key, previous, how),
    });
    this.cache = new PolicyCache(this.name, deps.scheduler, deps.trace, deps.apic, deps.random, {
      concurrency: deps.downloadConcurrency,
      serveLatency: deps.latencies.leafServeMs,
      gcDelayMs: deps.timers.leafPolicyGcDelayMs,
      inUse: (uri) => this.subscribers.has(uri),
    });
    deps.coop.attach(this);
    deps.apic.subscribePolicy((update) => this.onPolicyChanged(update));
  }

  get endpoint(): string {
    return formatEndpoint(this.address);
  }

  start(): void {
    this.listener = this.d.transport.listen({ host: this.address.host, port: this.address.port }, (c) => this.acceptConnection(c));
    this.d.scheduler.after(this.d.timers.prrIntervalMs, this.sweep);
  }

  stop(): void {
    this.listener?.close();
    for (const s of [...this.sessions]) s.close('leaf stopped');
  }

  /** The OpFlex proxy process stops (a restart's first half): its sessions end; EPM, ODevs and cache stay. */
  stopProxy(reason: string): void {
    this.listener?.close();
    this.listener = undefined;
    for (const s of [...this.sessions]) s.close(reason);
  }

  /** The OpFlex proxy listens again after `stopProxy` or `reload`. */
  startProxy(): void {
    this.listener ??= this.d.transport.listen({ host: this.address.host, port: this.address.port }, (c) => this.acceptConnection(c));
  }

  /**
   * The switch reloads: the proxy stops, and the EPM (local and bounce entries, its cache of remote
   * endpoints), the registered endpoints, the ODevs (withdrawn from APIC at once [assumption]) and the
   * policy cache are lost. `startProxy` brings it back after its boot time.
   */
  reload(): void {
    this.stopProxy('leaf reload');
    for (const e of this.epm.localEntries()) this.epm.removeLocal(e.key, 'leaf reload');
    this.epm.forgetLearned('leaf reload');
    this.registry.clear();
    for (const record of [...this.odevs.values()]) {
      this.d.scheduler.cancel(record.timer);
      this.odevs.delete(record.odev.dn);
      this.d.apic.deleteOdev(record.odev.dn);
    }
    this.cache.dropAll();
  }

  /**
   * Distinct URIs in the table its sessions' subscriptions are numbered by: its own sessions' on a
   * live leaf; in simulation the table is the twin's, shared with every leaf and agent.
   */
  get subscribedUriCount(): number {
    return this.subscribedUris.size;
  }

  /** Sessions currently open (any state). */
  openSessions(): readonly ProxySession[] {
    return [...this.sessions];
  }

  currentOdevs(): Odev[] {
    return [...this.odevs.values()].map((r) => ({ ...r.odev }));
  }

  declaredEndpoints(): { agent: string; subject: string; uri: string; ip: string | undefined }[] {
    return [...this.registry.values()].map((entry) => {
      const top = this.registry.objectsOf(entry)[0]!;
      return { agent: this.registry.agentOf(entry), subject: top.subject, uri: top.uri, ip: declaredIp(top) };
    });
  }

  /**
   * A new agent connection. Its session's subscription table starts with room for as many as this
   * leaf's sessions hold on average: an agent arriving after a migration subscribes to a hundred
   * or more objects at once, and growing the table there step by step made each step's typed arrays
   * anew (a fifth of a second of XL's run).
   */
  private acceptConnection(connection: Connection): void {
    const others = this.sessions.size;
    const session = this.accept(connection);
    if (others > 0) session.subscriptions.reserve(Math.min(Math.ceil(this.subscriptionsHeld / others), subscriptionRoomReservedMax));
  }

  private accept(connection: Connection, keepalivePhaseMs?: number): ProxySession {
    const session = new ProxySession(connection, this.d.scheduler, this, {
      keepalive: this.d.keepalive,
      maxOutstanding: this.d.maxOutstandingPerSession,
      keepalivePhaseMs,
      subscribedUris: this.subscribedUris,
      ...(this.d.subscriptionHashSeed !== undefined ? { subscriptionHashSeed: this.d.subscriptionHashSeed } : {}),
    });
    this.sessions.add(session);
    return session;
  }

  // ---- Steady start: the state a leaf has after serving its agents for a while ----------------

  /**
   * Makes room for what a steady start is about to give this leaf: `registrations` declared endpoint
   * lists on its pair and `endpoints` addresses its EPM learns, so its tables are made at their size
   * instead of doubled there step by step.
   */
  reserveSeeded(registrations: number, endpoints: number): void {
    this.registry.reserve(registrations);
    this.epm.reserve(endpoints);
  }

  /** The node's device is on its port and known to COOP (no GARP, no COOP update). */
  seedDevice(node: string): void {
    const ip = this.d.fabric.infraIpOf(node);
    const location = this.d.fabric.locateNode(node);
    if (!ip || !location || location.pair !== this.pair) return;
    this.epm.learnLocal(ip, location.path, node, true);
    this.d.coop.seed(ip, this.pair);
  }

  /** An agent session past its handshake on an already-open connection, with its ODev connected. */
  seedSession(connection: Connection, identity: IdentityRequest, keepalivePhaseMs: number): ProxySession {
    const session = this.accept(connection, keepalivePhaseMs);
    session.adoptIdentity(identity);
    this.registerReady(session);
    this.createOdev(session);
    return session;
  }

  /**
   * The session subscribes to an object the leaf holds (filling its cache from `policySubtree`);
   * returns the leaf's answer ([] when unknown). `uriId` is the URI's number in `idsOf`, taken as it
   * is when the leaf numbers by the same table (the simulation's).
   */
  seedSubscription(session: ProxySession, subject: string, uri: string, prrS: number, policySubtree: (uri: string) => ManagedObject[], uriId = -1, idsOf?: UriInterner): ManagedObject[] {
    if (session.subscribe(uri, prrS, idsOf === this.subscribedUris ? uriId : -1)) this.countSubscriber(uri, 1);
    return this.cache.seed(subject, uri, policySubtree);
  }

  /** The session has declared these endpoint objects: registered, learned locally, known to COOP. */
  seedEndpoint(session: ProxySession, objects: ManagedObject[], prrS: number): void {
    this.register(session, objects, prrS, true, 0);
  }

  /** One trace event summarising what a steady start gave this leaf (whose tables are then at their size). */
  reportSeeded(): void {
    this.registry.fitToSize();
    this.d.trace.emit(this.name, 'steady-state', {
      sessions: this.sessions.size,
      endpoints: this.registry.size,
      policies: this.cache.presentUris().length,
      odevs: this.odevs.size,
    });
  }

  // ---- ProxyBackend -------------------------------------------------------------------------

  identify(session: ProxySession, request: IdentityRequest): IdentityResult | IdentityRefusal {
    const refused = session.state === 'awaiting-identity' ? this.admissionRefusal(request.name) : undefined;
    if (refused !== undefined) {
      this.d.trace.emit(this.name, 'session-refused', { agent: request.name, session: session.id, reason: refused });
      return { error: refused, close: true };
    }
    if (request.domain !== this.d.fabric.domain) {
      this.d.trace.emit(this.name, 'identity-domain-mismatch', { agent: request.name, domain: request.domain });
    }
    return {
      name: this.endpoint,
      domain: this.d.fabric.domain,
      your_location: `topology/pod-${this.d.fabric.podOfPair(this.pair)}/node-${this.address.id}`,
      data: {},
      my_role: [...SERVER_ROLES],
      peers: this.d.fabric.leavesOfPair(this.pair).map((l) => ({ role: [...SERVER_ROLES], connectivity_info: formatEndpoint(l) })),
    };
  }

  /** Why a new session under this name may not be identified, or undefined; the sessions already open are not touched. */
  private admissionRefusal(agent: string): string | undefined {
    const { sessionsPerLeafMax, sessionsPerAgentMax } = this.limits;
    if (this.identifiedSessions >= sessionsPerLeafMax) return `${this.name} already holds ${this.identifiedSessions} sessions (sessionsPerLeafMax ${sessionsPerLeafMax})`;
    const same = this.sessionsByAgent.get(agent)?.length ?? 0;
    if (same >= sessionsPerAgentMax) return `${this.name} already holds ${same} sessions of "${agent}" (sessionsPerAgentMax ${sessionsPerAgentMax})`;
    return undefined;
  }

  onReady(session: ProxySession): void {
    this.registerReady(session);
    const delay = this.d.random.sample(this.d.latencies.odevCreateMs) + this.d.faults.odevCreateExtraDelayMs;
    this.d.scheduler.after(delay, this.createOdev, session);
  }

  private registerReady(session: ProxySession): void {
    const agent = session.agentName;
    const sessions = this.sessionsByAgent.get(agent);
    if (!sessions) this.sessionsByAgent.set(agent, [session]);
    else if (!sessions.includes(session)) sessions.push(session);
    this.identifiedSessions++;
    this.d.trace.emit(this.name, 'session-ready', { agent, session: session.id });
  }

  onClosed(session: ProxySession, reason: string): void {
    this.sessions.delete(session);
    const agent = session.agentName;
    const sessions = this.sessionsByAgent.get(agent);
    const at = sessions?.indexOf(session) ?? -1;
    if (at >= 0) {
      sessions!.splice(at, 1);
      this.identifiedSessions--;
      if (sessions!.length === 0) this.sessionsByAgent.delete(agent);
    }
    // Its registrations stay until they are replaced or expire, first in line to be evicted.
    this.registry.sessionClosed(session.id);
    for (const uri of session.subscriptions.keys()) this.countSubscriber(uri, -1);
    session.subscriptions.clear();
    this.cache.abandon(session);
    this.d.trace.emit(this.name, 'session-closed', { agent, session: session.id, reason });
    if (!this.sessionsByAgent.has(agent)) {
      for (const record of this.odevs.values()) if (record.odev.hostName === agent) this.retireOdev(record);
    }
  }

  onSubscribed(_session: ProxySession, uri: string): void {
    this.countSubscriber(uri, 1);
  }

  resolvePolicy(session: ProxySession, subject: string, uri: string, done: (answer: ResolveAnswer) => void): void {
    this.cache.resolve(subject, uri, session, session.agentName, done);
  }

  unresolvePolicy(_session: ProxySession, uri: string): void {
    this.countSubscriber(uri, -1);
  }

  private countSubscriber(uri: string, delta: 1 | -1): void {
    this.subscriptionsHeld = Math.max(0, this.subscriptionsHeld + delta);
    // A count in a box: a new subscriber of a URI already subscribed (a steady start's five million) is one lookup.
    const count = this.subscribers.get(uri);
    if (count === undefined) {
      if (delta > 0) this.subscribers.set(uri, { sessions: 1 });
      else this.cache.release(uri);
      return;
    }
    count.sessions += delta;
    if (count.sessions > 0) return;
    this.subscribers.delete(uri);
    this.cache.release(uri);
  }

  declareEndpoint(session: ProxySession, objects: ManagedObject[], prrS: number, chars: number): string | undefined {
    return this.register(session, objects, prrS, false, chars);
  }

  /**
   * Why the session may not declare this endpoint, or undefined. An infrastructure address (a
   * node's VTEP) or a scenario pod's address only by its node, an address this leaf learned for
   * another node's device not at all: otherwise one agent could move another's EPM entry or COOP
   * owner (even on another leaf pair, where this leaf's EPM knows nothing of the address).
   */
  private declareRefusal(session: ProxySession, uri: string, ip: string | undefined, replacing: Registration | undefined, chars: number): string | undefined {
    const agent = session.agentName;
    const own = this.registry.ofSession(session.id);
    const mine = replacing !== undefined && this.registry.sessionOf(replacing) === session.id;
    const { endpointsPerSessionMax, declaredCharsPerSessionMax } = session.limits;
    if (!mine && own.endpoints >= endpointsPerSessionMax) return this.refuseDeclare(session, uri, ip, `More than ${endpointsPerSessionMax} endpoints registered by this session (endpointsPerSessionMax)`);
    if (own.chars - (mine ? this.registry.charsOf(replacing) : 0) + chars > declaredCharsPerSessionMax) {
      return this.refuseDeclare(session, uri, ip, `More than ${declaredCharsPerSessionMax} characters of endpoints registered by this session (declaredCharsPerSessionMax)`);
    }
    if (ip === undefined) return undefined;
    const infraOwner = this.d.fabric.nodeOfInfraIp(ip);
    if (infraOwner !== undefined && infraOwner !== agent) return this.refuseDeclare(session, uri, ip, `${ip} is the infrastructure address of ${infraOwner}: only ${infraOwner} may declare it`, infraOwner);
    const podOwner = this.d.fabric.nodeOfPodIp(ip);
    if (podOwner !== undefined && podOwner !== agent) return this.refuseDeclare(session, uri, ip, `${ip} is the address of a pod on ${podOwner}: only ${podOwner} may declare it`, podOwner);
    const entry = this.epm.get(ip);
    if (entry?.kind === 'local' && entry.node !== agent) return this.refuseDeclare(session, uri, ip, `${ip} is learned on ${this.name} for ${entry.node}: ${agent} may not declare it`, entry.node);
    return undefined;
  }

  private refuseDeclare(session: ProxySession, uri: string, ip: string | undefined, why: string, owner?: string): string {
    this.d.trace.emit(this.name, 'endpoint-declare-refused', { agent: session.agentName, session: session.id, uri, ...(ip !== undefined ? { ip } : {}), ...(owner !== undefined ? { owner } : {}), reason: why });
    return why;
  }

  /**
   * Makes room on this leaf for the registration of `uri` (`chars` of text) by evicting what closed
   * sessions left, oldest first; or, when even evicting all of it would not be enough, evicts
   * nothing and says why the declare is refused.
   */
  private makeRoom(session: ProxySession, uri: string, ip: string | undefined, previous: Registration | undefined, chars: number): string | undefined {
    const { registrationsPerLeafMax, declaredCharsPerLeafMax } = this.limits;
    const registry = this.registry;
    const previousChars = previous === undefined ? 0 : registry.charsOf(previous);
    // Every declare asks (agents renew each endpoint periodically): no closure until room is short.
    if (registry.size + (previous === undefined ? 1 : 0) <= registrationsPerLeafMax && registry.chars - previousChars + chars <= declaredCharsPerLeafMax) return undefined;
    // The registration this one replaces is never evicted for it: it goes anyway.
    const previousClosed = previous !== undefined && !registry.isOpen(previous);
    const endpointsAfter = () => registry.size + (previous !== undefined ? 0 : 1);
    const charsAfter = () => registry.chars - previousChars + chars;
    const fits = () => endpointsAfter() <= registrationsPerLeafMax && charsAfter() <= declaredCharsPerLeafMax;
    const evictable = registry.closedEndpoints - (previousClosed ? 1 : 0);
    const evictableChars = registry.closedChars - (previousClosed ? previousChars : 0);
    if (endpointsAfter() - evictable > registrationsPerLeafMax) {
      return this.refuseDeclare(session, uri, ip, `${this.name} holds ${registry.size} endpoints registered by open sessions or left by closed ones, at most ${registrationsPerLeafMax} (registrationsPerLeafMax)`);
    }
    if (charsAfter() - evictableChars > declaredCharsPerLeafMax) {
      return this.refuseDeclare(session, uri, ip, `${this.name} holds ${registry.chars} characters of registered endpoints, at most ${declaredCharsPerLeafMax} (declaredCharsPerLeafMax)`);
    }
    let victim = registry.oldestOfClosedSessions();
    while (!fits()) {
      if (victim === previous) victim = registry.newerThan(victim!);
      const next = registry.newerThan(victim!);
      this.evict(victim!, endpointsAfter() > registrationsPerLeafMax ? 'registrationsPerLeafMax' : 'declaredCharsPerLeafMax');
      victim = next;
    }
    return undefined;
  }

  /** Gives up a registration its closed session left, with the EPM entry it taught (as an undeclare would). */
  private evict(entry: Registration, bound: string): void {
    const top = this.registry.objectsOf(entry)[0]!;
    const agent = this.registry.agentOf(entry);
    const sessionId = this.registry.sessionOf(entry);
    this.registry.deleteAt(entry);
    this.d.trace.emit(this.name, 'endpoint-evicted', { agent, session: sessionId, uri: top.uri, bound });
    const ip = declaredIp(top);
    const learned = ip === undefined ? undefined : this.epm.get(ip);
    if (learned?.kind === 'local' && learned.node === agent) this.epm.removeLocal(ip!, 'evicted');
  }

  /**
   * `seeded`: the fabric's state before the run, so no trace event and COOP knows it already.
   * `objectChars`: the objects' text as textChars counts it (0 for a steady start's, which is not counted).
   */
  private register(session: ProxySession, objects: ManagedObject[], prrS: number, seeded: boolean, objectChars: number): string | undefined {
    const top = objects[0];
    if (!top) return undefined;
    const ip = declaredIp(top);
    const agent = session.agentName;
    const slot = this.registry.slotOfDeclared(top);
    const previous = this.registry.heldAt(slot);
    const previousSession = previous === undefined ? undefined : this.registry.sessionOf(previous);
    // Counted as textChars(objects, declaredCharsPerSessionMax) would: exactly, or Infinity past the bound.
    const chars = objectChars > session.limits.declaredCharsPerSessionMax ? Infinity : objectChars;
    if (!seeded) {
      const refused = this.declareRefusal(session, top.uri, ip, previous, chars) ?? this.makeRoom(session, top.uri, ip, previous, chars);
      if (refused !== undefined) return refused;
    }
    // The registry is as it was when `slot` was read (makeRoom evicts only other registrations).
    this.registry.setAt(slot, agent, session.id, objects, expiryMs(this.d.scheduler.now(), prrS), chars);
    if (previousSession !== session.id && !seeded) this.d.trace.emit(this.name, 'endpoint-declared', { agent, subject: top.subject, uri: top.uri, session: session.id });
    if (ip === undefined) return undefined;
    const location = this.d.fabric.locateNode(agent);
    // A declare reaching this leaf from a node that is no longer behind it (the agent is stuck on
    // the old pair) registers the endpoint but teaches the EPM nothing.
    if (!location || location.pair !== this.pair) return undefined;
    if (seeded) {
      this.epm.learnLocal(ip, location.path, agent, true);
      this.d.coop.seed(ip, this.pair);
    } else if (this.epm.learnLocal(ip, location.path, agent)) this.d.coop.report(ip, this.pair);
    return undefined;
  }

  undeclareEndpoint(session: ProxySession, _subject: string, uri: string): void {
    const entry = this.registry.get(uri);
    if (entry === undefined) return;
    const owner = this.registry.agentOf(entry);
    if (owner !== session.agentName) {
      // Only the agent that declared an endpoint takes it back (it may have reconnected since).
      this.d.trace.emit(this.name, 'endpoint-undeclare-refused', { agent: session.agentName, session: session.id, uri, owner });
      return;
    }
    const top = this.registry.objectsOf(entry)[0]!;
    this.registry.deleteAt(entry);
    this.d.trace.emit(this.name, 'endpoint-undeclared', { agent: session.agentName, uri });
    const ip = declaredIp(top);
    if (ip !== undefined) this.epm.removeLocal(ip, 'undeclared');
  }

  resolveEndpoint(_session: ProxySession, _subject: string, uri: string): ManagedObject[] {
    const entry = this.registry.get(uri);
    return entry === undefined ? [] : this.registry.objectsOf(entry);
  }

  // ---- Fabric events ---------------------------------------------------------------------------

  /** The node's GARP/RARP reached this leaf: learn its infra address on the node's current path. */
  learnDevice(node: string): void {
    const ip = this.d.fabric.infraIpOf(node);
    const location = this.d.fabric.locateNode(node);
    if (!ip || !location || location.pair !== this.pair) return;
    if (this.epm.learnLocal(ip, location.path, node)) this.d.coop.report(ip, this.pair);
  }

  /** APIC policy changed: refresh what this leaf holds and push the change to subscribed sessions. */
  private onPolicyChanged(update: PolicyUpdateItem): void {
    const changed = [...update.replace.map((m) => m.uri), ...update.merge_children.map((m) => m.uri), ...update.delete.map((d) => d.uri)];
    this.cache.refresh(changed, (uri) => this.d.apic.policy.subtree(uri));
    for (const session of this.sessions) {
      if (session.pushPolicyUpdate(update)) this.d.trace.emit(this.name, 'policy-update-sent', { agent: session.agentName, session: session.id });
    }
  }

  onEndpointMoved(key: string, toPair: string): void {
    this.epm.installBounce(key, toPair);
  }

  private onLocalMovedAway(key: string, previous: LocalEntry, how: 'bounce' | 'port-moved'): void {
    if (this.d.fabric.infraIpOf(previous.node) !== key) return;
    // The device of an agent left the port: its ODev on that path retires and the proxy tells the
    // agent to drop its PlatformConfig.
    this.d.trace.emit(this.name, 'device-moved', { node: previous.node, how, path: previous.path });
    for (const record of this.odevs.values()) {
      if (record.odev.hostName === previous.node && record.odev.fabricPathDn === previous.path) this.retireOdev(record);
    }
    const sessions = this.sessionsByAgent.get(previous.node);
    if (!sessions) return;
    for (const session of sessions) {
      const delay = this.d.random.sample(this.d.latencies.proxyReactionMs) + this.d.fabric.faultsFor(previous.node).platformConfigDeleteExtraDelayMs;
      this.d.scheduler.after(delay, this.sendPlatformConfigDelete, session);
    }
  }

  private readonly sendPlatformConfigDelete = (session: ProxySession): void => {
    if (session.state !== 'ready') return;
    if (this.d.fabric.faultsFor(session.agentName).platformConfigDeleteMissed) {
      this.d.trace.emit(this.name, 'platform-config-delete-missed', { agent: session.agentName });
      return;
    }
    session.sendPolicyUpdate({ replace: [], merge_children: [], delete: [{ subject: 'PlatformConfig', uri: this.d.fabric.platformConfigUri }] });
    this.d.trace.emit(this.name, 'platform-config-delete-sent', { agent: session.agentName, session: session.id });
  };

  // ---- ODevs -----------------------------------------------------------------------------------

  private readonly createOdev = (session: ProxySession): void => {
    if (session.state !== 'ready') return;
    const node = session.agentName;
    const location = this.d.fabric.locateNode(node);
    const ip = this.d.fabric.infraIpOf(node);
    if (!location || location.pair !== this.pair || !ip) return;
    const devId = ipv4ToUint32(ip);
    const dn = odevDn(this.d.fabric.podOfPair(this.pair), this.address.id, location.path.replace(/^.*pathep-\[(.*)\]$/, '$1'), devId);
    const existing = this.odevs.get(dn);
    if (existing?.timer !== undefined) this.d.scheduler.cancel(existing.timer);
    const { domName, ctrlrName, vmmCtrlrPKey, compHvDnPrefix } = this.vmmDomain();
    const pairLeaves = this.d.fabric.leavesOfPair(this.pair);
    const odev: Odev = {
      dn,
      devId,
      id: devId,
      ip,
      mac: this.d.fabric.macOf(node) ?? '',
      hostName: node,
      uuid: node,
      devType: 'k8s',
      domName,
      ctrlrName,
      compHvDn: compHvDnPrefix + node,
      vmmCtrlrPKey,
      fabricPathDn: location.path,
      leafId: this.address.id,
      isSecondary: pairLeaves.findIndex((l) => l.name === this.name) === 1,
      state: 'connected',
      operSt: 'online',
      hbStatus: 'valid-dvs',
      transitionStatus: 'attached',
      modTs: this.d.scheduler.now(),
    };
    this.odevs.set(dn, { odev, retiring: false, timer: undefined });
    this.d.trace.emit(this.name, 'odev-connected', { node, dn, fabricPathDn: location.path, isSecondary: odev.isSecondary });
    this.d.apic.upsertOdev(odev);
  };

  private odevDomain: OdevDomainNames | undefined;

  /** The VMM domain's names every ODev carries, made once: each ODev holds the same strings rather than copies. */
  private vmmDomain(): OdevDomainNames {
    if (this.odevDomain === undefined) {
      const { provider, domName, ctrlrName } = vmmDomainParts(this.d.fabric.domain);
      this.odevDomain = {
        domName,
        ctrlrName,
        vmmCtrlrPKey: `uni/vmmp-${provider}/dom-${domName}/ctrlr-${ctrlrName}`,
        compHvDnPrefix: `comp/prov-${provider}/ctrlr-[${domName}]-${ctrlrName}/hv-`,
      };
    }
    return this.odevDomain;
  }

  private retireOdev(record: OdevRecord): void {
    if (record.retiring) return;
    record.retiring = true;
    record.timer = this.d.scheduler.after(this.d.random.sample(this.d.latencies.odevDisconnectMs), this.disconnectOdev, record);
  }

  private readonly disconnectOdev = (record: OdevRecord): void => {
    if (this.odevs.get(record.odev.dn) !== record) return;
    record.odev.state = 'disconnected';
    record.odev.operSt = 'offline';
    record.odev.modTs = this.d.scheduler.now();
    this.d.trace.emit(this.name, 'odev-disconnected', { node: record.odev.hostName, dn: record.odev.dn, fabricPathDn: record.odev.fabricPathDn });
    this.d.apic.upsertOdev(record.odev);
    record.timer = this.d.scheduler.after(this.d.random.sample(this.d.latencies.odevDeleteMs), this.deleteOdev, record);
  };

  private readonly deleteOdev = (record: OdevRecord): void => {
    if (this.odevs.get(record.odev.dn) !== record) return;
    this.odevs.delete(record.odev.dn);
    this.d.trace.emit(this.name, 'odev-deleted', { node: record.odev.hostName, dn: record.odev.dn, fabricPathDn: record.odev.fabricPathDn });
    this.d.apic.deleteOdev(record.odev.dn);
  };

  // ---- Periodic upkeep -------------------------------------------------------------------------

  private readonly sweep = (): void => {
    const now = this.d.scheduler.now();
    for (const session of this.sessions) {
      for (const uri of session.expireSubscriptions()) this.countSubscriber(uri, -1);
    }
    const registry = this.registry;
    // Agents renew their declarations well within their lifetime: most sweeps find none expired.
    if (registry.earliestExpiryMs() <= now) this.expireRegistrations(now);
    this.d.scheduler.after(this.d.timers.prrIntervalMs, this.sweep);
  };

  private expireRegistrations(now: number): void {
    const registry = this.registry;
    // By slot, the URI read only of those that expire (the agent's objects make theirs when asked).
    for (const entry of registry.values()) {
      if (registry.expiresAtMsOf(entry) > now) continue;
      const agent = registry.agentOf(entry);
      const top = registry.objectsOf(entry)[0]!;
      registry.deleteAt(entry);
      this.d.trace.emit(this.name, 'endpoint-expired', { agent, uri: top.uri });
      const ip = declaredIp(top);
      if (ip !== undefined) this.epm.removeLocal(ip, 'declaration expired');
    }
  }
}
