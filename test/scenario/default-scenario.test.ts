import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinScenarioNames, loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import type { NodeSpec, PodSpec, Scenario } from '../../src/scenario/types.ts';
import { tiny } from './fixtures.ts';

const EPG = {
  default: 'kubernetes|kube-default',
  system: 'kubernetes|kube-system',
  web: 'kubernetes|web',
  api: 'kubernetes|api',
  db: 'kubernetes|db',
  monitoring: 'kubernetes|monitoring',
};

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function inSubnet(ip: string, cidr: string): boolean {
  const [base, len] = cidr.split('/') as [string, string];
  const size = 2 ** (32 - Number(len));
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base) / size);
}

function pod(s: Scenario, name: string): { pod: PodSpec; node: NodeSpec } {
  for (const node of s.nodes) for (const p of node.pods) if (p.name === name) return { pod: p, node };
  assert.fail(`no pod ${name}`);
}

function leafPairOf(s: Scenario, node: NodeSpec): string {
  return s.fabric.hypervisors.find((h) => h.name === node.hypervisor)!.leafPair;
}

describe('the built-in default scenario', { timeout: 120_000 }, () => {
  const s = loadBuiltinScenario();

  it('is listed and loads as "built-in:default"', () => {
    assert.ok(builtinScenarioNames().includes('default'));
    assert.equal(s.name, 'default');
    assert.equal(s.source, 'built-in:default');
    assert.equal(s.seed, 1);
    assert.deepEqual(loadBuiltinScenario('default'), s);
  });

  it('has one ACI pod with two spines and two vPC leaf pairs', () => {
    assert.equal(s.fabric.podId, 1);
    assert.equal(s.fabric.spines.length, 2);
    assert.deepEqual(s.fabric.anycast, { address: '10.0.0.30', port: 8009 });
    assert.deepEqual(
      s.fabric.leafPairs.map((p) => [p.name, p.leaves.map((l) => `${l.name}@${l.address}:${l.port}`)]),
      [
        ['pair-a', ['leaf-101@10.0.80.64:8009', 'leaf-102@10.0.80.66:8009']],
        ['pair-b', ['leaf-103@10.0.80.68:8009', 'leaf-104@10.0.80.70:8009']],
      ],
    );
    assert.deepEqual(s.fabric.leafPairs.flatMap((p) => p.leaves.map((l) => l.id)), [101, 102, 103, 104]);
  });

  it('has esx-1 and esx-2 on pair-a, esx-3 and esx-4 on pair-b, with one node on each in order', () => {
    assert.deepEqual(
      s.fabric.hypervisors.map((h) => `${h.name}:${h.leafPair}`),
      ['esx-1:pair-a', 'esx-2:pair-a', 'esx-3:pair-b', 'esx-4:pair-b'],
    );
    assert.deepEqual(
      s.nodes.map((n) => `${n.name}:${n.hypervisor}`),
      ['node-1:esx-1', 'node-2:esx-2', 'node-3:esx-3', 'node-4:esx-4'],
    );
    for (const n of s.nodes) assert.ok(inSubnet(n.infraIp, '10.0.0.0/16'), `${n.name} infra IP ${n.infraIp}`);
    assert.deepEqual(s.nodes.map((n) => n.infraIp), ['10.0.0.101', '10.0.0.102', '10.0.0.103', '10.0.0.104']);
  });

  it('puts the pods of each node in the EPGs the story needs', () => {
    const epgsOf = (name: string) => [...new Set(s.nodes.find((n) => n.name === name)!.pods.map((p) => p.epg))].sort();
    assert.deepEqual(epgsOf('node-1'), [EPG.api, EPG.db, EPG.default, EPG.web].sort());
    assert.deepEqual(epgsOf('node-2'), [EPG.db, EPG.default, EPG.system].sort());
    assert.deepEqual(epgsOf('node-3'), [EPG.default, EPG.system, EPG.web].sort());
    assert.deepEqual(epgsOf('node-4'), [EPG.default, EPG.monitoring, EPG.web].sort());
  });

  it('has pair-b hosting kube-default, web, kube-system and monitoring but no api or db pod before the migration', () => {
    const onPairB = new Set(s.nodes.filter((n) => leafPairOf(s, n) === 'pair-b').flatMap((n) => n.pods.map((p) => p.epg)));
    assert.deepEqual([...onPairB].sort(), [EPG.default, EPG.monitoring, EPG.system, EPG.web].sort());
    assert.ok(!onPairB.has(EPG.api));
    assert.ok(!onPairB.has(EPG.db));
  });

  it('defines six EPGs in tenant kube, two BDs in VRF kube-vrf of tenant common, db-bd only for db', () => {
    assert.equal(s.policy.tenant, 'kube');
    assert.deepEqual(s.policy.epgs.map((e) => e.name).sort(), Object.values(EPG).sort());
    assert.deepEqual(s.policy.vrfs, [{ name: 'kube-vrf', tenant: 'common' }]);
    assert.deepEqual(s.policy.bridgeDomains, [
      { name: 'kube-pod-bd', vrf: 'kube-vrf', subnets: ['10.2.0.1/16'] },
      { name: 'db-bd', vrf: 'kube-vrf', subnets: ['10.3.0.1/24'] },
    ]);
    assert.deepEqual(s.policy.epgs.filter((e) => e.bd === 'db-bd').map((e) => e.name), [EPG.db]);
  });

  it('defines the filters and contracts with the right providers and consumers', () => {
    assert.deepEqual(s.policy.filters.map((f) => f.name), ['tcp-80', 'tcp-443', 'tcp-5432', 'tcp-9090', 'udp-53', 'icmp']);
    const filtersOf = (c: string) => s.policy.contracts.find((x) => x.name === c)!.subjects.flatMap((sub) => sub.rules.flatMap((r) => r.filters));
    assert.deepEqual(filtersOf('web-to-api'), ['tcp-443']);
    assert.deepEqual(filtersOf('api-to-db'), ['tcp-5432']);
    assert.deepEqual(filtersOf('metrics'), ['tcp-9090']);
    assert.deepEqual(filtersOf('dns'), ['udp-53']);
    assert.deepEqual(filtersOf('icmp-any'), ['icmp']);
    const providers = (c: string) => s.policy.epgs.filter((e) => e.provides.includes(c)).map((e) => e.name).sort();
    const consumers = (c: string) => s.policy.epgs.filter((e) => e.consumes.includes(c)).map((e) => e.name).sort();
    assert.deepEqual([providers('web-to-api'), consumers('web-to-api')], [[EPG.api], [EPG.web]]);
    assert.deepEqual([providers('api-to-db'), consumers('api-to-db')], [[EPG.db], [EPG.api]]);
    assert.deepEqual([providers('metrics'), consumers('metrics')], [[EPG.api, EPG.db, EPG.web].sort(), [EPG.monitoring]]);
    assert.deepEqual([providers('dns'), consumers('dns')], [[EPG.system], [EPG.default]]);
    const all = Object.values(EPG).sort();
    assert.deepEqual([providers('icmp-any'), consumers('icmp-any')], [all, all]);
  });

  it('gives pods addresses in their bridge domain subnet and unique MACs', () => {
    const pods = s.nodes.flatMap((n) => n.pods);
    for (const p of pods) {
      const bd = s.policy.epgs.find((e) => e.name === p.epg)!.bd;
      const subnet = s.policy.bridgeDomains.find((b) => b.name === bd)!.subnets[0]!;
      assert.ok(inSubnet(p.ip, subnet), `${p.name} ${p.ip} not in ${subnet}`);
      if (p.epg === EPG.db) assert.match(p.ip, /^10\.3\.0\.\d+$/);
      else assert.match(p.ip, /^10\.2\.\d+\.\d+$/);
    }
    const macs = [...s.nodes.map((n) => n.mac), ...pods.map((p) => p.mac)];
    assert.equal(new Set(macs).size, macs.length);
    for (const mac of macs) assert.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it('runs the controller on node-2 and migrates node-1 across pairs at 20s, node-2 within its pair at 80s', () => {
    assert.deepEqual(s.controller, { node: 'node-2' });
    assert.deepEqual(s.migrations, [
      { atMs: 20_000, node: 'node-1', to: 'esx-3' },
      { atMs: 80_000, node: 'node-2', to: 'esx-1' },
    ]);
    const pairOf = (hv: string) => s.fabric.hypervisors.find((h) => h.name === hv)!.leafPair;
    assert.notEqual(pairOf('esx-1'), pairOf('esx-3'));
    assert.equal(pairOf('esx-2'), pairOf('esx-1'));
    assert.equal(s.durationMs, 200_000);
  });

  it('has the five flows, every 100ms, each allowed by policy', () => {
    const described = s.flows.map((f) => {
      const from = pod(s, f.from);
      const to = pod(s, f.to);
      return `${f.name}: ${from.node.name}/${from.pod.epg} -> ${to.node.name}/${to.pod.epg}`;
    });
    assert.deepEqual(described, [
      `monitoring-to-web: node-4/${EPG.monitoring} -> node-1/${EPG.web}`,
      `web-to-api: node-3/${EPG.web} -> node-1/${EPG.api}`,
      `api-to-db: node-1/${EPG.api} -> node-2/${EPG.db}`,
      `default-to-default: node-4/${EPG.default} -> node-1/${EPG.default}`,
      `system-dns: node-3/${EPG.default} -> node-2/${EPG.system}`,
    ]);
    for (const f of s.flows) {
      assert.equal(f.intervalMs, 100);
      assert.equal(f.startMs, 0);
      assert.equal(f.stopMs, s.durationMs);
      const fromEpg = s.policy.epgs.find((e) => e.name === pod(s, f.from).pod.epg)!;
      const toEpg = s.policy.epgs.find((e) => e.name === pod(s, f.to).pod.epg)!;
      const allowed =
        (fromEpg === toEpg && fromEpg.intraGroupPolicy === 'allow') ||
        fromEpg.consumes.some((c) => c !== 'icmp-any' && toEpg.provides.includes(c));
      assert.ok(allowed, `flow ${f.name} is not allowed by a contract`);
    }
  });

  it('the web-to-api flow targets an EPG cold at pair-b and monitoring-to-web one already warm there', () => {
    const onPairB = new Set(s.nodes.filter((n) => leafPairOf(s, n) === 'pair-b').flatMap((n) => n.pods.map((p) => p.epg)));
    assert.ok(!onPairB.has(pod(s, 'api-1').pod.epg));
    const target = s.flows.find((f) => f.name === 'monitoring-to-web')!.to;
    assert.ok(onPairB.has(pod(s, target).pod.epg));
  });

  it('leaves settings, timers, latencies, leaf and faults at their defaults', () => {
    const plain = parseScenario(tiny(), 'x.yaml');
    assert.deepEqual(s.settings, plain.settings);
    assert.deepEqual(s.timers, plain.timers);
    assert.deepEqual(s.latencies, plain.latencies);
    assert.deepEqual(s.leaf, plain.leaf);
    assert.deepEqual(s.faults, plain.faults);
  });
});
