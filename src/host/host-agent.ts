/**
 * aci-containers host-agent, the part that matters for migrations (aci-fabric-behavior.md 5.1): it
 * writes reset.conf when it starts and when its node's `opflex.cisco.com/node-aci-pod` annotation
 * changes from `pod-<id>` to `none`; the opflex-agent's config-directory watcher sees the change
 * almost at once.
 *
 * With `aci_multipod` (5.3) it also watches `opflex.cisco.com/aci-pod`: on `pod-...` -> `none` it
 * looks at the age of the agent's last PlatformConfig-delete notification (younger than 120 s: an
 * intra-pod move, nothing to do), otherwise renews the infra address by DHCP
 * (src/host/infra-renewal.ts); its config rediscovery, every 30 s, sees the new address and
 * rewrites the agent's configuration (peer: the new pool's base + .30), which the agent reloads.
 * `none` -> `pod-...` edges are ignored.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import { ACI_POD_SUBNET_ANNOTATION, NODE_ACI_POD_ANNOTATION, type KubeApi } from './kube-api.ts';
import { InfraAddressRenewal, type RenewalContext } from './infra-renewal.ts';

/** inotify delivery, observed at 0.5-0.8 ms from the rewrite to the agent's log line. */
const INOTIFY_DELAY_MS = 0.6;
/** A PlatformConfig-delete notification younger than this means an intra-pod move: no DHCP. */
export const platformConfigDeleteFreshMs = 120_000;
/** How often the host-agent rediscovers the infra address and rewrites the agent's configuration. */
export const configRediscoveryIntervalMs = 30_000;

/** What the host-agent writes into the agent's 01-base.conf. */
export interface AgentConfiguration {
  peers: { hostname: string; port: number }[];
  name: string;
  domain: string;
}

/** Writes the agent configuration: reloads the in-process agent, or writes 01-base.conf for one in another process. */
export type AgentConfigWriter = (node: string, config: AgentConfiguration) => void;

/** What the multipod part of a host-agent needs from the node and the fabric. */
export interface MultipodHostSide extends Pick<RenewalContext, 'clientId' | 'dhcpDelayMs' | 'attemptsMax' | 'dhcpServer' | 'faults'> {
  random: RandomStream;
  domain: string;
  /** The node's infra address now. */
  infraAddress(): string;
  /** The pod whose TEP pool holds an address. */
  podOfAddress(ip: string): number | undefined;
  /** The anycast OpFlex proxy of the pod whose pool holds the address (pool base + .30). */
  anycastFor(ip: string): { hostname: string; port: number };
  /** dhclient configured a new address on the infra interface. */
  setInfraAddress(ip: string): void;
  /** When the agent last wrote its PlatformConfig-delete notification (undefined: never). */
  platformConfigDeletedAtMs(): number | undefined;
  writeAgentConfig: AgentConfigWriter;
}

export class HostAgent {
  readonly actor: string;
  private renewal: InfraAddressRenewal | undefined;
  /** The infra address the agent's configuration was last written for. */
  private configuredAddress: string | undefined;

  constructor(
    readonly node: string,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly kube: KubeApi,
    /** Writes reset.conf: tells the in-process agent, or writes the file a separate agent watches. */
    private readonly writeFile: () => void,
    /** Present with aci_multipod on. */
    private readonly multipod?: MultipodHostSide,
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
      if (key === ACI_POD_SUBNET_ANNOTATION) {
        this.onAciPodChanged(previous, value);
        return;
      }
      if (key !== NODE_ACI_POD_ANNOTATION) return;
      if (value === 'none' && previous !== undefined && previous.startsWith('pod-')) {
        this.trace.emit(this.actor, 'odev-disconnect-noticed', { node: this.node, annotation: value, previous });
        this.writeResetConf('node-aci-pod annotation changed to none');
      }
    });
    const mp = this.multipod;
    if (mp) {
      this.configuredAddress = mp.infraAddress();
      this.scheduler.after(mp.random.uniform(0, configRediscoveryIntervalMs), this.rediscover);
    }
  }

  private onAciPodChanged(previous: string | undefined, value: string | undefined): void {
    const mp = this.multipod;
    if (!mp || previous === undefined || !previous.startsWith('pod-') || value !== 'none') return;
    this.trace.emit(this.actor, 'aci-pod-none-noticed', { node: this.node, previous });
    const deletedAt = mp.platformConfigDeletedAtMs();
    const ageMs = deletedAt === undefined ? undefined : this.scheduler.now() - deletedAt;
    if (ageMs !== undefined && ageMs < platformConfigDeleteFreshMs) {
      this.trace.emit(this.actor, 'dhcp-skipped', { node: this.node, platformConfigDeleteAgeMs: ageMs, why: 'a PlatformConfig delete younger than 120 s: an intra-pod move' });
      return;
    }
    if (this.renewal?.running) return;
    const oldPod = mp.podOfAddress(mp.infraAddress());
    this.renewal = new InfraAddressRenewal({
      actor: this.actor,
      node: this.node,
      clientId: mp.clientId,
      scheduler: this.scheduler,
      trace: this.trace,
      dhcpDelayMs: mp.dhcpDelayMs,
      attemptsMax: mp.attemptsMax,
      dhcpServer: mp.dhcpServer,
      faults: mp.faults,
      inOldSubnet: (ip) => oldPod !== undefined && mp.podOfAddress(ip) === oldPod,
      renewed: (ip) => {
        const from = mp.infraAddress();
        mp.setInfraAddress(ip);
        this.trace.emit(this.actor, 'infra-address-changed', { node: this.node, from, to: ip });
      },
      failed: () => {},
    });
    this.renewal.start();
  }

  /** Config rediscovery: a changed infra address means a new 01-base.conf (peer: the new pool's .30). */
  private readonly rediscover = (): void => {
    const mp = this.multipod!;
    this.scheduler.after(configRediscoveryIntervalMs, this.rediscover);
    const address = mp.infraAddress();
    if (address === this.configuredAddress) return;
    this.configuredAddress = address;
    const config: AgentConfiguration = { peers: [mp.anycastFor(address)], name: this.node, domain: mp.domain };
    this.trace.emit(this.actor, 'agent-config-rewritten', { node: this.node, address, peer: `${config.peers[0]!.hostname}:${config.peers[0]!.port}` });
    this.scheduler.after(INOTIFY_DELAY_MS, () => mp.writeAgentConfig(this.node, config));
  };

  private writeResetConf(why: string): void {
    this.trace.emit(this.actor, 'reset-conf-written', { node: this.node, why });
    this.scheduler.after(INOTIFY_DELAY_MS, HostAgent.notifyAgent, this);
  }

  private static readonly notifyAgent = (hostAgent: HostAgent): void => hostAgent.writeFile();
}
