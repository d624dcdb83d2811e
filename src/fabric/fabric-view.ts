/** What a leaf or the anycast proxy may ask about the rest of the fabric. */
import type { Faults } from '../scenario/types.ts';

export interface NodeLocation {
  node: string;
  hypervisor: string;
  pair: string;
  /** fabricPathDn of the hypervisor's uplink. */
  path: string;
}

export interface LeafAddress {
  name: string;
  id: number;
  pair: string;
  host: string;
  port: number;
}

export interface FabricView {
  readonly podId: number;
  readonly domain: string;
  readonly platformConfigUri: string;
  /** Where a node VM runs now (by node name, which is also its agent's OpFlex name). */
  locateNode(node: string): NodeLocation | undefined;
  infraIpOf(node: string): string | undefined;
  /** The node whose infra (VTEP) address this is, if it is one. */
  nodeOfInfraIp(ip: string): string | undefined;
  /** The node one of the scenario's pods with this IP runs on, if it is one. */
  nodeOfPodIp(ip: string): string | undefined;
  macOf(node: string): string | undefined;
  leavesOfPair(pair: string): readonly LeafAddress[];
  /** The ACI pod a leaf pair belongs to (podId in a single-pod fabric). */
  podOfPair(pair: string): number;
  /** Faults in force for a node now: the scenario's, with its current migration's on top. */
  faultsFor(node: string): Faults;
}
