/**
 * Where an emulated fabric listens: every ACI pod gets its own loopback block, the anycast OpFlex proxy
 * at the block's copy of --anycast and the pod's leaves from its copy of --leaf-base, one block of
 * `podAddressStride` addresses after the other (pod 1: 127.0.0.30 and 127.0.0.101..; pod 2:
 * 127.0.1.30 and 127.0.1.101..). A single-pod fabric listens where it always did.
 *
 * The plan also translates the fabric's own addresses that reach an agent's configuration (the pod's
 * anycast proxy, pool base + .30, and the VXLAN anycast, + .32) into their loopback stand-ins, so the
 * 01-base.conf an emulated host-agent writes names an address an agent on this machine can reach.
 */
import type { Endpoint } from '../transport/transport.ts';

/** Addresses between one pod's block and the next: a /24 each, from the --anycast and --leaf-base addresses. */
export const podAddressStride = 256;
/** The VXLAN anycast is the pod's anycast OpFlex proxy address + 2 (.32 beside .30). */
const VXLAN_ANYCAST_OFFSET = 2;

/** Two listeners on one address, or a pod's block past 255.255.255.255: a choice of --anycast / --leaf-base. */
export class AddressPlanError extends RangeError {
  override readonly name = 'AddressPlanError';
}

/** What the plan needs of a pod (the scenario's `fabric.pods[]`). */
export interface PodAddressing {
  id: number;
  tepPool: string;
  anycast: { address: string; port: number };
  leafPairs: readonly string[];
  hypervisors: readonly string[];
}

/** What the plan needs of the fabric: its leaf pairs in order, and its pods when it has more than one. */
export interface FabricAddressing {
  leafPairs: readonly { name: string; leaves: readonly unknown[] }[];
  anycast: { address: string; port: number };
  pods?: readonly PodAddressing[];
}

export interface LoopbackPod {
  /** The pod's id (1 for a single-pod fabric). */
  id: number;
  tepPool: string | undefined;
  /** The pod's anycast proxy on the fabric and where the emulator listens for it. */
  fabricAnycast: Endpoint;
  anycast: Endpoint;
  /** The VXLAN anycast remote (.32) on loopback. */
  vxlanAnycast: string;
  leafBase: string;
  leafPairs: readonly string[];
  hypervisors: readonly string[] | undefined;
}

export class PodAddressPlan {
  readonly pods: readonly LoopbackPod[];
  /** The first pod (the only one of a single-pod fabric): where the --anycast and --leaf-base options point. */
  readonly first: LoopbackPod;
  private readonly podOfPair = new Map<string, LoopbackPod>();
  private readonly pairOrder = new Map<string, number>();
  private readonly loopbackOf = new Map<string, string>();

  constructor(fabric: FabricAddressing, listen: { anycast: Endpoint; leafBase: string; port: number }) {
    const specs = fabric.pods && fabric.pods.length > 0 ? fabric.pods : undefined;
    const pods: LoopbackPod[] = (specs ?? [undefined]).map((pod, k) => {
      const anycastHost = offsetAddress(listen.anycast.host, k * podAddressStride);
      return {
        id: pod?.id ?? 1,
        tepPool: pod?.tepPool,
        fabricAnycast: pod ? { host: pod.anycast.address, port: pod.anycast.port } : { host: fabric.anycast.address, port: fabric.anycast.port },
        anycast: { host: anycastHost, port: listen.anycast.port },
        vxlanAnycast: offsetAddress(anycastHost, VXLAN_ANYCAST_OFFSET),
        leafBase: offsetAddress(listen.leafBase, k * podAddressStride),
        leafPairs: pod ? pod.leafPairs : fabric.leafPairs.map((p) => p.name),
        hypervisors: pod?.hypervisors,
      };
    });
    const [first] = pods;
    if (!first) throw new AddressPlanError('a fabric needs at least one pod');
    this.pods = pods;
    this.first = first;
    for (const pod of pods) {
      this.loopbackOf.set(pod.fabricAnycast.host, pod.anycast.host);
      this.loopbackOf.set(offsetAddress(pod.fabricAnycast.host, VXLAN_ANYCAST_OFFSET), pod.vxlanAnycast);
      let leaves = 0;
      for (const pair of pod.leafPairs) {
        this.podOfPair.set(pair, pod);
        this.pairOrder.set(pair, leaves);
        leaves += fabric.leafPairs.find((p) => p.name === pair)?.leaves.length ?? 0;
      }
    }
    this.checkDistinct(fabric, listen.port);
  }

  /** Where a leaf listens: its pod's leaf base + its place among that pod's leaves. */
  leafEndpoint(pair: string, indexInPair: number, port: number): Endpoint {
    const pod = this.podOfPair.get(pair) ?? this.first;
    return { host: offsetAddress(pod.leafBase, (this.pairOrder.get(pair) ?? 0) + indexInPair), port };
  }

  /** Where pod `id`'s anycast proxy listens. */
  anycastOf(id: number): Endpoint {
    return (this.pods.find((p) => p.id === id) ?? this.first).anycast;
  }

  podOfLeafPair(pair: string): LoopbackPod | undefined {
    return this.podOfPair.get(pair);
  }

  podOfHypervisor(hypervisor: string, pairOfHypervisor: (h: string) => string | undefined): LoopbackPod {
    const pair = pairOfHypervisor(hypervisor);
    return (pair !== undefined ? this.podOfPair.get(pair) : undefined) ?? this.first;
  }

  /** The loopback stand-in of a fabric anycast address (.30 or .32 of a pod); other addresses as they are. */
  loopback(fabricAddress: string): string {
    return this.loopbackOf.get(fabricAddress) ?? fabricAddress;
  }

  /** Two pods' blocks may not overlap: a pod with more leaves than its block holds is refused. */
  private checkDistinct(fabric: FabricAddressing, port: number): void {
    const seen = new Map<string, string>();
    const claim = (at: Endpoint, what: string) => {
      const key = `${at.host}:${at.port}`;
      const other = seen.get(key);
      if (other !== undefined) throw new AddressPlanError(`${what} and ${other} would both listen on ${key}: move --leaf-base or --anycast (a pod's leaves must fit in its block of ${podAddressStride} addresses)`);
      seen.set(key, what);
    };
    for (const pod of this.pods) {
      claim(pod.anycast, `pod ${pod.id}'s anycast proxy`);
      for (const pair of pod.leafPairs) {
        const leaves = fabric.leafPairs.find((p) => p.name === pair)?.leaves.length ?? 0;
        for (let i = 0; i < leaves; i++) claim(this.leafEndpoint(pair, i, port), `leaf ${i + 1} of ${pair} (pod ${pod.id})`);
      }
    }
  }
}

/** `address` + `n`, as a dotted quad; an AddressPlanError past 255.255.255.255. */
export function offsetAddress(address: string, n: number): string {
  const value = address.split('.').reduce((v, octet) => v * 256 + Number(octet), 0) + n;
  if (value > 0xffffffff) throw new AddressPlanError(`${address} + ${n} is past 255.255.255.255: move --leaf-base or --anycast`);
  return [Math.floor(value / 2 ** 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}
