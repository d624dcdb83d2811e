/**
 * The emulated host-agent's output for agents in other processes: `<dir>/<node>/01-base.conf` and
 * `<dir>/<node>/10-renderer.conf`, the files aci-containers' host-agent writes into the agent's
 * base-conf.d, with the fabric addresses it derived (the pod's anycast proxy, .30; the VXLAN anycast,
 * .32) replaced by the loopback addresses the emulator listens on. `agent --config-dir <dir>/<node>`
 * reads them and reloads when they change.
 *
 * Each file is written to a hidden temporary name and renamed into place, so a watcher never reads half
 * a file (the reference host-agent truncates and writes in place; its agent can see a partial file).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoint } from '../transport/transport.ts';
import { BASE_CONF_FILE, renderBaseConf, renderRendererConf, RENDERER_CONF_FILE } from './agent-config-files.ts';
import type { PodAddressPlan } from './pod-address-plan.ts';

/** What the host-agent knows after it discovered the node's infra address: the agent's identity and its one peer. */
export interface AgentConfigUpdate {
  name: string;
  domain: string;
  /** Fabric addresses: the pod's anycast proxy (infra subnet base + .30). */
  peers: readonly Endpoint[];
}

export class AgentConfigFiles {
  constructor(
    private readonly dir: string,
    private readonly plan: PodAddressPlan,
  ) {}

  /** The directory an agent in another process reads with --config-dir. */
  dirOf(node: string): string {
    return join(this.dir, node);
  }

  /** Writes both files for `node`; returns the loopback peer written into 01-base.conf. */
  write(node: string, update: AgentConfigUpdate): Endpoint {
    const fabricPeer = update.peers[0];
    if (!fabricPeer) throw new RangeError(`host-agent of ${node}: no peer to write into ${BASE_CONF_FILE}`);
    const peer = this.reachable(fabricPeer);
    const dir = this.dirOf(node);
    mkdirSync(dir, { recursive: true });
    writeInPlace(dir, BASE_CONF_FILE, renderBaseConf({ name: update.name, domain: update.domain, peerHost: peer.host, peerPort: peer.port }));
    const pod = this.plan.pods.find((p) => p.anycast.host === peer.host);
    if (pod) writeInPlace(dir, RENDERER_CONF_FILE, renderRendererConf({ vxlanRemoteIp: pod.vxlanAnycast }));
    return peer;
  }

  /** A pod's anycast proxy as the emulator serves it; any other address as it is. */
  private reachable(peer: Endpoint): Endpoint {
    const pod = this.plan.pods.find((p) => p.fabricAnycast.host === peer.host);
    return pod ? pod.anycast : { host: this.plan.loopback(peer.host), port: peer.port };
  }
}

function writeInPlace(dir: string, name: string, text: string): void {
  const temporary = join(dir, `.${name}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, join(dir, name));
}
