/**
 * aci-containers host-agent, the part that matters for migrations (aci-fabric-behavior.md 5.1): it
 * writes reset.conf when it starts and when its node's `opflex.cisco.com/node-aci-pod` annotation
 * changes from `pod-<id>` to `none`; the opflex-agent's config-directory watcher sees the change
 * almost at once.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import { NODE_ACI_POD_ANNOTATION, type KubeApi } from './kube-api.ts';

/** inotify delivery, observed at 0.5-0.8 ms from the rewrite to the agent's log line. */
const INOTIFY_DELAY_MS = 0.6;

export class HostAgent {
  readonly actor: string;

  constructor(
    readonly node: string,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly kube: KubeApi,
    /** Writes reset.conf: tells the in-process agent, or writes the file a separate agent watches. */
    private readonly writeFile: () => void,
  ) {
    this.actor = `host-agent:${node}`;
  }

  /** Starts with the node: watches the annotation and writes reset.conf. */
  start(): void {
    this.watch();
    this.writeResetConf('host-agent start');
  }

  /** Has been running for a while (steady start): only the watch. */
  startSteady(): void {
    this.watch();
  }

  /** The host-agent process restarted: it writes reset.conf as at any start (its watch carries on). */
  restart(): void {
    this.writeResetConf('host-agent restart');
  }

  private watch(): void {
    this.kube.watchNode(this.node, (_node, key, previous, value) => {
      if (key !== NODE_ACI_POD_ANNOTATION) return;
      if (value === 'none' && previous !== undefined && previous.startsWith('pod-')) {
        this.trace.emit(this.actor, 'odev-disconnect-noticed', { node: this.node, annotation: value, previous });
        this.writeResetConf('node-aci-pod annotation changed to none');
      }
    });
  }

  private writeResetConf(why: string): void {
    this.trace.emit(this.actor, 'reset-conf-written', { node: this.node, why });
    this.scheduler.after(INOTIFY_DELAY_MS, HostAgent.notifyAgent, this);
  }

  private static readonly notifyAgent = (hostAgent: HostAgent): void => hostAgent.writeFile();
}
