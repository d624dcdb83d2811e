/**
 * The anycast OpFlex proxy address (10.0.0.30:8009 on a fabric). A connection to it lands on the
 * leaf pair where the caller's traffic enters, so its identity reply names that pair's leaves and
 * not itself: the agent closes the anycast session and connects to the two leaves.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { ManagedObject } from '../model/managed-object.ts';
import { SERVER_ROLES, type IdentityRequest, type IdentityResult } from '../opflex/message.ts';
import { ProxySession, type ProxyBackend } from '../opflex/proxy-session.ts';
import { formatEndpoint, type Endpoint, type Listener, type Transport } from '../transport/transport.ts';
import type { FabricView } from './fabric-view.ts';

export class AnycastProxy implements ProxyBackend {
  private listener: Listener | undefined;
  private readonly sessions = new Set<ProxySession>();

  constructor(
    readonly endpoint: Endpoint,
    private readonly scheduler: Scheduler,
    private readonly transport: Transport,
    private readonly trace: Trace,
    private readonly fabric: FabricView,
    private readonly keepalive: { firstMs: number; repeatMs: number; timeoutMs: number } | undefined,
    /** Multipod: this proxy's pod, and why it cannot serve a node (its address is not of this pod's pool, or it runs elsewhere). */
    private readonly pod?: { id: number; refusal(node: string): string | undefined },
  ) {}

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

  identify(_session: ProxySession, request: IdentityRequest): IdentityResult | { error: string } {
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

  onReady(): void {}

  onClosed(session: ProxySession): void {
    this.sessions.delete(session);
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
