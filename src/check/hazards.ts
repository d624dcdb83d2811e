/**
 * Known hazards: liveness failures that the scenario's settings make inevitable in the real system,
 * reported by name rather than as bugs. A hazard explains the liveness violations of one node whose
 * agent is still on its old leaf pair because no reset reached it after its last move.
 */
import type { TraceEvent } from '../kernel/trace.ts';
import type { Twin } from '../twin.ts';
import type { Violation } from './invariants.ts';

interface HazardSpec {
  name: string;
  statement: string;
  /** Where the real system is documented to behave so. */
  source: string;
}

export const KNOWN_HAZARDS = [
  {
    name: 'reconnect-disabled-reset-lost',
    statement:
      'with enable_opflex_agent_reconnect off, the PlatformConfig delete is the only reset trigger: when it is lost, late past the session, or never sent (GARP lost, no COOP move), the agent stays on the old pair',
    source: 'shared/reference/aci-fabric-behavior.md §5.1 and §6 (opflex #589); seed-vm-migration.md §2-3',
  },
  {
    name: 'controller-stream-gap',
    statement:
      "an ODev delete that happens while the controller's APIC event stream is down (its node moving, its pod restarting) is never replayed by the resync: with reconnect on no reset.conf is written; with aci_multipod a node moved to another pod keeps its old ODevs in the controller's cache as connected, so its aci-pod annotation never turns none and its infra address is never renewed",
    source: 'shared/reference/aci-fabric-behavior.md §5.2 (aci-containers #897, #1648) and §5.3 steps 3-4',
  },
  {
    name: 'garp-lost-unlearned',
    statement:
      'when the GARP after resume is lost and the node sends nothing else its new leaves learn from, the EPM never sees the move: no COOP move, no PlatformConfig delete, the ODevs stay on the old path',
    source: 'shared/reference/aci-fabric-behavior.md §2 (the destination EPM learns the VM from its GARP/RARP); the model has no other node traffic [assumption]',
  },
] as const satisfies readonly HazardSpec[];

export type HazardName = (typeof KNOWN_HAZARDS)[number]['name'];

export interface HazardFinding {
  hazard: HazardName;
  node: string;
  /** The violations it explains. */
  explains: Violation[];
}

/** Watches the trace for what the classification needs: moves, resets, pod changes, controller stream gaps. */
export class HazardWitness {
  private readonly lastResumeMs = new Map<string, number>();
  private readonly lastResetMs = new Map<string, number>();
  private readonly lastMoveStartMs = new Map<string, number>();
  private readonly streamDownMs: number[] = [];
  private readonly garpLostMs = new Map<string, number>();
  /** Faults that started: when, and the target as faultTarget names it. */
  private readonly faults: { tMs: number; kind: string; target: string }[] = [];
  private readonly learnedMs = new Map<string, number>();
  /** When each node was last found on a host of another pod than its infra address's (multipod). */
  private readonly podChangedMs = new Map<string, number>();

  readonly onEvent = (e: TraceEvent): void => {
    switch (e.event) {
      case 'migration-start':
        this.lastMoveStartMs.set(e.data.node as string, e.tMs);
        return;
      case 'resume':
        this.lastResumeMs.set(e.data.node as string, e.tMs);
        return;
      case 'agent-reset':
        this.lastResetMs.set(e.actor.slice('agent:'.length), e.tMs);
        return;
      case 'event-stream-down':
        this.streamDownMs.push(e.tMs);
        return;
      case 'fault-start':
        this.faults.push({ tMs: e.tMs, kind: e.data.kind as string, target: e.data.target as string });
        return;
      case 'garp-lost':
        this.garpLostMs.set(e.data.node as string, e.tMs);
        return;
      case 'epm-learn':
        this.learnedMs.set(e.data.node as string, e.tMs);
        return;
      case 'pod-changed':
        this.podChangedMs.set(e.data.node as string, e.tMs);
        return;
    }
  };

  /** Splits violations into those a known hazard explains and the rest. */
  classify(twin: Twin, violations: readonly Violation[]): { unexplained: Violation[]; hazards: HazardFinding[] } {
    const nodeOf = new Map<string, string>();
    for (const vm of twin.nodes.values()) {
      nodeOf.set(vm.name, vm.name);
      for (const pod of vm.pods) nodeOf.set(pod.name, vm.name);
    }
    const hazardOf = new Map<string, HazardName | undefined>();
    const hazardFor = (node: string): HazardName | undefined => {
      if (!hazardOf.has(node)) hazardOf.set(node, this.hazardOfNode(twin, node));
      return hazardOf.get(node);
    };
    const unexplained: Violation[] = [];
    const findings = new Map<string, HazardFinding>();
    for (const v of violations) {
      const node = nodeOf.get(v.subject);
      const hazard = node !== undefined && isLiveness(v) ? hazardFor(node) : undefined;
      if (!hazard || node === undefined) {
        unexplained.push(v);
        continue;
      }
      const key = `${hazard}\u0000${node}`;
      let f = findings.get(key);
      if (!f) findings.set(key, (f = { hazard, node, explains: [] }));
      f.explains.push(v);
    }
    return { unexplained, hazards: [...findings.values()] };
  }

  /**
   * Whether a fault, or the scenario's own PlatformConfig-delete faults, can have kept the reset from
   * the node: one on the node, on a leaf of a pair it left or joined, or fabric-wide, since a minute
   * before its last move began.
   */
  private resetCouldBeLost(twin: Twin, node: string, sinceMs: number): boolean {
    const f = twin.faultsFor(node);
    if (f.platformConfigDeleteMissed || f.platformConfigDeleteExtraDelayMs > 0) return true;
    const leaves = new Set<string>();
    for (const pair of twin.pairs.values()) for (const leaf of pair) leaves.add(leaf.name);
    return this.faults.some(
      (x) => x.tMs >= sinceMs - 60_000 && (FABRIC_WIDE.has(x.kind) || x.target === node || x.target.startsWith(`${node}<->`) || (leaves.has(x.target) && this.pairTouched(twin, node, x.target))),
    );
  }

  private pairTouched(twin: Twin, node: string, leaf: string): boolean {
    const pair = twin.leaves.get(leaf)?.pair;
    const current = twin.pairOfHypervisor(twin.nodes.get(node)!.hypervisor);
    const original = twin.pairOfHypervisor(twin.scenario.nodes.find((n) => n.name === node)!.hypervisor);
    return pair === current || pair === original;
  }

  private hazardOfNode(twin: Twin, node: string): HazardName | undefined {
    const resumed = this.lastResumeMs.get(node);
    if (resumed === undefined) return undefined;
    const since = this.lastMoveStartMs.get(node) ?? resumed;
    const garpLost = (this.garpLostMs.get(node) ?? -1) >= resumed;
    if (garpLost && (this.learnedMs.get(node) ?? -1) < resumed) return 'garp-lost-unlearned';
    // The agent was not reset since it arrived where it is: it never learned that it moved. (A reset
    // between a move's start and its resume belongs to the move before.) That is a hazard only when
    // something the scenario did can have kept the reset from it.
    if ((this.lastResetMs.get(node) ?? -1) >= resumed) return undefined;
    // Across pods the node's way out is the controller's aci-pod annotation, read from its ODev cache:
    // a gap in the controller's event stream since the move began can have kept the old ODevs' deletes from it.
    const changedPods = (this.podChangedMs.get(node) ?? -1) >= since;
    if (changedPods && twin.scenario.settings.aci_multipod && this.streamDownMs.some((t) => t >= since)) return 'controller-stream-gap';
    if (!this.resetCouldBeLost(twin, node, since)) return undefined;
    if (!twin.scenario.settings.enable_opflex_agent_reconnect) return 'reconnect-disabled-reset-lost';
    if (this.streamDownMs.some((t) => t >= since)) return 'controller-stream-gap';
    return undefined;
  }
}

/** Fault kinds that act fabric-wide and can keep a move from being noticed or a reset from being sent. */
const FABRIC_WIDE = new Set(['coop-loss', 'coop-delay', 'controller-restart', 'evacuation-overlap']);

function isLiveness(v: Violation): boolean {
  return v.invariant === 'agent-on-current-pair' || v.invariant === 'agent-holds-policy' || v.invariant === 'pair-holds-policy' || v.invariant === 'pods-declared-on-pair' || v.invariant === 'migrations-converged';
}
