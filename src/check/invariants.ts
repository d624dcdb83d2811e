/**
 * What must always hold (safety) and what must hold once the faults have healed and the fabric has
 * had time to settle (liveness). Safety is checked on the trace events that can break it, as they
 * happen, and on the state at the end; liveness on the state at the end of a run that lasted the
 * settle time past its last fault. Each invariant has a name, a one-line statement and the trace
 * events that show it broken, so a report can show the trace around a violation.
 */
import type { TraceEvent } from '../kernel/trace.ts';
import { NODE_ACI_POD_ANNOTATION } from '../host/kube-api.ts';
import { MigrationTracker } from '../report/migration-tracker.ts';
import { isKeepaliveTimeout } from '../opflex/rpc-endpoint.ts';
import type { Twin } from '../twin.ts';

interface InvariantSpec {
  name: string;
  kind: 'safety' | 'liveness';
  statement: string;
  /** Trace events that show it broken (where to look in the trace). */
  brokenBy: readonly string[];
}

export const INVARIANTS = [
  {
    name: 'policy-served-exists',
    kind: 'safety',
    statement: 'a leaf never serves or holds a policy object APIC does not hold',
    brokenBy: ['policy-served', 'policy-present'],
  },
  {
    name: 'endpoint-local-on-one-pair',
    kind: 'safety',
    statement: 'once COOP has settled, a pod endpoint is local on at most one leaf pair, the one COOP names',
    brokenBy: ['epm-learn', 'coop-update', 'bounce-installed'],
  },
  {
    name: 'no-session-outlives-owner',
    kind: 'safety',
    statement: 'no leaf keeps a ready session, or a subscription of one, that its agent no longer has',
    brokenBy: ['peer-closed', 'session-closed'],
  },
  {
    name: 'queues-within-bounds',
    kind: 'safety',
    statement: 'download queues, peer pools and links stay within their bounds (nothing refused or broken for size)',
    brokenBy: ['policy-download-rejected', 'peer-limit', 'peer-closed'],
  },
  {
    name: 'controller-agrees-after-resync',
    kind: 'safety',
    statement: "after a resync the controller's ODev cache covers APIC's ODevs and its annotations agree with that cache",
    brokenBy: ['event-stream-resynced', 'odev-event', 'annotation-set'],
  },
  {
    name: 'agent-on-current-pair',
    kind: 'liveness',
    statement: "every node's agent is connected to both leaves of its current pair, and only to them",
    brokenBy: ['agent-reset', 'peer-ready', 'peer-closed'],
  },
  {
    name: 'agent-holds-policy',
    kind: 'liveness',
    statement: "every node's agent holds all the policy its pods need",
    brokenBy: ['policy-resolved', 'policy-download', 'policy-missing'],
  },
  {
    name: 'pair-holds-policy',
    kind: 'liveness',
    statement: "both leaves of every node's current pair hold all the policy its pods need",
    brokenBy: ['policy-present', 'policy-gc', 'policy-missing'],
  },
  {
    name: 'pods-declared-on-pair',
    kind: 'liveness',
    statement: "every pod is declared on both leaves of its node's current pair and COOP points there",
    brokenBy: ['endpoint-declared', 'coop-update', 'endpoint-expired'],
  },
  {
    name: 'cache-holds-only-subscribed',
    kind: 'liveness',
    statement: "every leaf's policy cache holds only what its sessions subscribe to, and what it is about to collect",
    brokenBy: ['policy-present', 'policy-gc', 'session-closed'],
  },
  {
    name: 'migrations-converged',
    kind: 'liveness',
    statement: "every node's latest migration has converged",
    brokenBy: ['migration-start', 'resume', 'agent-reset'],
  },
] as const satisfies readonly InvariantSpec[];

type InvariantName = (typeof INVARIANTS)[number]['name'];

export function invariantSpec(name: string): InvariantSpec | undefined {
  return INVARIANTS.find((i) => i.name === name);
}

export interface Violation {
  invariant: InvariantName;
  /** Simulated time it was seen (the end of the run for end-of-run checks). */
  tMs: number;
  /** The node, leaf or object it concerns. */
  subject: string;
  detail: string;
}

/** Bound on violations kept per run: the first ones tell the story. */
export const violationsPerRunMax = 100;

export class InvariantMonitor {
  readonly violations: Violation[] = [];
  private readonly tracker: MigrationTracker;

  constructor(private readonly twin: Twin) {
    this.tracker = new MigrationTracker(twin.trackerContext());
  }

  private report(invariant: InvariantName, tMs: number, subject: string, detail: string): void {
    if (this.violations.length < violationsPerRunMax) this.violations.push({ invariant, tMs, subject, detail });
  }

  /** Sees every trace event as it is emitted: only the events that can break a safety invariant cost more than a switch. */
  readonly onEvent = (e: TraceEvent): void => {
    this.tracker.onEvent(e);
    switch (e.event) {
      case 'policy-served':
      case 'policy-present': {
        const uri = e.data.uri as string;
        if (!this.twin.apic.policy.has(uri)) this.report('policy-served-exists', e.tMs, e.actor, `${e.event} ${uri}, which APIC does not hold`);
        return;
      }
      case 'policy-download-rejected':
        this.report('queues-within-bounds', e.tMs, e.actor, `download of ${e.data.uri} refused with ${e.data.queued} queued`);
        return;
      case 'peer-limit':
        this.report('queues-within-bounds', e.tMs, e.actor, `peer ${e.data.peer} refused: pool at its limit of ${e.data.limit}`);
        return;
      case 'peer-closed':
        // A keepalive timeout says "nothing heard for more than N ms": a silent peer, not a bound.
        if (typeof e.data.reason === 'string' && e.data.reason.includes('more than') && !isKeepaliveTimeout(e.data.reason)) {
          this.report('queues-within-bounds', e.tMs, e.actor, `session broken: ${e.data.reason}`);
        }
        return;
    }
  };

  /** Migrations seen so far (the hazard classifier reads them). */
  get migrations(): readonly { node: string; converged: boolean }[] {
    return this.tracker.records;
  }

  /** Checks at `now`, the end of the run; `settled`: the last fault healed at least the settle time before. */
  finish(now: number, settled: boolean): Violation[] {
    this.checkEndpointsOnOnePair(now);
    this.checkSessions(now);
    this.checkController(now);
    if (!settled) return this.violations;
    this.checkAgents(now);
    this.checkCaches(now);
    // A move superseded by a later one of the same node cannot converge: only each node's latest counts.
    const latest = new Map<string, (typeof this.tracker.records)[number]>();
    for (const r of this.tracker.records) latest.set(r.node, r);
    for (const r of latest.values()) {
      if (!r.converged) this.report('migrations-converged', now, r.node, `migration ${r.index} (${r.from} -> ${r.to}) never converged`);
    }
    return this.violations;
  }

  private checkEndpointsOnOnePair(now: number): void {
    const pairsOf = new Map<string, Set<string>>();
    for (const leaf of this.twin.leaves.values()) {
      for (const entry of leaf.epm.localEntries()) {
        let pairs = pairsOf.get(entry.key);
        if (!pairs) pairsOf.set(entry.key, (pairs = new Set()));
        pairs.add(leaf.pair);
      }
    }
    for (const vm of this.twin.nodes.values()) {
      for (const pod of vm.pods) {
        const pairs = pairsOf.get(pod.ip);
        if (!pairs) continue;
        const owner = this.twin.coop.owner(pod.ip);
        if (pairs.size > 1) this.report('endpoint-local-on-one-pair', now, pod.name, `${pod.ip} local on ${[...pairs].join(' and ')} (COOP: ${owner ?? 'none'})`);
      }
    }
  }

  private checkSessions(now: number): void {
    for (const leaf of this.twin.leaves.values()) {
      for (const session of leaf.openSessions()) {
        if (session.state !== 'ready') continue;
        const vm = this.twin.nodes.get(session.agentName);
        if (!vm) continue;
        const peer = vm.agent.peers().find((p) => p.peer === leaf.endpoint);
        if (!peer || peer.state === 'closed') {
          this.report('no-session-outlives-owner', now, leaf.name, `session ${session.id} of ${session.agentName} is ready, but the agent has no connection to ${leaf.endpoint}`);
        }
      }
    }
  }

  private checkController(now: number): void {
    const c = this.twin.controller;
    if (!c.isSynced) return;
    const apicOdevs = this.twin.apic.currentOdevs();
    for (const odev of apicOdevs) {
      if (!c.cachedOdevs(odev.hostName).some((o) => o.dn === odev.dn)) {
        this.report('controller-agrees-after-resync', now, odev.hostName, `APIC holds ODev ${odev.dn}, the controller's cache does not`);
      }
    }
    if (!this.twin.scenario.settings.enable_opflex_agent_reconnect) return;
    for (const vm of this.twin.nodes.values()) {
      const groups = new Map<string, number>();
      for (const o of c.cachedOdevs(vm.name)) groups.set(o.fabricPathDn, (groups.get(o.fabricPathDn) ?? 0) + 1);
      const two = [...groups.values()].some((n) => n >= 2);
      const annotation = this.twin.kube.annotation(vm.name, NODE_ACI_POD_ANNOTATION);
      const agrees = two ? annotation === `pod-${this.twin.podId}` : annotation === undefined || annotation === 'none';
      if (!agrees) this.report('controller-agrees-after-resync', now, vm.name, `annotation ${annotation ?? '(none)'} but ${two ? 'a path holds two ODevs' : 'no path holds two ODevs'}`);
    }
  }

  private checkAgents(now: number): void {
    const context = this.twin.trackerContext();
    for (const vm of this.twin.nodes.values()) {
      const pair = this.twin.pairOfHypervisor(vm.hypervisor)!;
      const wanted = this.twin.leavesOfPair(pair).map((l) => `${l.host}:${l.port}`).sort();
      const ready = vm.agent.readyPeers().sort();
      if (ready.join(',') !== wanted.join(',')) {
        this.report('agent-on-current-pair', now, vm.name, `ready on [${ready.join(', ')}], its pair ${pair} is [${wanted.join(', ')}]`);
      }
      const missing = context.policyNeededBy(vm.name).filter((uri) => !vm.agent.processor.isResolved(uri));
      if (missing.length > 0) this.report('agent-holds-policy', now, vm.name, `${missing.length} objects not resolved, e.g. ${missing[0]}`);
      const leaves = this.twin.pairs.get(pair)!;
      for (const leaf of leaves) {
        const absent = context.policyNeededBy(vm.name).filter((uri) => uri !== this.twin.platformConfigUri && !leaf.cache.has(uri));
        if (absent.length > 0) this.report('pair-holds-policy', now, vm.name, `${leaf.name} lacks ${absent.length} objects the node needs, e.g. ${absent[0]}`);
      }
      const declared = leaves.map((leaf) => new Set(leaf.declaredEndpoints().filter((d) => d.agent === vm.name).map((d) => d.ip)));
      for (const pod of vm.pods) {
        const declaredOn = declared.filter((ips) => ips.has(pod.ip));
        const owner = this.twin.coop.owner(pod.ip);
        if (declaredOn.length < leaves.length || owner !== pair) {
          this.report('pods-declared-on-pair', now, pod.name, `declared on ${declaredOn.length} of ${leaves.length} leaves of ${pair}; COOP: ${owner ?? 'none'}`);
        }
      }
    }
  }

  private checkCaches(now: number): void {
    for (const leaf of this.twin.leaves.values()) {
      const subscribed = new Set<string>();
      for (const s of leaf.openSessions()) for (const uri of s.subscriptions.keys()) subscribed.add(uri);
      // What nobody uses any more stays for the GC delay (leafPolicyGcDelay), its collection scheduled.
      const extra = leaf.cache.presentUris().filter((uri) => !subscribed.has(uri) && !leaf.cache.collecting(uri));
      if (extra.length > 0) this.report('cache-holds-only-subscribed', now, leaf.name, `${extra.length} objects nobody subscribes to, e.g. ${extra[0]}`);
    }
  }
}
