/**
 * Reads the trace and turns it into what a person wants to know about each migration: milestones
 * in order, which objects the destination leaves downloaded and which they served from cache, and
 * when the node converged on its destination (sessions ready on both leaves, every endpoint
 * declared, every policy object present, both ODevs connected).
 */
import { ACI_POD_SUBNET_ANNOTATION } from '../host/kube-api.ts';
import type { TraceEvent } from '../kernel/trace.ts';

export interface Milestone {
  name: string;
  actor: string;
  tMs: number;
  detail?: string;
}

export interface Download {
  leaf: string;
  subject: string;
  uri: string;
  tMs: number;
}

export interface MigrationRecord {
  index: number;
  node: string;
  from: string;
  to: string;
  fromPair: string;
  toPair: string;
  crossLeafPair: boolean;
  startMs: number;
  milestones: Milestone[];
  downloads: Download[];
  servedFromCache: Map<string, number>;
  converged: boolean;
  convergedMs: number | undefined;
}

/** What the tracker must know about the scenario (all derivable from it). */
export interface TrackerContext {
  infraIpOf(node: string): string;
  leavesOfPair(pair: string): readonly string[];
  pathOfHypervisor(hypervisor: string): string;
  /** Every policy URI the node's agent needs (PlatformConfig and its EPGs' closures). */
  policyNeededBy(node: string): readonly string[];
  /** Endpoint objects the node's agent declares (two per pod). */
  endpointCountOf(node: string): number;
}

interface Active {
  record: MigrationRecord;
  seen: Set<string>;
  resetSeen: boolean;
  sessionsReady: Set<string>;
  odevs: Set<string>;
  declared: Map<string, Set<string>>;
  endpointsDeclared: boolean;
  policyReady: boolean;
  /** Every policy URI the node needs (TrackerContext.policyNeededBy). */
  needed: ReadonlySet<string>;
  /** Needed objects not present, counted over the destination leaves: 0 when all of them hold all of it. */
  missing: number;
}

export class MigrationTracker {
  readonly records: MigrationRecord[] = [];
  private readonly active = new Map<string, Active>();
  private readonly presentAt = new Map<string, Set<string>>();
  /** Infra IP -> node, for nodes with a migration under way (COOP events name endpoints by IP). */
  private readonly activeByInfraIp = new Map<string, string>();
  /** Migrations still waiting to converge, by destination leaf: the ones a policy object arriving there may complete. */
  private readonly unconvergedAt = new Map<string, Set<Active>>();

  /** @param onMilestone hears each milestone as it is recorded (simulate puts them in the trace). */
  constructor(
    private readonly ctx: TrackerContext,
    private readonly onMilestone?: (milestone: Milestone, record: MigrationRecord) => void,
  ) {}

  /** Feed every trace event, in order. */
  onEvent = (e: TraceEvent): void => {
    switch (e.event) {
      case 'policy-present':
        return this.policyArrived(e);
      case 'policy-gc':
        return this.policyGone(e);
      case 'migration-start':
        return this.begin(e);
    }
    const node = (e.data.node ?? e.data.agent ?? (e.actor.startsWith('agent:') ? e.actor.slice(6) : undefined)) as string | undefined;
    let a: Active | undefined;
    if (node !== undefined) a = this.active.get(node);
    else if (e.event === 'coop-update') a = this.byInfraIp(e.data.key as string);
    if (!a && e.event === 'policy-download') a = this.active.get(e.data.requestedBy as string);
    if (!a && e.event === 'policy-served') a = this.active.get(e.data.requestedBy as string);
    if (!a) return;
    this.onNodeEvent(a, e);
  };

  private begin(e: TraceEvent): void {
    const node = e.data.node as string;
    const record: MigrationRecord = {
      index: e.data.migration as number,
      node,
      from: e.data.from as string,
      to: e.data.to as string,
      fromPair: e.data.fromPair as string,
      toPair: e.data.toPair as string,
      crossLeafPair: e.data.fromPair !== e.data.toPair,
      startMs: e.tMs,
      milestones: [],
      downloads: [],
      servedFromCache: new Map(),
      converged: false,
      convergedMs: undefined,
    };
    this.records.push(record);
    this.activeByInfraIp.set(this.ctx.infraIpOf(node), node);
    const needed = new Set(this.ctx.policyNeededBy(node));
    let missing = 0;
    for (const leaf of this.ctx.leavesOfPair(record.toPair)) {
      const present = this.present(leaf);
      for (const uri of needed) if (!present.has(uri)) missing++;
    }
    const a: Active = {
      record, seen: new Set(), resetSeen: false, sessionsReady: new Set(), odevs: new Set(), declared: new Map(),
      endpointsDeclared: false, policyReady: false, needed, missing,
    };
    this.active.set(node, a);
    for (const leaf of this.ctx.leavesOfPair(record.toPair)) {
      let waiting = this.unconvergedAt.get(leaf);
      if (!waiting) this.unconvergedAt.set(leaf, (waiting = new Set()));
      waiting.add(a);
    }
    this.milestone(a, 'migration-start', e, `${record.from} -> ${record.to}`);
  }

  private onNodeEvent(a: Active, e: TraceEvent): void {
    const r = a.record;
    const toLeaves = this.ctx.leavesOfPair(r.toPair);
    const fromLeaves = this.ctx.leavesOfPair(r.fromPair);
    const atDestination = toLeaves.includes(e.actor);
    switch (e.event) {
      case 'stun-start':
      case 'resume':
      case 'garp':
        return this.once(a, e.event, e);
      // The node's infra address may change (multipod): read at each event that names one.
      case 'epm-learn':
        if (atDestination && e.data.key === this.ctx.infraIpOf(r.node) && a.seen.has('resume')) this.once(a, 'destination-learn', e);
        return;
      case 'coop-update':
        if (e.data.key === this.ctx.infraIpOf(r.node) && e.data.to === r.toPair) this.once(a, 'coop-update', e);
        return;
      case 'bounce-installed':
        return;
      case 'device-moved':
        if (fromLeaves.includes(e.actor)) {
          if (e.data.how === 'bounce') this.once(a, 'bounce-installed', e);
          this.once(a, 'source-device-moved', e, e.data.how as string);
        }
        return;
      case 'platform-config-delete-sent':
      case 'platform-config-delete-missed':
        return this.once(a, e.event, e);
      case 'agent-reset':
        a.resetSeen = true;
        a.sessionsReady.clear();
        a.declared.clear();
        return this.milestone(a, 'agent-reset', e, `by ${e.data.path}`);
      case 'annotation-set':
        if (e.data.key === ACI_POD_SUBNET_ANNOTATION) {
          if (e.data.value === 'none') this.once(a, 'aci-pod-none', e);
          else if (e.data.previous === 'none') this.once(a, 'aci-pod-annotated', e, String(e.data.value));
        } else if (e.data.value === 'none') this.once(a, 'annotation-none', e);
        return;
      // Multipod (docs/multipod.md): the node changed pods and renews its infra address.
      case 'pod-changed':
        return this.once(a, 'pod-changed', e, `pod ${e.data.fromPod} -> pod ${e.data.toPod}`);
      case 'infra-address-stranded':
        return this.once(a, 'infra-address-stranded', e);
      case 'odev-disconnect-stamped':
        return this.once(a, 'odev-disconnect-stamped', e);
      case 'dhcp-skipped':
        return this.once(a, 'dhcp-skipped', e);
      case 'dhcp-attempt':
        return this.milestone(a, 'dhcp-attempt', e, `attempt ${e.data.attempt} of ${e.data.of}`);
      case 'dhcp-declined':
        return this.milestone(a, 'dhcp-declined', e, String(e.data.ip));
      case 'dhcp-attempt-failed':
        return this.milestone(a, 'dhcp-attempt-failed', e, `attempt ${e.data.attempt}: ${e.data.why}`);
      case 'dhcp-renew-failed':
        return this.once(a, 'dhcp-renew-failed', e, `${e.data.attempts} attempt(s)`);
      case 'infra-address-changed':
        return this.once(a, 'new-infra-address', e, `${e.data.from} -> ${e.data.to}`);
      case 'multicast-route-added':
      case 'multicast-route-missing':
      case 'agent-config-rewritten':
        return this.once(a, e.event, e);
      case 'agent-reload':
        return this.once(a, 'agent-reload', e, String(e.data.peers));
      case 'reset-conf-written':
        return this.once(a, 'reset-conf-written', e);
      case 'agent-reset-suppressed':
        return this.milestone(a, 'agent-reset-suppressed', e, `${e.data.path} within reset-wait-delay`);
      case 'session-closed':
        // Seen from the leaf, this is how a reset of an agent in another process shows: its
        // session on the source pair ends after the move.
        if (fromLeaves.includes(e.actor) && a.seen.has('resume') && !a.resetSeen) {
          a.resetSeen = true;
          a.sessionsReady.clear();
          a.declared.clear();
          this.once(a, 'source-session-closed', e, e.actor);
        }
        return;
      case 'session-ready':
        if (atDestination && a.resetSeen && !a.sessionsReady.has(e.actor)) {
          a.sessionsReady.add(e.actor);
          this.once(a, `session-ready-${a.sessionsReady.size}`, e, e.actor);
          this.check(a, e);
        }
        return;
      case 'odev-connected':
        if (atDestination && e.data.fabricPathDn === this.ctx.pathOfHypervisor(r.to) && !a.odevs.has(e.actor)) {
          a.odevs.add(e.actor);
          this.once(a, `destination-odev-${a.odevs.size}`, e, e.actor);
          this.check(a, e);
        }
        return;
      case 'odev-deleted':
        if (fromLeaves.includes(e.actor) && e.data.fabricPathDn === this.ctx.pathOfHypervisor(r.from)) this.once(a, 'source-odev-deleted', e, e.actor);
        return;
      case 'endpoint-declared':
        if (atDestination && a.resetSeen) {
          let set = a.declared.get(e.actor);
          if (!set) a.declared.set(e.actor, (set = new Set()));
          set.add(e.data.uri as string);
          this.check(a, e);
        }
        return;
      case 'policy-download':
        if (atDestination) r.downloads.push({ leaf: e.actor, subject: e.data.subject as string, uri: e.data.uri as string, tMs: e.tMs });
        return;
      case 'policy-served':
        if (atDestination && e.data.from === 'cache') r.servedFromCache.set(e.actor, (r.servedFromCache.get(e.actor) ?? 0) + 1);
        return;
    }
  }

  private policyArrived(e: TraceEvent): void {
    const uri = e.data.uri as string;
    const present = this.present(e.actor);
    const fresh = !present.has(uri);
    present.add(uri);
    const waiting = this.unconvergedAt.get(e.actor);
    if (!waiting) return;
    for (const a of waiting) {
      if (fresh && a.needed.has(uri)) a.missing--;
      this.check(a, e);
    }
  }

  private policyGone(e: TraceEvent): void {
    const uri = e.data.uri as string;
    if (!this.present(e.actor).delete(uri)) return;
    const waiting = this.unconvergedAt.get(e.actor);
    if (waiting) for (const a of waiting) if (a.needed.has(uri)) a.missing++;
  }

  private check(a: Active, e: TraceEvent): void {
    const r = a.record;
    if (r.converged) return;
    const toLeaves = this.ctx.leavesOfPair(r.toPair);
    if (!a.endpointsDeclared && a.resetSeen) {
      const expected = this.ctx.endpointCountOf(r.node);
      if (toLeaves.every((l) => (a.declared.get(l)?.size ?? 0) >= expected)) {
        a.endpointsDeclared = true;
        this.once(a, 'endpoints-declared', e);
      }
    }
    if (!a.policyReady && a.missing === 0 && a.sessionsReady.size === toLeaves.length) {
      a.policyReady = true;
      this.once(a, 'policy-ready', e);
    }
    if (a.policyReady && a.endpointsDeclared && a.odevs.size === toLeaves.length) {
      r.converged = true;
      r.convergedMs = e.tMs;
      for (const leaf of toLeaves) this.unconvergedAt.get(leaf)!.delete(a);
      this.once(a, 'converged', e);
    }
  }

  private byInfraIp(ip: string): Active | undefined {
    const node = this.activeByInfraIp.get(ip);
    return node === undefined ? undefined : this.active.get(node);
  }

  private present(leaf: string): Set<string> {
    let set = this.presentAt.get(leaf);
    if (!set) this.presentAt.set(leaf, (set = new Set()));
    return set;
  }

  private once(a: Active, name: string, e: TraceEvent, detail?: string): void {
    if (a.seen.has(name)) return;
    this.milestone(a, name, e, detail);
  }

  private milestone(a: Active, name: string, e: TraceEvent, detail?: string): void {
    a.seen.add(name);
    const milestone: Milestone = { name, actor: e.actor, tMs: e.tMs, ...(detail !== undefined ? { detail } : {}) };
    a.record.milestones.push(milestone);
    this.onMilestone?.(milestone, a.record);
  }
}
