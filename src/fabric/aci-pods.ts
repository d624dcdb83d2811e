/**
 * Which ACI pod each leaf pair, hypervisor and infra address belongs to. The single-pod form of a
 * scenario is one pod without a TEP pool (every address belongs to it).
 */
import type { Endpoint } from '../transport/transport.ts';
import type { AciPodSpec, FabricSpec } from '../scenario/types.ts';
import { formatEndpoint } from '../transport/transport.ts';
import { parseTepPool, poolContains, type TepPool } from './tep-pool.ts';

export class AciPods {
  /** The pods in scenario order (one for the single-pod form). */
  readonly ids: readonly number[];
  readonly multipod: boolean;
  private readonly podOfPairs = new Map<string, number>();
  private readonly podOfHypervisors = new Map<string, number>();
  private readonly pools = new Map<number, TepPool>();
  private readonly specs = new Map<number, AciPodSpec>();
  /** Pod of every OpFlex endpoint the fabric listens on ("host:port"), as actually bound. */
  private readonly podOfEndpoints = new Map<string, number>();

  constructor(fabric: FabricSpec) {
    this.multipod = fabric.pods !== undefined;
    if (!fabric.pods) {
      this.ids = [fabric.podId];
      for (const p of fabric.leafPairs) this.podOfPairs.set(p.name, fabric.podId);
      for (const h of fabric.hypervisors) this.podOfHypervisors.set(h.name, fabric.podId);
      return;
    }
    this.ids = fabric.pods.map((p) => p.id);
    for (const pod of fabric.pods) {
      this.specs.set(pod.id, pod);
      this.pools.set(pod.id, parseTepPool(pod.tepPool));
      for (const name of pod.leafPairs) this.podOfPairs.set(name, pod.id);
      for (const name of pod.hypervisors) this.podOfHypervisors.set(name, pod.id);
    }
  }

  spec(podId: number): AciPodSpec | undefined {
    return this.specs.get(podId);
  }

  podOfPair(pair: string): number {
    return this.podOfPairs.get(pair)!;
  }

  podOfHypervisor(hypervisor: string): number {
    return this.podOfHypervisors.get(hypervisor)!;
  }

  /** The pod whose TEP pool holds the address (undefined: none, or the single-pod form). */
  podOfAddress(ip: string): number | undefined {
    for (const [id, pool] of this.pools) if (poolContains(pool, ip)) return id;
    return undefined;
  }

  tepPool(podId: number): string | undefined {
    return this.pools.get(podId)?.cidr;
  }

  /** Records where a pod's leaf or anycast proxy listens (simulation: its TEP address; live: loopback). */
  bindEndpoint(endpoint: Endpoint, podId: number): void {
    this.podOfEndpoints.set(formatEndpoint(endpoint), podId);
  }

  podOfEndpoint(endpoint: Endpoint): number | undefined {
    return this.podOfEndpoints.get(formatEndpoint(endpoint));
  }
}
