/** A Kubernetes node VM: where it runs, whether it is paused, and the pods it hosts. */
import type { OpflexAgent } from '../opflex/agent.ts';
import type { NodeSpec, PodSpec } from '../scenario/types.ts';

type VmState = 'running' | 'stunned';

export class NodeVm {
  readonly name: string;
  readonly infraIp: string;
  readonly mac: string;
  readonly pods: readonly PodSpec[];
  hypervisor: string;
  state: VmState = 'running';

  /** The node's opflex-agent process; `replaceAgent` swaps in a restarted one. */
  agent: OpflexAgent;

  constructor(spec: NodeSpec, agent: OpflexAgent) {
    this.agent = agent;
    this.name = spec.name;
    this.infraIp = spec.infraIp;
    this.mac = spec.mac;
    this.pods = spec.pods;
    this.hypervisor = spec.hypervisor;
  }

  /** The agent process restarted: a new process (empty store) takes the old one's place. */
  replaceAgent(agent: OpflexAgent): void {
    this.agent = agent;
  }
}
