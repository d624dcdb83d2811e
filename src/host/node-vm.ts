/** A Kubernetes node VM: where it runs, whether it is paused, and the pods it hosts. */
import type { OpflexAgent } from '../opflex/agent.ts';
import type { NodeSpec, PodSpec } from '../scenario/types.ts';

export type VmState = 'running' | 'stunned';

export class NodeVm {
  readonly name: string;
  readonly infraIp: string;
  readonly mac: string;
  readonly pods: readonly PodSpec[];
  hypervisor: string;
  state: VmState = 'running';

  constructor(spec: NodeSpec, readonly agent: OpflexAgent) {
    this.name = spec.name;
    this.infraIp = spec.infraIp;
    this.mac = spec.mac;
    this.pods = spec.pods;
    this.hypervisor = spec.hypervisor;
  }
}
