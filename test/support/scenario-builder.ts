/**
 * A normalised scenario built in code, for tests that need a fabric without a YAML file. Mirrors the
 * built-in default: two leaf pairs, four hypervisors, four nodes, six EPGs.
 */
import { parseScenario } from '../../src/scenario/loader.ts';
import type { Scenario } from '../../src/scenario/types.ts';

/** A scenario file that sets nothing optional: its sections are the documented defaults. */
const defaults = parseScenario(
  'name: defaults\nfabric:\n  spines: [s]\n  leafPairs: [{name: p, leaves: [{name: a, id: 1, address: 10.0.80.1}, {name: b, id: 2, address: 10.0.80.2}]}]\n' +
    '  hypervisors: [{name: h, leafPair: p}]\nnodes: [{name: n, hypervisor: h, infraIp: 10.0.0.5, mac: "00:50:56:00:00:01", pods: []}]\n',
  'defaults',
);

export function testScenario(overrides: Partial<Scenario> = {}): Scenario {
  const pod = (node: number, i: number, epg: string) => ({
    name: `${epg}-${node}`,
    epg: `kubernetes|${epg}`,
    ip: epg === 'db' ? `10.3.0.${node * 10 + i}` : `10.2.${node}.${i + 10}`,
    mac: `0a:58:0a:02:${node.toString(16).padStart(2, '0')}:${(i + 16).toString(16)}`,
  });
  const nodePods: Record<number, string[]> = {
    1: ['kube-default', 'web', 'api', 'db'],
    2: ['kube-default', 'db', 'kube-system'],
    3: ['kube-default', 'web', 'kube-system'],
    4: ['kube-default', 'monitoring', 'web'],
  };
  const base: Scenario = {
    name: 'test',
    description: '',
    source: 'test',
    seed: 1,
    start: 'cold',
    durationMs: 200_000,
    fabric: {
      podId: 1,
      spines: ['spine-201', 'spine-202'],
      leafPairs: [
        { name: 'pair-a', leaves: [{ name: 'leaf-101', id: 101, address: '10.0.80.64', port: 8009 }, { name: 'leaf-102', id: 102, address: '10.0.80.66', port: 8009 }] },
        { name: 'pair-b', leaves: [{ name: 'leaf-103', id: 103, address: '10.0.80.68', port: 8009 }, { name: 'leaf-104', id: 104, address: '10.0.80.70', port: 8009 }] },
      ],
      hypervisors: [
        { name: 'esx-1', leafPair: 'pair-a', vpc: 'esx-1-vpc' },
        { name: 'esx-2', leafPair: 'pair-a', vpc: 'esx-2-vpc' },
        { name: 'esx-3', leafPair: 'pair-b', vpc: 'esx-3-vpc' },
        { name: 'esx-4', leafPair: 'pair-b', vpc: 'esx-4-vpc' },
      ],
      anycast: { address: '10.0.0.30', port: 8009 },
    },
    policy: {
      domain: 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid',
      tenant: 'kube',
      commonTenant: 'common',
      encapType: 'vxlan',
      vrfs: [{ name: 'kube-vrf', tenant: 'common' }],
      bridgeDomains: [
        { name: 'kube-pod-bd', vrf: 'kube-vrf', subnets: ['10.2.0.1/16'] },
        { name: 'db-bd', vrf: 'kube-vrf', subnets: ['10.3.0.1/24'] },
      ],
      epgs: [
        { name: 'kubernetes|kube-default', bd: 'kube-pod-bd', provides: ['icmp-any'], consumes: ['icmp-any', 'dns'], intraGroupPolicy: 'allow' },
        { name: 'kubernetes|kube-system', bd: 'kube-pod-bd', provides: ['icmp-any', 'dns'], consumes: ['icmp-any'], intraGroupPolicy: 'allow' },
        { name: 'kubernetes|web', bd: 'kube-pod-bd', provides: ['icmp-any', 'metrics'], consumes: ['icmp-any', 'web-to-api'], intraGroupPolicy: 'allow' },
        { name: 'kubernetes|api', bd: 'kube-pod-bd', provides: ['icmp-any', 'web-to-api', 'metrics'], consumes: ['icmp-any', 'api-to-db'], intraGroupPolicy: 'allow' },
        { name: 'kubernetes|db', bd: 'db-bd', provides: ['icmp-any', 'api-to-db', 'metrics'], consumes: ['icmp-any'], intraGroupPolicy: 'allow' },
        { name: 'kubernetes|monitoring', bd: 'kube-pod-bd', provides: ['icmp-any'], consumes: ['icmp-any', 'metrics'], intraGroupPolicy: 'allow' },
      ],
      filters: [
        { name: 'tcp-443', etherType: 'ipv4', protocol: 'tcp', ports: [443, 443] },
        { name: 'tcp-5432', etherType: 'ipv4', protocol: 'tcp', ports: [5432, 5432] },
        { name: 'tcp-9090', etherType: 'ipv4', protocol: 'tcp', ports: [9090, 9090] },
        { name: 'udp-53', etherType: 'ipv4', protocol: 'udp', ports: [53, 53] },
        { name: 'icmp', etherType: 'ipv4', protocol: 'icmp' },
      ],
      contracts: [
        { name: 'web-to-api', subjects: [{ name: 'https', rules: [{ name: 'https', direction: 'bidirectional', filters: ['tcp-443'], action: 'allow' }] }] },
        { name: 'api-to-db', subjects: [{ name: 'pg', rules: [{ name: 'pg', direction: 'bidirectional', filters: ['tcp-5432'], action: 'allow' }] }] },
        { name: 'metrics', subjects: [{ name: 'scrape', rules: [{ name: 'scrape', direction: 'bidirectional', filters: ['tcp-9090'], action: 'allow' }] }] },
        { name: 'dns', subjects: [{ name: 'dns', rules: [{ name: 'dns', direction: 'bidirectional', filters: ['udp-53'], action: 'allow' }] }] },
        { name: 'icmp-any', subjects: [{ name: 'icmp', rules: [{ name: 'icmp', direction: 'bidirectional', filters: ['icmp'], action: 'allow' }] }] },
      ],
    },
    nodes: [1, 2, 3, 4].map((n) => ({
      name: `node-${n}`,
      hypervisor: `esx-${n}`,
      infraIp: `10.0.0.${100 + n}`,
      mac: `00:50:56:aa:00:0${n}`,
      pods: nodePods[n]!.map((epg, i) => pod(n, i, epg)),
    })),
    controller: { node: 'node-2' },
    // Settings, timers, latencies, leaf and faults are the schema's own defaults.
    settings: defaults.settings,
    timers: defaults.timers,
    latencies: defaults.latencies,
    leaf: defaults.leaf,
    faults: defaults.faults,
    migrations: [
      { atMs: 20_000, node: 'node-1', to: 'esx-3' },
      { atMs: 80_000, node: 'node-2', to: 'esx-1' },
    ],
    flows: [
      { name: 'monitoring-to-web', from: 'monitoring-4', to: 'web-1', intervalMs: 100, startMs: 0, stopMs: 200_000 },
      { name: 'web-to-api', from: 'web-3', to: 'api-1', intervalMs: 100, startMs: 0, stopMs: 200_000 },
      { name: 'api-to-db', from: 'api-1', to: 'db-2', intervalMs: 100, startMs: 0, stopMs: 200_000 },
      { name: 'default-to-default', from: 'kube-default-4', to: 'kube-default-1', intervalMs: 100, startMs: 0, stopMs: 200_000 },
      { name: 'system-dns', from: 'kube-default-3', to: 'kube-system-2', intervalMs: 100, startMs: 0, stopMs: 200_000 },
    ],
  };
  return { ...base, ...overrides };
}
