/**
 * The opflex-agent's connection side (libopflex OpflexPool / OpflexPEHandler), as observed in
 * reference/agent-reset-observed.md: identity first on every connection; the identity reply's peer
 * list is followed (listed peers are added and connected, a connection not listed is closed for
 * good); health is DOWN / DEGRADED / HEALTHY over the pool; a lost connection is retried, one
 * queued peer per pacing tick; a learned peer that keeps failing is given up and the configured
 * peers are re-added; a PlatformConfig delete or a reset.conf change (outside reset-wait-delay)
 * closes every learned peer and falls back to the configured ones.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler, TimerHandle } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { UriInterner } from '../model/uri-interner.ts';
import { formatEndpoint, type Connection, type Endpoint, type Transport } from '../transport/transport.ts';
import { AgentProcessor, type LocalEndpoint, type ProcessorSeeding } from './agent-processor.ts';
import { readIdentityReply } from './identity-reply.ts';
import { makeRawId, SERVER_ROLES, type IdentityRequest, type OpflexRole, type RpcErrorReply, type RpcRequest, type RpcResult } from './message.ts';
import { RpcEndpoint, type KeepaliveTimers, type RpcEndpointEvents } from './rpc-endpoint.ts';

export type AgentHealth = 'DOWN' | 'DEGRADED' | 'HEALTHY';
export type ResetPath = 'platform-config-delete' | 'reset-conf';

export interface AgentConfig {
  name: string;
  domain: string;
  mac: string;
  configuredPeers: Endpoint[];
  /** `opflex.timers.prr`, seconds. */
  prrS: number;
  /** `opflex.timers.policy-retry-delay`, seconds. */
  retryDelayS: number;
  /** `opflex.timers.reset-wait-delay`, seconds. */
  resetWaitDelayS: number;
  keepalive: KeepaliveTimers | undefined;
  handshakeTimeoutMs: number;
  reconnectPacingMs: number;
  /** The PlatformConfig URI of the agent's domain (what DomainConfig references). */
  platformConfigUri: string;
  /** The agent's file-based event notification of a PlatformConfig delete (opflex #644), read by the host-agent. */
  onPlatformConfigDeleted?: () => void;
  /** URI numbering shared with the other agents of a twin (one of its own without). */
  uris?: UriInterner;
}

type PeerState = 'connecting' | 'handshaking' | 'ready' | 'closed';

interface Peer {
  key: string;
  endpoint: Endpoint;
  configured: boolean;
  state: PeerState;
  rpc: RpcEndpoint | undefined;
  /** Connect or handshake failures in a row. */
  failures: number;
  /** Closed on purpose (redirect, reset, give-up): no reconnect. */
  removed: boolean;
  opened: boolean;
  /** Never changed in place (replaced), so peers with the same roles share one set. */
  roles: ReadonlySet<OpflexRole>;
  handshakeTimer: TimerHandle | undefined;
}

/** Routes one peer's connection events to its agent (an object per peer rather than three closures). */
class PeerEvents implements RpcEndpointEvents {
  constructor(
    private readonly agent: OpflexAgent,
    private readonly peer: Peer,
  ) {}

  onOpen(): void {
    this.agent.peerOpened(this.peer);
  }

  onRequest(request: RpcRequest): void {
    this.agent.peerRequest(this.peer, request);
  }

  onClose(reason: string): void {
    this.agent.peerClosed(this.peer, reason);
  }
}

const MAX_PEERS = 64;
const NO_ROLE: ReadonlySet<OpflexRole> = new Set();
const EVERY_SERVER_ROLE: ReadonlySet<OpflexRole> = new Set(SERVER_ROLES);

/** A peer's roles as its identity reply lists them; the usual answer (every server role) is one shared set. */
function rolesOf(listed: readonly OpflexRole[]): ReadonlySet<OpflexRole> {
  const roles = new Set(listed);
  if (roles.size === EVERY_SERVER_ROLE.size && SERVER_ROLES.every((r) => roles.has(r))) return EVERY_SERVER_ROLE;
  return roles;
}
/** Placeholder until the RpcEndpoint attaches itself, right after connect() returns. */
const UNATTACHED = { onOpen() {}, onMessage() {}, onClose() {} };
const GIVE_UP_AFTER_FAILURES = 3;
const FIRST_TICK_MS = 250;

export class OpflexAgent {
  readonly processor: AgentProcessor;
  readonly actor: string;
  private readonly pool = new Map<string, Peer>();
  private readonly retryQueue: Peer[] = [];
  private retryTimer: TimerHandle | undefined;
  private lastRetryMs = -Infinity;
  private location = '';
  private healthState: AgentHealth = 'DOWN';
  private xid = 1n << 63n;
  private lastResetMs = 0;
  /** libopflex sends my_location once a location was ever set (an empty string after a reset). */
  private hasLearnedLocation = false;
  private started = false;
  private stopped = false;

  constructor(
    readonly config: AgentConfig,
    private readonly scheduler: Scheduler,
    private readonly transport: Transport,
    private readonly trace: Trace,
    private readonly random: RandomStream,
  ) {
    this.actor = `agent:${config.name}`;
    this.processor = new AgentProcessor(
      this.actor,
      scheduler,
      trace,
      random,
      { prrS: config.prrS, retryDelayS: config.retryDelayS, gcDelayMs: 250 },
      this.broadcast.bind(this),
      this.protocolError.bind(this),
      config.uris,
    );
  }

  get health(): AgentHealth {
    return this.healthState;
  }

  /** Peers in the pool with their state, for status pages and tests. */
  peers(): { peer: string; configured: boolean; state: PeerState }[] {
    return [...this.pool.values()].map((p) => ({ peer: p.key, configured: p.configured, state: p.state }));
  }

  readyPeers(): string[] {
    return [...this.pool.values()].filter((p) => p.state === 'ready').map((p) => p.key);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.lastResetMs = this.scheduler.now();
    this.trace.emit(this.actor, 'agent-start', { peers: this.config.configuredPeers.map(formatEndpoint).join(',') });
    for (const endpoint of this.config.configuredPeers) this.addPeer(endpoint, true);
    // DomainConfig's reference to the PlatformConfig: the first thing the agent resolves.
    this.processor.addReference('PlatformConfig', this.config.platformConfigUri);
    // The reference agent's processor first runs 250 or 500 ms after start (observed bimodal), by
    // when both leaves are usually ready: bootstrap sends each request once per leaf.
    this.scheduler.after(this.random.next() < 0.5 ? FIRST_TICK_MS : 2 * FIRST_TICK_MS, OpflexAgent.firstProcessorTick, this);
  }

  private processing = false;

  /**
   * Takes up the state of an agent that has been running for a while (steady start): already
   * redirected, ready on `peers` over their open connections, `location` learned, every reference
   * and endpoint resolved and declared through `seeding`. Sends nothing; keepalives and refreshes
   * run from here on as usual. Its last reset lies before the run, so reset-wait-delay suppresses
   * nothing at first.
   */
  seed(peers: { endpoint: Endpoint; connection: Connection; keepalivePhaseMs: number }[], location: string, endpoints: readonly LocalEndpoint[], seeding: ProcessorSeeding): void {
    if (this.started) throw new Error(`${this.actor} already started`);
    this.started = true;
    this.processing = true;
    this.lastResetMs = -Infinity;
    this.location = location;
    this.hasLearnedLocation = true;
    for (const { endpoint, connection, keepalivePhaseMs } of peers) {
      const key = formatEndpoint(endpoint);
      const peer: Peer = {
        key, endpoint, configured: false, state: 'ready', rpc: undefined, failures: 0, removed: false, opened: true,
        roles: EVERY_SERVER_ROLE, handshakeTimer: undefined,
      };
      this.pool.set(key, peer);
      peer.rpc = new RpcEndpoint(connection, this.scheduler, new PeerEvents(this, peer), { keepalive: this.config.keepalive, keepalivePhaseMs });
    }
    const roots = [this.config.platformConfigUri, ...new Set(endpoints.map((e) => e.epgUri))];
    this.processor.seed(
      seeding,
      () => {
        this.processor.addReference('PlatformConfig', this.config.platformConfigUri);
        for (const endpoint of endpoints) this.processor.addEndpoint(endpoint);
      },
      roots,
    );
    this.updateHealth();
    this.trace.emit(this.actor, 'agent-steady', {
      peers: [...this.pool.keys()].join(','),
      resolved: this.processor.resolvedCount,
      endpoints: this.processor.declaredCount,
    });
  }

  /** What the agent says in send_identity. */
  identity(): IdentityRequest {
    return {
      proto_version: '1.0',
      name: this.config.name,
      domain: this.config.domain,
      ...(this.hasLearnedLocation ? { my_location: this.location } : {}),
      my_role: ['policy_element'],
      data: { mac: this.config.mac, features: ['anycastFallback'] },
    };
  }

  private static readonly firstProcessorTick = (agent: OpflexAgent): void => {
    agent.processing = true;
    if (!agent.stopped) agent.processor.resendAll();
  };

  stop(): void {
    this.stopped = true;
    this.scheduler.cancel(this.retryTimer);
    for (const peer of [...this.pool.values()]) this.removePeer(peer, 'agent stopped');
  }

  addEndpoint(endpoint: LocalEndpoint): void {
    this.processor.addEndpoint(endpoint);
  }

  removeEndpoint(uuid: string): void {
    this.processor.removeEndpoint(uuid);
  }

  /** reset.conf was created, changed or deleted in a watched config directory. */
  onResetFileChanged(): void {
    this.trace.emit(this.actor, 'reset-conf-changed', {});
    const sinceMs = this.scheduler.now() - this.lastResetMs;
    if (sinceMs <= this.config.resetWaitDelayS * 1000) {
      this.trace.emit(this.actor, 'agent-reset-suppressed', { path: 'reset-conf', sinceLastResetMs: sinceMs });
      return;
    }
    this.reset('reset-conf');
  }

  /** resetAllUnconfiguredPeers(): clear the location, fall back to the configured peers. */
  reset(path: ResetPath): void {
    if (path === 'platform-config-delete') {
      this.lastResetMs = this.scheduler.now();
      this.config.onPlatformConfigDeleted?.();
    }
    this.trace.emit(this.actor, 'agent-reset', { path });
    this.location = '';
    for (const endpoint of this.config.configuredPeers) this.addPeer(endpoint, true);
    for (const peer of [...this.pool.values()]) if (!peer.configured) this.removePeer(peer, `reset (${path})`);
  }

  // ---- Pool ------------------------------------------------------------------------------------

  private addPeer(endpoint: Endpoint, configured: boolean): void {
    const key = formatEndpoint(endpoint);
    const existing = this.pool.get(key);
    if (existing) {
      if (configured) existing.configured = true;
      return;
    }
    if (this.pool.size >= MAX_PEERS) {
      this.trace.emit(this.actor, 'peer-limit', { peer: key, limit: MAX_PEERS });
      return;
    }
    const peer: Peer = {
      key, endpoint, configured, state: 'connecting', rpc: undefined, failures: 0, removed: false, opened: false,
      roles: NO_ROLE, handshakeTimer: undefined,
    };
    this.pool.set(key, peer);
    this.trace.emit(this.actor, 'peer-added', { peer: key, configured });
    this.connect(peer);
    this.updateHealth();
  }

  private removePeer(peer: Peer, reason: string): void {
    peer.removed = true;
    this.pool.delete(peer.key);
    const queued = this.retryQueue.indexOf(peer);
    if (queued >= 0) this.retryQueue.splice(queued, 1);
    this.scheduler.cancel(peer.handshakeTimer);
    if (peer.rpc && !peer.rpc.isClosed) peer.rpc.close(reason);
    peer.state = 'closed';
    this.updateHealth();
  }

  private connect(peer: Peer): void {
    peer.state = 'connecting';
    peer.opened = false;
    const connection = this.transport.connect(peer.endpoint, UNATTACHED, this.config.name);
    peer.rpc = new RpcEndpoint(connection, this.scheduler, new PeerEvents(this, peer), { keepalive: this.config.keepalive });
  }

  /** @internal PeerEvents: the peer's connection opened. */
  peerOpened(peer: Peer): void {
    if (peer.removed) return;
    peer.opened = true;
    peer.state = 'handshaking';
    peer.handshakeTimer = this.scheduler.after(this.config.handshakeTimeoutMs, () => {
      if (peer.state === 'handshaking') peer.rpc?.close('handshake timeout');
    });
    peer.rpc!.request('send_identity', [this.identity()], (reply) => this.onIdentityReply(peer, reply));
  }

  private onIdentityReply(peer: Peer, reply: RpcResult | RpcErrorReply): void {
    if (peer.removed) return;
    this.scheduler.cancel(peer.handshakeTimer);
    peer.handshakeTimer = undefined;
    if (reply.kind === 'error') {
      this.trace.emit(this.actor, 'handshake-failed', { peer: peer.key, code: reply.error.code, message: reply.error.message });
      peer.rpc?.close('handshake failed');
      return;
    }
    const identity = readIdentityReply(reply.result);
    if (typeof identity === 'string') {
      this.protocolError(peer.key, identity, true);
      return;
    }
    const listed = new Set<string>();
    for (const { key, endpoint } of identity.peers) {
      listed.add(key);
      if (!this.pool.has(key)) this.addPeer(endpoint, false);
    }
    if (identity.location !== undefined) {
      this.location = identity.location;
      this.hasLearnedLocation = true;
    }
    if (!listed.has(peer.key)) {
      this.trace.emit(this.actor, 'peer-not-in-list', { peer: peer.key, listed: [...listed].join(',') });
      if (peer.configured && this.pool.size === 1) {
        // Nowhere else to go: as the reference agent falls back to its configured peers, keep this
        // one and try it again on the reconnect pacing (the close queues the retry).
        peer.rpc?.close('current peer not found in peer list; retrying the configured peer');
        return;
      }
      this.removePeer(peer, 'current peer not found in peer list');
      return;
    }
    for (const other of [...this.pool.values()]) {
      if (!other.configured && !listed.has(other.key) && other !== peer) this.removePeer(other, 'stale peer connection');
    }
    peer.roles = rolesOf(identity.roles);
    peer.state = 'ready';
    peer.failures = 0;
    this.trace.emit(this.actor, 'peer-ready', { peer: peer.key });
    this.updateHealth();
    if (this.processing) this.processor.resendAll();
  }

  /** @internal PeerEvents: a request from the peer. */
  peerRequest(peer: Peer, request: RpcRequest): void {
    if (request.method === 'policy_update' || request.method === 'endpoint_update') {
      let platformConfigDeleted = false;
      this.processor.receiveUpdate(request.method, request.params, peer.key, (_subject, uri) => {
        if (uri === this.config.platformConfigUri) platformConfigDeleted = true;
      });
      if (platformConfigDeleted) this.reset('platform-config-delete');
    }
    // Anything else from a server is logged and ignored by libopflex.
  }

  /** A peer sent something malformed: traced, dropped, and where libopflex would, its session closed. */
  private protocolError(peerKey: string, reason: string, closeSession: boolean): void {
    this.trace.emit(this.actor, 'protocol-error', { peer: peerKey, reason, closed: closeSession });
    if (closeSession) this.pool.get(peerKey)?.rpc?.close(`protocol error: ${reason}`);
  }

  /** @internal PeerEvents: the peer's connection is gone. */
  peerClosed(peer: Peer, reason: string): void {
    this.scheduler.cancel(peer.handshakeTimer);
    peer.handshakeTimer = undefined;
    const wasReady = peer.state === 'ready';
    peer.state = 'closed';
    this.trace.emit(this.actor, 'peer-closed', { peer: peer.key, reason, wasReady });
    if (peer.removed || this.stopped) {
      this.updateHealth();
      return;
    }
    if (!wasReady) {
      if (!peer.configured && peer.failures >= GIVE_UP_AFTER_FAILURES) {
        this.trace.emit(this.actor, 'peer-given-up', { peer: peer.key, failures: peer.failures });
        this.removePeer(peer, 'giving up on bootstrapped peer');
        for (const endpoint of this.config.configuredPeers) this.addPeer(endpoint, true);
        return;
      }
      peer.failures++;
    }
    this.updateHealth();
    this.queueRetry(peer);
  }

  private queueRetry(peer: Peer): void {
    if (!this.retryQueue.includes(peer)) this.retryQueue.push(peer);
    if (this.retryTimer !== undefined) return;
    // One queued peer per pacing tick; the first retry after a quiet spell goes at once.
    const wait = Math.max(0, this.lastRetryMs + this.config.reconnectPacingMs - this.scheduler.now());
    this.retryTimer = this.scheduler.after(wait, OpflexAgent.retryTick, this);
  }

  private static readonly retryTick = (agent: OpflexAgent): void => agent.onRetryTick();

  private onRetryTick(): void {
    this.retryTimer = undefined;
    const peer = this.retryQueue.shift();
    this.lastRetryMs = this.scheduler.now();
    if (peer && !peer.removed && this.pool.get(peer.key) === peer) {
      this.trace.emit(this.actor, 'peer-reconnect', { peer: peer.key, failures: peer.failures });
      this.connect(peer);
    }
    if (this.retryQueue.length > 0) {
      const jitter = this.random.uniform(0.97, 1.01);
      this.retryTimer = this.scheduler.after(this.config.reconnectPacingMs * jitter, OpflexAgent.retryTick, this);
    }
  }

  private updateHealth(): void {
    let ready = 0;
    for (const p of this.pool.values()) if (p.state === 'ready') ready++;
    const health: AgentHealth = ready === 0 ? 'DOWN' : ready === this.pool.size ? 'HEALTHY' : 'DEGRADED';
    if (health === this.healthState) return;
    this.healthState = health;
    this.trace.emit(this.actor, 'agent-health', { health, ready, peers: this.pool.size });
  }

  private broadcast(
    role: OpflexRole,
    method: string,
    params: unknown[],
    onReply?: (reply: RpcResult | RpcErrorReply, from: string) => void,
  ): number {
    const id = makeRawId(method, this.xid++);
    let sent = 0;
    for (const peer of this.pool.values()) {
      if (peer.state !== 'ready' || !peer.roles.has(role) || !peer.rpc) continue;
      const key = peer.key;
      peer.rpc.requestWithId(id, method, params, onReply && ((reply) => onReply(reply, key)));
      sent++;
    }
    return sent;
  }
}
