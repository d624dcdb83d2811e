/**
 * A pod as its node's agent sees it: the local endpoint that the host-agent describes in the pod's
 * .ep file (uuid `<node>/<pod>`, the pod's MAC and IP, its EPG, its veth). The object reads the
 * scenario's pod instead of copying it: a fabric-scale run has a million.
 */
import type { LocalEndpoint } from '../opflex/endpoint-objects.ts';
import type { PodSpec } from '../scenario/types.ts';

export class PodEndpoint implements LocalEndpoint {
  constructor(
    readonly node: string,
    readonly pod: PodSpec,
    readonly epgUri: string,
  ) {}

  get uuid(): string {
    return podUuid(this.node, this.pod.name);
  }

  get name(): string {
    return this.pod.name;
  }

  get mac(): string {
    return this.pod.mac;
  }

  get ips(): string[] {
    return [this.pod.ip];
  }

  get interfaceName(): string {
    return podInterfaceName(this.pod.name);
  }
}

export function podUuid(node: string, pod: string): string {
  // Flat, not a rope of three: agents keep one per pod.
  return [node, '/', pod].join('');
}

/** The host-side veth of a pod (a Linux interface name: at most 15 characters). */
export function podInterfaceName(pod: string): string {
  return `veth-${pod}`.slice(0, 15);
}
