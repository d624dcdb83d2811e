/**
 * aci-containers-controller, the part that matters for migrations (aci-fabric-behavior.md 5.1, 5.2):
 * it caches opflexODev objects per node from its APIC event stream and, every second, with
 * `enable_opflex_agent_reconnect`, sets a node's `opflex.cisco.com/node-aci-pod` annotation to
 * `none` when no fabric path holds both ODevs of the node any more (the deletion of the old pair's
 * primary or secondary ODev before the node has two elsewhere), and back to `pod-<id>` once a path
 * holds two. It runs as a pod on one node: while that node is stunned its event stream is down,
 * and after resuming it resyncs the current ODevs, which restores what exists but never replays a
 * delete that happened meanwhile; the loop is paused until the resync completes.
 *
 * With `aci_multipod` (5.3) the same loop keeps `opflex.cisco.com/aci-pod: pod-<id>-<tepPool>` on
 * every node whose best fabric path holds two connected ODevs (the pod is the path's), stamps the
 * time the count drops below two (0, or 1 with a healthy vPC: every hypervisor here has a vPC) and,
 * if it is still below two `opflex_device_reconnect_wait_timeout` later, sets the annotation to `none`.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { Apic, OdevEvent } from '../fabric/apic.ts';
import type { Odev } from '../fabric/odev.ts';
import type { Latencies, Settings, Timers } from '../scenario/types.ts';
import { ACI_POD_SUBNET_ANNOTATION, NODE_ACI_POD_ANNOTATION, type KubeApi } from './kube-api.ts';

/** How often stale cached ODevs are looked for (the controller's 60 s check). */
const STALE_CHECK_MS = 60_000;

export class AciController {
  readonly actor = 'aci-controller';
  private readonly cache = new Map<string, Odev>();
  /** The cache's DNs by node: the loop looks at every node each second. */
  private readonly dnsByNode = new Map<string, Set<string>>();
  private streamUp = true;
  private synced = true;
  private stunned = false;
  /** Increments on each stream drop, so events in flight on a dropped stream are discarded. */
  private streamGeneration = 0;
  /** When the last event on the stream arrives: a later one never arrives before it. */
  private lastEventAtMs = 0;

  constructor(
    readonly node: string,
    private readonly podId: number,
    private readonly nodes: readonly string[],
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
    private readonly apic: Apic,
    private readonly kube: KubeApi,
    private readonly settings: Settings,
    private readonly timers: Timers,
    private readonly latencies: Latencies,
    /** A pod's TEP pool as written in the aci-pod annotation (read from APIC's setup policy). */
    private readonly tepPoolOf: (podId: number) => string | undefined = () => undefined,
  ) {}

  /** Multipod: when each node's best connected ODev group dropped below two (absent: it has not). */
  private readonly disconnectedSince = new Map<string, number>();

  start(): void {
    this.apic.subscribeOdevs((event) => {
      if (!this.streamUp) return;
      // One websocket: events arrive in the order APIC sent them, however their latencies fall
      // (a delete overtaken by the re-create of the same ODev would leave the cache without it).
      const at = Math.max(this.scheduler.now() + this.random.sample(this.latencies.apicEventMs), this.lastEventAtMs);
      this.lastEventAtMs = at;
      this.scheduler.at(at, this.receive, { event, generation: this.streamGeneration });
    });
    this.trace.emit(this.actor, 'controller-start', { node: this.node, reconnect: this.settings.enable_opflex_agent_reconnect });
    this.scheduler.after(this.timers.controllerLoopMs, this.loop);
    this.scheduler.after(STALE_CHECK_MS, this.purgeStale);
  }

  /**
   * The controller has been running for a while (steady start): its cache holds APIC's ODevs and,
   * with reconnect enabled, every node with both ODevs on one path is annotated `pod-<id>`.
   */
  seed(): void {
    for (const odev of this.apic.currentOdevs()) this.cacheSet(odev);
    if (this.settings.aci_multipod) for (const node of this.nodes) this.checkPod(node);
    if (!this.settings.enable_opflex_agent_reconnect) return;
    for (const node of this.nodes) {
      if (this.largestPathGroup(node) >= 2) this.kube.setAnnotation(node, NODE_ACI_POD_ANNOTATION, `pod-${this.podId}`, this.actor);
    }
  }

  /** Whether the event stream is up and the last resync completed (the loop runs). */
  get isSynced(): boolean {
    return this.synced && this.streamUp && !this.stunned;
  }

  /** ODevs in the controller's cache for a node (what its decisions are based on). */
  cachedOdevs(node: string): Odev[] {
    return [...(this.dnsByNode.get(node) ?? [])].map((dn) => this.cache.get(dn)!);
  }

  private cacheSet(odev: Odev): void {
    const previous = this.cache.get(odev.dn);
    if (previous && previous.hostName !== odev.hostName) this.cacheDelete(odev.dn);
    this.cache.set(odev.dn, odev);
    let dns = this.dnsByNode.get(odev.hostName);
    if (!dns) this.dnsByNode.set(odev.hostName, (dns = new Set()));
    dns.add(odev.dn);
  }

  private cacheDelete(dn: string): void {
    const odev = this.cache.get(dn);
    if (!odev) return;
    this.cache.delete(dn);
    const dns = this.dnsByNode.get(odev.hostName)!;
    dns.delete(dn);
    if (dns.size === 0) this.dnsByNode.delete(odev.hostName);
  }

  /** The node running the controller pod was stunned: the APIC websocket drops. */
  onNodeStunned(): void {
    this.stunned = true;
    this.streamUp = false;
    this.synced = false;
    this.streamGeneration++;
    this.trace.emit(this.actor, 'event-stream-down', { reason: `node ${this.node} stunned` });
  }

  onNodeResumed(): void {
    this.stunned = false;
    this.scheduler.after(this.random.sample(this.latencies.controllerResyncMs), this.resync);
  }

  /** The controller pod stopped (a restart's first half): its event stream and ODev cache are gone. */
  podStopped(): void {
    this.cache.clear();
    this.dnsByNode.clear();
    this.stunned = true;
    this.streamUp = false;
    this.synced = false;
    this.streamGeneration++;
    this.trace.emit(this.actor, 'event-stream-down', { reason: 'controller pod restart' });
  }

  /** The restarted pod runs again: a full resync after the usual resync latency, then the loop resumes. */
  podStarted(): void {
    this.onNodeResumed();
  }

  private readonly receive = ({ event, generation }: { event: OdevEvent; generation: number }): void => {
    if (generation !== this.streamGeneration || this.stunned) return;
    const odev = event.odev;
    if (event.status === 'deleted') this.cacheDelete(odev.dn);
    else this.cacheSet(odev);
    this.trace.emit(this.actor, 'odev-event', { status: event.status, node: odev.hostName, dn: odev.dn, state: odev.state });
  };

  private readonly resync = (): void => {
    if (this.stunned) return;
    this.streamUp = true;
    let added = 0;
    for (const odev of this.apic.currentOdevs()) {
      if (!this.cache.has(odev.dn)) added++;
      this.cacheSet(odev);
    }
    this.synced = true;
    this.trace.emit(this.actor, 'event-stream-resynced', { odevs: this.cache.size, added });
  };

  private readonly loop = (): void => {
    this.scheduler.after(this.timers.controllerLoopMs, this.loop);
    if (this.stunned || !this.synced) return;
    if (this.settings.aci_multipod) for (const node of this.nodes) this.checkPod(node);
    if (!this.settings.enable_opflex_agent_reconnect) return;
    for (const node of this.nodes) {
      const largest = this.largestPathGroup(node);
      const current = this.kube.annotation(node, NODE_ACI_POD_ANNOTATION);
      if (largest >= 2) {
        this.kube.setAnnotation(node, NODE_ACI_POD_ANNOTATION, `pod-${this.podId}`, this.actor);
      } else if (current !== undefined && current !== 'none') {
        this.trace.emit(this.actor, 'node-lost-odevs', { node, largestPathGroup: largest });
        this.kube.setAnnotation(node, NODE_ACI_POD_ANNOTATION, 'none', this.actor);
      }
    }
  };

  /** One multipod pass over a node: annotate its pod, stamp a disconnect, or give up on it after the wait. */
  private checkPod(node: string): void {
    const best = this.bestConnectedGroup(node);
    const current = this.kube.annotation(node, ACI_POD_SUBNET_ANNOTATION);
    if (best !== undefined && best.count >= 2) {
      this.disconnectedSince.delete(node);
      const podId = podIdOfPath(best.path);
      const pool = podId === undefined ? undefined : this.tepPoolOf(podId);
      if (pool !== undefined) this.kube.setAnnotation(node, ACI_POD_SUBNET_ANNOTATION, `pod-${podId}-${pool}`, this.actor);
      return;
    }
    if (current === undefined || current === 'none') return;
    const now = this.scheduler.now();
    const since = this.disconnectedSince.get(node);
    if (since === undefined) {
      this.disconnectedSince.set(node, now);
      this.trace.emit(this.actor, 'odev-disconnect-stamped', { node, connected: best?.count ?? 0, annotation: current });
      return;
    }
    const waitMs = this.settings.opflex_device_reconnect_wait_timeout * 1000;
    if (now - since < waitMs) return;
    this.disconnectedSince.delete(node);
    this.trace.emit(this.actor, 'odev-reconnect-wait-expired', { node, since, waitMs });
    this.kube.setAnnotation(node, ACI_POD_SUBNET_ANNOTATION, 'none', this.actor);
  }

  /** The fabric path holding most of the node's connected ODevs, and how many. */
  private bestConnectedGroup(node: string): { path: string; count: number } | undefined {
    const groups = new Map<string, number>();
    let best: { path: string; count: number } | undefined;
    for (const dn of this.dnsByNode.get(node) ?? []) {
      const odev = this.cache.get(dn)!;
      if (odev.state !== 'connected') continue;
      const n = (groups.get(odev.fabricPathDn) ?? 0) + 1;
      groups.set(odev.fabricPathDn, n);
      if (!best || n > best.count) best = { path: odev.fabricPathDn, count: n };
    }
    return best;
  }

  private largestPathGroup(node: string): number {
    const groups = new Map<string, number>();
    let largest = 0;
    for (const dn of this.dnsByNode.get(node) ?? []) {
      const odev = this.cache.get(dn)!;
      const n = (groups.get(odev.fabricPathDn) ?? 0) + 1;
      groups.set(odev.fabricPathDn, n);
      if (n > largest) largest = n;
    }
    return largest;
  }

  /** Cached ODevs on a path other than the node's newest are purged after opflex_device_delete_timeout. */
  private readonly purgeStale = (): void => {
    this.scheduler.after(STALE_CHECK_MS, this.purgeStale);
    const now = this.scheduler.now();
    const timeoutMs = this.settings.opflex_device_delete_timeout * 1000;
    const newest = new Map<string, Odev>();
    for (const o of this.cache.values()) {
      const n = newest.get(o.hostName);
      if (!n || o.modTs > n.modTs) newest.set(o.hostName, o);
    }
    for (const [dn, o] of this.cache) {
      const n = newest.get(o.hostName)!;
      if (o.fabricPathDn !== n.fabricPathDn && now - o.modTs > timeoutMs) {
        this.cacheDelete(dn);
        this.trace.emit(this.actor, 'stale-odev-purged', { node: o.hostName, dn });
      }
    }
  };
}

/** The pod id in a fabricPathDn `topology/pod-<id>/...`. */
function podIdOfPath(path: string): number | undefined {
  const m = /^topology\/pod-(\d+)\//.exec(path);
  return m ? Number(m[1]) : undefined;
}
