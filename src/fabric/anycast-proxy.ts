/**
 * The anycast OpFlex proxy address (10.0.0.30:8009 on a fabric). A connection to it lands on the
 * leaf pair where the caller's traffic enters, so its identity reply names that pair's leaves and
 * not itself: the agent closes the anycast session and connects to the two leaves.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { ManagedObject } from '../model/managed-object.ts';
import { SERVER_ROLES, type IdentityRequest, type IdentityResult } from '../opflex/message.ts';
import { ProxySession, type IdentityRefusal, type ProxyBackend } from '../opflex/proxy-session.ts';
import { DEFAULT_LEAF_LIMITS } from './leaf-limits.ts';
import { formatEndpoint, type Endpoint, type Listener, type Transport } from '../transport/transport.ts';
import type { FabricView } from './fabric-view.ts';

interface AnycastProxyOptions {
  /** Multipod: this proxy's pod, and why it cannot serve a node (its address is not of this pod's pool, or it runs elsewhere). */
  pod?: { id: number; refusal(node: string): string | undefined };
  /**
   * Sessions past their identity held at once (a leaf's proxy answers the anycast address: the leaves'
   * sessionsPerLeafMax). An agent closes its session once it has read the redirect; a peer that keeps
   * its sessions open is refused a new one past this, as a leaf refuses one.
   */
  sessionsMax?: number;
}

export class AnycastProxy implements ProxyBackend {
  private listener: Listener | undefined;
  private readonly sessions = new Set<ProxySession>();
  /** Of them, those past their identity. */
  private readonly identified = new Set<ProxySession>();
  private readonly pod: AnycastProxyOptions['pod'];
  private readonly sessionsMax: number;

  constructor(
    readonly endpoint: Endpoint,
    private readonly scheduler: Scheduler,
    private readonly transport: Transport,
    private readonly trace: Trace,
    private readonly fabric: FabricView,
    private readonly keepalive: { firstMs: number; repeatMs: number; timeoutMs: number } | undefined,
    options: AnycastProxyOptions = {},
  ) {
    this.pod = options.pod;
    this.sessionsMax = options.sessionsMax ?? DEFAULT_LEAF_LIMITS.sessionsPerLeafMax;
  }

  /** Sessions past their identity now open (bounded by sessionsMax). */
  get identifiedSessions(): number {
    return this.identified.size;
  }

  /** Trace actor: "anycast" in a single-pod fabric, "anycast:pod-<id>" in a multipod one. */
  get actor(): string {
    return this.pod ? `anycast:pod-${this.pod.id}` : 'anycast';
  }

  start(): void {
    this.listener = this.transport.listen(this.endpoint, (connection) => {
      const session = new ProxySession(connection, this.scheduler, this, { keepalive: this.keepalive, maxOutstanding: 64 });
      this.sessions.add(session);
    });
  }

  stop(): void {
    this.listener?.close();
    for (const s of [...this.sessions]) s.close('anycast proxy stopped');
  }

  identify(session: ProxySession, request: IdentityRequest): IdentityResult | IdentityRefusal {
    if (session.state === 'awaiting-identity' && this.identified.size >= this.sessionsMax) {
      const refused = `${this.actor} already holds ${this.identified.size} sessions (sessionsPerLeafMax ${this.sessionsMax})`;
      this.trace.emit(this.actor, 'session-refused', { agent: request.name, session: session.id, reason: refused });
      return { error: refused, close: true };
    }
    const location = this.fabric.locateNode(request.name);
    if (!location) {
      this.trace.emit(this.actor, 'identity-refused', { agent: request.name });
      return { error: `Unknown node "${request.name}": no leaf pair serves it` };
    }
    const refused = this.pod?.refusal(request.name);
    if (refused !== undefined) {
      this.trace.emit(this.actor, 'identity-refused', { agent: request.name, reason: refused });
      return { error: refused };
    }
    const leaves = this.fabric.leavesOfPair(location.pair);
    this.trace.emit(this.actor, 'redirect', { agent: request.name, pair: location.pair });
    return {
      name: formatEndpoint(this.endpoint),
      domain: this.fabric.domain,
      your_location: `topology/pod-${this.pod?.id ?? this.fabric.podId}/${location.pair}`,
      data: {},
      my_role: [...SERVER_ROLES],
      peers: leaves.map((l) => ({ role: [...SERVER_ROLES], connectivity_info: formatEndpoint(l) })),
    };
  }

  onReady(session: ProxySession): void {
    this.identified.add(session);
  }

  onClosed(session: ProxySession): void {
    this.sessions.delete(session);
    this.identified.delete(session);
  }

  resolvePolicy(_s: ProxySession, _subject: string, _uri: string, done: (objects: ManagedObject[]) => void): void {
    done([]);
  }

  unresolvePolicy(): void {}
  declareEndpoint(): void {}
  undeclareEndpoint(): void {}
  resolveEndpoint(): ManagedObject[] {
    return [];
  }
}
