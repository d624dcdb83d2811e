/**
 * opflexODev: one per agent session per leaf (aci-fabric-behavior.md 1.3). A healthy node on a vPC
 * pair has two, one with isSecondary=false and one with true, both on the same fabricPathDn.
 */

type OdevState = 'connected' | 'disconnected';

export interface Odev {
  dn: string;
  /** The agent's infra IP as an unsigned 32-bit integer. */
  devId: number;
  id: number;
  ip: string;
  mac: string;
  hostName: string;
  uuid: string;
  devType: 'k8s';
  domName: string;
  ctrlrName: string;
  compHvDn: string;
  vmmCtrlrPKey: string;
  fabricPathDn: string;
  /** APIC node id of the leaf. */
  leafId: number;
  isSecondary: boolean;
  state: OdevState;
  operSt: 'online' | 'offline';
  hbStatus: string;
  transitionStatus: string;
  modTs: number;
}

export function ipv4ToUint32(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new SyntaxError(`Not an IPv4 address: "${ip}"`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** `topology/pod-P/protpaths-A-B/pathep-[<vpc>]`: the vPC path of a hypervisor's uplink. */
export function vpcPathDn(podId: number, leafIds: readonly [number, number], vpc: string): string {
  return `topology/pod-${podId}/protpaths-${leafIds[0]}-${leafIds[1]}/pathep-[${vpc}]`;
}

export function odevDn(podId: number, leafId: number, leafInterface: string, devId: number): string {
  return `topology/pod-${podId}/node-${leafId}/sys/br-[${leafInterface}]/odev-${devId}`;
}

/** Splits a VMM domain name "comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid" into its parts. */
export function vmmDomainParts(domain: string): { provider: string; domName: string; ctrlrName: string } {
  const m = /^comp\/prov-([^/]+)\/ctrlr-\[([^\]]+)\]-([^/]+)/.exec(domain);
  if (!m) return { provider: 'Kubernetes', domName: domain, ctrlrName: domain };
  return { provider: m[1]!, domName: m[2]!, ctrlrName: m[3]! };
}
