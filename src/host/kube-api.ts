/**
 * The slice of the Kubernetes API the twin needs: node annotations, and watches that deliver a
 * change to each watcher after the watch latency.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { Distribution } from '../scenario/types.ts';

export const NODE_ACI_POD_ANNOTATION = 'opflex.cisco.com/node-aci-pod';
/** Multipod: `pod-<id>-<tepPool>` of the pod serving the node, or `none` (aci-fabric-behavior.md 5.3). */
export const ACI_POD_SUBNET_ANNOTATION = 'opflex.cisco.com/aci-pod';

type AnnotationWatcher = (node: string, key: string, previous: string | undefined, value: string | undefined) => void;

interface Change {
  watcher: AnnotationWatcher;
  node: string;
  key: string;
  previous: string | undefined;
  value: string | undefined;
}

export class KubeApi {
  private readonly annotations = new Map<string, Map<string, string>>();
  private readonly watchers = new Map<string, AnnotationWatcher[]>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
    private readonly watchLatency: Distribution,
  ) {}

  annotation(node: string, key: string): string | undefined {
    return this.annotations.get(node)?.get(key);
  }

  /** Watches one node's annotations (a host-agent watches its own node). */
  watchNode(node: string, watcher: AnnotationWatcher): void {
    let list = this.watchers.get(node);
    if (!list) this.watchers.set(node, (list = []));
    list.push(watcher);
  }

  setAnnotation(node: string, key: string, value: string, by: string): void {
    let map = this.annotations.get(node);
    if (!map) this.annotations.set(node, (map = new Map()));
    const previous = map.get(key);
    if (previous === value) return;
    map.set(key, value);
    this.trace.emit(by, 'annotation-set', { node, key, value, previous });
    for (const watcher of this.watchers.get(node) ?? []) {
      this.scheduler.after(this.random.sample(this.watchLatency), this.deliver, { watcher, node, key, previous, value } satisfies Change);
    }
  }

  private readonly deliver = (c: Change): void => c.watcher(c.node, c.key, c.previous, c.value);
}
