/** OpFlex messages by method and direction (requests and their replies, counted under the method). */
import { methodOfRawId, type RpcMessage } from '../opflex/message.ts';

export interface MethodCounts {
  agentToLeaf: number;
  leafToAgent: number;
}

export class MessageCounter {
  private readonly counts = new Map<string, MethodCounts>();

  /** With `knownMethods`, any other method a peer names is counted as "other" (a peer cannot grow the table). */
  constructor(private readonly knownMethods?: ReadonlySet<string>) {}

  readonly observe = (fromAgent: boolean, message: RpcMessage): void => {
    let method = message.kind === 'request' ? message.method : (methodOfRawId(message.id) ?? 'unknown');
    if (this.knownMethods && !this.knownMethods.has(method)) method = 'other';
    const c = this.countsOf(method);
    if (fromAgent) c.agentToLeaf++;
    else c.leafToAgent++;
  };

  /** Messages counted without being seen (keepalive echoes a simulation counts instead of sending). */
  add(method: string, agentToLeaf: number, leafToAgent: number): void {
    const c = this.countsOf(method);
    c.agentToLeaf += agentToLeaf;
    c.leafToAgent += leafToAgent;
  }

  private countsOf(method: string): MethodCounts {
    let c = this.counts.get(method);
    if (!c) this.counts.set(method, (c = { agentToLeaf: 0, leafToAgent: 0 }));
    return c;
  }

  /** Counts by method, methods in name order. */
  toJSON(): Record<string, MethodCounts> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}
