/**
 * The data plane as the migration affects it: where a packet from one pod to another enters the
 * fabric, how the ingress leaf finds the destination (local entry, remote cache, bounce, spine
 * proxy / COOP), and whether the egress leaf can deliver it (endpoint known, policy present,
 * contract allows). Evaluated at the instant the packet is sent.
 */
import type { ContractVerdict, ProbePacket } from './contract-matcher.ts';
import type { DropReason } from './drop-reasons.ts';
import type { Leaf } from './leaf.ts';

export interface PacketOutcome {
  delivered: boolean;
  bounced: boolean;
  reason: DropReason | undefined;
  /** Leaf where it was dropped. */
  at: string | undefined;
}

export interface PodInfo {
  name: string;
  node: string;
  ip: string;
  epg: string;
}

export interface DataPlaneView {
  pairOfNode(node: string): string;
  /** fabricPathDn of the node's hypervisor uplink. */
  pathOfNode(node: string): string;
  isStunned(node: string): boolean;
  leavesOfPair(pair: string): readonly Leaf[];
  coopOwner(ip: string): string | undefined;
  /** URIs a leaf must hold to forward for this EPG. */
  policyNeeded(epg: string): readonly string[];
  /** `reply`: the packet answers one the destination sent (TCP replies pass by connection tracking). */
  contractVerdict(fromEpg: string, toEpg: string, packet: ProbePacket, reply: boolean): ContractVerdict;
}

const DELIVERED: PacketOutcome = { delivered: true, bounced: false, reason: undefined, at: undefined };
const DELIVERED_BOUNCED: PacketOutcome = { delivered: true, bounced: true, reason: undefined, at: undefined };

function drop(reason: DropReason, at: string | undefined): PacketOutcome {
  return { delivered: false, bounced: false, reason, at };
}

/**
 * What the data plane found the leaves to hold at one instant, for the packets sent at it: a probe's
 * reply asks about the leaves and EPGs its request did, and no cache changes within one event.
 */
export class PolicyAtInstant {
  private readonly answers: { leaf: Leaf; epg: string; holds: boolean }[] = [];

  /** @internal */
  holds(plane: DataPlane, leaf: Leaf, epg: string): boolean {
    for (const a of this.answers) if (a.leaf === leaf && a.epg === epg) return a.holds;
    const holds = plane.holdsPolicy(leaf, epg);
    this.answers.push({ leaf, epg, holds });
    return holds;
  }
}

export class DataPlane {
  constructor(private readonly view: DataPlaneView) {}

  /**
   * `lane` picks which leaf of a pair carries the flow (a stand-in for ECMP hashing). Between pods
   * of one node the node's OVS enforces the contracts (the opflex-agent's policy tables); across
   * nodes the ingress leaf does, once it knows the source endpoint and holds its policy. `held`
   * may be shared by packets sent at the same instant (see PolicyAtInstant).
   */
  send(src: PodInfo, dst: PodInfo, lane: number, packet: ProbePacket, reply: boolean, held = new PolicyAtInstant()): PacketOutcome {
    const v = this.view;
    if (v.isStunned(src.node)) return drop('vm-stunned', undefined);
    if (src.node === dst.node) {
      return v.contractVerdict(src.epg, dst.epg, packet, reply) === 'permit' ? DELIVERED : drop('contract-denied', undefined);
    }

    const ingress = pick(v.leavesOfPair(v.pairOfNode(src.node)), lane);
    const srcEntry = ingress.epm.get(src.ip);
    if (srcEntry?.kind !== 'local') return drop('endpoint-unknown', ingress.name);
    if (!held.holds(this, ingress, src.epg)) return drop('no-policy', ingress.name);
    if (v.contractVerdict(src.epg, dst.epg, packet, reply) !== 'permit') return drop('contract-denied', ingress.name);

    let egressPair: string | undefined;
    const dstEntry = ingress.epm.get(dst.ip);
    if (dstEntry?.kind === 'local') egressPair = ingress.pair;
    else egressPair = ingress.epm.remotePair(dst.ip) ?? (dstEntry?.kind === 'bounce' ? dstEntry.toPair : v.coopOwner(dst.ip));
    if (egressPair === undefined) return drop('unknown-destination', ingress.name);

    let egress = pick(v.leavesOfPair(egressPair), lane);
    let bounced = false;
    let entry = egress.epm.get(dst.ip);
    if (entry?.kind === 'bounce') {
      bounced = true;
      egress = pick(v.leavesOfPair(entry.toPair), lane);
      entry = egress.epm.get(dst.ip);
    }
    if (egress !== ingress) egress.epm.learnRemote(src.ip, ingress.pair);
    if (entry?.kind !== 'local') {
      return drop(!bounced && egress.pair === ingress.pair ? 'endpoint-unknown' : 'stale-remote-entry', egress.name);
    }
    if (entry.node !== dst.node || entry.path !== v.pathOfNode(dst.node)) return drop('stale-local-entry', egress.name);
    if (v.isStunned(dst.node)) return drop('vm-stunned', egress.name);
    if (!held.holds(this, egress, dst.epg)) return drop('no-policy', egress.name);
    return bounced ? DELIVERED_BOUNCED : DELIVERED;
  }

  holdsPolicy(leaf: Leaf, epg: string): boolean {
    for (const uri of this.view.policyNeeded(epg)) if (!leaf.cache.has(uri)) return false;
    return true;
  }
}

function pick<T>(items: readonly T[], lane: number): T {
  return items[lane % items.length]!;
}
