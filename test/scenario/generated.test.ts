import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GeneratedLayout, ipToNumber, podMacOf } from '../../src/scenario/generated.ts';
import { generatedSchema } from '../../src/scenario/generated-schema.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import { scenarioJsonSchema } from '../../src/scenario/scenario-json-schema.ts';
import { PRESETS, loadPreset, planYaml, presetYaml } from '../../src/scenario/presets.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { runCli } from '../support/capture.ts';

function failure(text: string): ScenarioError {
  try {
    parseScenario(text, 'gen.yaml');
  } catch (err) {
    assert.ok(err instanceof ScenarioError, `expected a ScenarioError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the scenario to be rejected');
}

function pods(s: Scenario) {
  return s.nodes.flatMap((n) => n.pods);
}

function assertUnique(values: readonly (string | number)[], what: string): void {
  const seen = new Set<string | number>();
  for (const v of values) {
    assert.ok(!seen.has(v), `duplicate ${what} ${v}`);
    seen.add(v);
  }
}

function inSubnet(ip: string, cidr: string): boolean {
  const [gateway, prefix] = cidr.split('/');
  const bits = Number(prefix);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ipToNumber(ip) & mask) >>> 0) === ((ipToNumber(gateway!) & mask) >>> 0);
}

/** Everything a generated scenario must satisfy beyond what the loader itself checks. */
function assertWellFormed(s: Scenario): void {
  const f = s.fabric;
  const leaves = f.leafPairs.flatMap((p) => p.leaves);
  assertUnique(f.leafPairs.map((p) => p.name), 'leaf pair');
  assertUnique(leaves.map((l) => l.name), 'leaf name');
  assertUnique(leaves.map((l) => l.id), 'leaf id');
  assertUnique([...leaves.map((l) => l.address), f.anycast.address], 'leaf address');
  assertUnique(f.hypervisors.map((h) => h.name), 'hypervisor');
  assertUnique(s.nodes.map((n) => n.name), 'node');
  const infra = s.nodes.map((n) => n.infraIp);
  assertUnique([...infra, ...leaves.map((l) => l.address), f.anycast.address], 'infra address');
  for (const ip of infra) {
    assert.ok(inSubnet(ip, '10.0.0.0/16'), `${ip} in 10.0.0.0/16`);
    assert.ok(!/\.(0|255)$/.test(ip) && ip !== '10.0.0.30' && ip !== '10.0.0.32', `${ip} is a usable host address`);
    assert.ok(!inSubnet(ip, '10.0.80.0/20'), `${ip} outside the leaf TEP range`);
  }
  const all = pods(s);
  assertUnique(all.map((p) => p.name), 'pod name');
  assertUnique(all.map((p) => p.ip), 'pod IP');
  assertUnique([...s.nodes.map((n) => n.mac), ...all.map((p) => p.mac)], 'MAC');
  const epgs = new Map(s.policy.epgs.map((e) => [e.name, e]));
  const bds = new Map(s.policy.bridgeDomains.map((b) => [b.name, b]));
  const contracts = new Set(s.policy.contracts.map((c) => c.name));
  for (const p of all) {
    const epg = epgs.get(p.epg);
    assert.ok(epg, `pod ${p.name}: EPG ${p.epg} exists`);
    const bd = bds.get(epg.bd)!;
    assert.ok(bd.subnets.some((c) => inSubnet(p.ip, c)), `pod ${p.name} ${p.ip} inside ${bd.name} ${bd.subnets.join(',')}`);
    assert.equal(p.mac, podMacOf(ipToNumber(p.ip)));
  }
  for (const e of s.policy.epgs) {
    assert.ok(e.provides.length >= 1 && e.provides.length <= 2, `${e.name} provides 1-2 contracts`);
    assert.ok(e.consumes.length >= 1 && e.consumes.length <= 3, `${e.name} consumes 1-3 contracts`);
    for (const c of [...e.provides, ...e.consumes]) assert.ok(contracts.has(c));
  }
  for (const n of s.nodes) {
    assert.ok(new Set(n.pods.map((p) => p.epg)).size <= Math.max(1, n.pods.length));
  }
}

const pairOf = (s: Scenario) => new Map(s.fabric.hypervisors.map((h) => [h.name, h.leafPair]));

/** For every node and every other leaf pair: which of the node's EPGs the pair already hosts. */
function warmColdCounts(s: Scenario): { warm: number; cold: number; mixedMoves: number } {
  const pair = pairOf(s);
  const epgsAt = new Map<string, Set<string>>();
  for (const n of s.nodes) {
    const p = pair.get(n.hypervisor)!;
    let set = epgsAt.get(p);
    if (!set) epgsAt.set(p, (set = new Set()));
    for (const pod of n.pods) set.add(pod.epg);
  }
  let warm = 0;
  let cold = 0;
  let mixedMoves = 0;
  for (const n of s.nodes) {
    const from = pair.get(n.hypervisor)!;
    for (const [to, there] of epgsAt) {
      if (to === from) continue;
      const mine = new Set(n.pods.map((p) => p.epg));
      const w = [...mine].filter((e) => there.has(e)).length;
      warm += w;
      cold += mine.size - w;
      if (w > 0 && w < mine.size) mixedMoves++;
    }
  }
  return { warm, cold, mixedMoves };
}

describe('generated scenarios', { timeout: 300_000 }, () => {
  const s = loadPreset('S');

  it('preset S expands to the sizes it names', () => {
    assert.equal(s.source, 'preset:S');
    assert.equal(s.fabric.leafPairs.length, 4);
    assert.equal(s.fabric.leafPairs.flatMap((p) => p.leaves).length, 8);
    assert.equal(s.fabric.hypervisors.length, 16);
    assert.equal(s.nodes.length, 64);
    assert.equal(pods(s).length, 64 * 20);
    assert.equal(s.policy.epgs.length, 40);
    assert.deepEqual(s.fabric.spines, ['spine-201', 'spine-202']);
    assert.equal(s.evacuations?.length, 2);
    assert.ok(s.flows.length > 0);
    // Hypervisors spread evenly over the pairs, nodes evenly over the hypervisors.
    const perPair = new Map<string, number>();
    for (const h of s.fabric.hypervisors) perPair.set(h.leafPair, (perPair.get(h.leafPair) ?? 0) + 1);
    assert.deepEqual([...perPair.values()], [4, 4, 4, 4]);
    const perHost = new Map<string, number>();
    for (const n of s.nodes) perHost.set(n.hypervisor, (perHost.get(n.hypervisor) ?? 0) + 1);
    assert.deepEqual(new Set(perHost.values()), new Set([4]));
  });

  it('preset S has unique names, addresses and MACs, every pod in an existing EPG and inside its BD subnet', () => {
    assertWellFormed(s);
    assert.deepEqual(s.fabric.leafPairs[0]!.leaves.map((l) => [l.name, l.id, l.address]), [['leaf-101', 101, '10.0.80.64'], ['leaf-102', 102, '10.0.80.65']]);
    assert.equal(s.nodes[0]!.infraIp, '10.0.0.101');
    for (const n of s.nodes) for (const p of n.pods) assert.ok(p.name.endsWith(`-${n.name}-${n.pods.indexOf(p)}`), p.name);
  });

  it('every node has epgsPerNode distinct EPGs, the infra EPG among them', () => {
    for (const n of s.nodes) {
      const epgs = new Set(n.pods.map((p) => p.epg));
      assert.equal(epgs.size, 4, n.name);
      assert.ok(epgs.has('kubernetes|infra-1'));
    }
  });

  it('spreads EPGs so that a move to another leaf pair finds some EPGs warm and some cold', () => {
    const { warm, cold, mixedMoves } = warmColdCounts(s);
    assert.ok(warm > 0 && cold > 0, `warm ${warm}, cold ${cold}`);
    assert.ok(mixedMoves > 0, 'some single moves find both warm and cold EPGs');
    // locality 1: an EPG's pods (other than the infra EPG's) stay on one leaf pair.
    const local = parseScenario('name: l\ngenerated: { leafPairs: 4, hypervisorsPerPair: 2, nodes: 32, podsPerNode: 6, epgs: 40, locality: 1 }\n', 'l.yaml');
    const pair = pairOf(local);
    const pairsOfEpg = new Map<string, Set<string>>();
    for (const n of local.nodes) for (const p of n.pods) (pairsOfEpg.get(p.epg) ?? pairsOfEpg.set(p.epg, new Set()).get(p.epg)!).add(pair.get(n.hypervisor)!);
    for (const [epg, pairs] of pairsOfEpg) if (epg !== 'kubernetes|infra-1') assert.equal(pairs.size, 1, epg);
    // locality 0: EPGs scatter over several pairs.
    const spread = parseScenario('name: l\ngenerated: { leafPairs: 4, hypervisorsPerPair: 2, nodes: 32, podsPerNode: 6, epgs: 40, locality: 0 }\n', 'l.yaml');
    const spreadPairs = new Map<string, Set<string>>();
    for (const n of spread.nodes) for (const p of n.pods) (spreadPairs.get(p.epg) ?? spreadPairs.set(p.epg, new Set()).get(p.epg)!).add(pairOf(spread).get(n.hypervisor)!);
    assert.ok([...spreadPairs.values()].some((p) => p.size > 1));
  });

  it('the same seed gives the same expansion; another seed another one', () => {
    const again = loadPreset('S');
    assert.deepEqual(again.nodes, s.nodes);
    assert.deepEqual(again.policy, s.policy);
    assert.deepEqual(again.fabric, s.fabric);
    const reseeded = parseScenario(planYaml({ name: 'x', ...PRESETS.S.plan, seed: 2 }), 'x.yaml');
    assert.notDeepEqual(reseeded.nodes.map((n) => n.pods.map((p) => p.epg)), s.nodes.map((n) => n.pods.map((p) => p.epg)));
    // generated.seed decouples the expansion from the scenario seed.
    const own = (scenarioSeed: number) => parseScenario(`name: x\nseed: ${scenarioSeed}\ngenerated: { seed: 7, nodes: 8, epgs: 12 }\n`, 'x.yaml');
    assert.deepEqual(own(1).nodes, own(99).nodes);
  });

  it('preset M loads with the sizes it names and the same guarantees', () => {
    const m = loadPreset('M');
    assert.equal(m.fabric.leafPairs.length, 20);
    assert.equal(m.fabric.hypervisors.length, 400);
    assert.equal(m.nodes.length, 2000);
    assert.equal(pods(m).length, 50_000);
    assert.equal(m.policy.epgs.length, 300);
    assert.equal(m.evacuations?.length, 20);
    assertWellFormed(m);
    const { warm, cold } = warmColdCounts({ ...m, nodes: m.nodes.slice(0, 200).concat(m.nodes.slice(1000, 1200)) });
    assert.ok(warm > 0 && cold > 0);
  });

  it('the preset table has S, M, L and XL with XL at fabric scale', () => {
    assert.deepEqual(Object.keys(PRESETS), ['S', 'M', 'L', 'XL']);
    const xl = generatedSchema.parse(PRESETS.XL.plan.generated);
    assert.ok(xl.leafPairs >= 100 && xl.hypervisors >= 4000 && xl.nodes >= 20_000 && xl.epgs >= 2000);
    assert.ok(xl.nodes * xl.podsPerNode >= 1_000_000);
    assert.ok((PRESETS.XL.plan.evacuate ?? 0) >= 200);
    // Planning XL never expands its pods.
    const text = presetYaml('XL');
    assert.ok(text.length < 64 * 1024);
    assert.equal(text.match(/hypervisor: esx-/g)?.length, 200);
  });

  it('applies defaults to an empty generated section and documents them in the JSON Schema', () => {
    const d = parseScenario('name: d\ngenerated: {}\n', 'd.yaml');
    assert.equal(d.fabric.leafPairs.length, 2);
    assert.equal(d.fabric.hypervisors.length, 4);
    assert.equal(d.nodes.length, 4);
    assert.equal(pods(d).length, 40);
    assert.equal(d.policy.epgs.length, 10);
    assert.equal(d.policy.vrfs.length, 1);
    assert.equal(d.policy.bridgeDomains.length, 1);
    assert.equal(d.policy.contracts.length, 5);
    assert.equal(d.policy.filters.length, 16);
    assert.equal(d.controller.node, 'node-1');
    assertWellFormed(d);
    const schema = scenarioJsonSchema() as { required: string[]; properties: Record<string, { properties?: Record<string, unknown> }>; else: { required: string[] } };
    assert.ok(schema.properties['generated']!.properties!['locality']);
    assert.ok(schema.properties['evacuations']);
    assert.deepEqual(schema.required, ['name']);
    assert.deepEqual(schema.else.required, ['fabric', 'nodes']);
  });

  it('merges with explicit fabric, policy and nodes, avoiding their ids and addresses', () => {
    const text = [
      'name: mixed',
      'fabric:',
      '  spines: [spine-1]',
      '  leafPairs:',
      '    - { name: pair-a, leaves: [{ name: leaf-101, id: 101, address: 10.0.80.64 }, { name: leaf-102, id: 102, address: 10.0.80.65 }] }',
      '  hypervisors: [{ name: esx-a, leafPair: pair-a }]',
      'policy:',
      '  vrfs: [{ name: v }]',
      '  bridgeDomains: [{ name: b, vrf: v, subnets: [10.2.0.1/16] }]',
      '  epgs: [{ name: special, bd: b }]',
      'nodes:',
      '  - { name: special-node, hypervisor: esx-a, infraIp: 10.0.0.101, mac: "00:50:56:b0:00:01", pods: [{ name: sp, epg: special, ip: 10.64.0.2, mac: "0a:58:0a:40:00:02" }] }',
      'generated: { leafPairs: 2, nodes: 6, podsPerNode: 3, epgs: 5 }',
      'migrations: [{ at: 10s, node: special-node, to: esx-1 }]',
      '',
    ].join('\n');
    const m = parseScenario(text, 'mixed.yaml');
    assert.deepEqual(m.fabric.spines, ['spine-1']);
    assert.deepEqual(m.fabric.leafPairs.map((p) => p.name), ['pair-a', 'pair-1', 'pair-2']);
    assert.deepEqual(m.fabric.leafPairs[1]!.leaves.map((l) => [l.id, l.address]), [[103, '10.0.80.66'], [104, '10.0.80.67']]);
    assert.deepEqual(m.nodes.map((n) => n.name), ['special-node', 'node-1', 'node-2', 'node-3', 'node-4', 'node-5', 'node-6']);
    assert.equal(m.nodes[1]!.infraIp, '10.0.0.102');
    assert.equal(m.controller.node, 'special-node');
    assert.equal(m.policy.epgs[0]!.name, 'special');
    assertWellFormed({ ...m, policy: { ...m.policy, epgs: m.policy.epgs.slice(1) }, nodes: m.nodes.slice(1) });
    assertUnique(pods(m).map((p) => p.ip), 'pod IP');
    assertUnique([...m.nodes.map((n) => n.mac), ...pods(m).map((p) => p.mac)], 'MAC');
  });

  it('reports a clash between generated and explicit names at the generated key', () => {
    const text = [
      'name: clash',
      'fabric:',
      '  spines: [spine-1]',
      '  leafPairs: [{ name: pair-1, leaves: [{ name: leaf-201, id: 201, address: 10.0.90.1 }, { name: leaf-202, id: 202, address: 10.0.90.2 }] }]',
      '  hypervisors: [{ name: esx-1, leafPair: pair-1 }]',
      'generated:',
      '  leafPairs: 1',
      '  nodes: 2',
      '',
    ].join('\n');
    const err = failure(text);
    assert.deepEqual(
      err.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`),
      [
        '7:3 generated: generated leaf pair name "pair-1" (fabric.leafPairs[0]) clashes with an explicit one: rename the explicit one or generate fewer',
        '7:3 generated: generated hypervisor name "esx-1" (fabric.hypervisors[0]) clashes with an explicit one: rename the explicit one or generate fewer',
      ],
    );
  });

  it('reports an explicit pod named like a generated one at the generated key', () => {
    const text = [
      'name: clash',
      'fabric: { spines: [s], leafPairs: [{ name: pair-a, leaves: [{ name: la, id: 1, address: 10.0.90.1 }, { name: lb, id: 2, address: 10.0.90.2 }] }], hypervisors: [{ name: esx-a, leafPair: pair-a }] }',
      'policy: { vrfs: [{ name: v }], bridgeDomains: [{ name: b, vrf: v, subnets: [10.2.0.1/16] }], epgs: [{ name: e, bd: b }] }',
      'nodes: [{ name: n, hypervisor: esx-a, infraIp: 10.0.9.9, mac: "00:50:56:00:00:01", pods: [{ name: infra-1-node-2-0, epg: e, ip: 10.2.0.5, mac: "02:00:00:00:00:01" }] }]',
      'generated: { nodes: 4 }',
      '',
    ].join('\n');
    assert.deepEqual(failure(text).issues.map((i) => `${i.line} ${i.path}: ${i.message}`), [
      '5 generated: generated pod name "infra-1-node-2-0" (nodes[0].pods[0]) clashes with an explicit one: rename the explicit one',
    ]);
  });

  it('rejects hypervisors together with hypervisorsPerPair, and sizes out of range', () => {
    const both = failure('name: x\ngenerated:\n  hypervisors: 8\n  hypervisorsPerPair: 2\n');
    assert.deepEqual(both.issues.map((i) => [i.line, i.path, i.message]), [[3, 'generated.hypervisors', 'give either hypervisors (a total) or hypervisorsPerPair, not both']]);
    const big = failure('name: x\ngenerated: { nodes: 50000, podsPerNode: 100 }\n');
    assert.match(big.message, /generated\.podsPerNode: nodes x podsPerNode is 5000000/);
    const locality = failure('name: x\ngenerated: { locality: 2 }\n');
    assert.match(locality.message, /generated\.locality: must be <= 1, got 2/);
    const typo = failure('name: x\ngenerated: { leafpairs: 2 }\n');
    assert.match(typo.message, /unknown key "leafpairs" \(did you mean "leafPairs"\?\)/);
  });

  it('still requires fabric and nodes without a generated section', () => {
    const err = failure('name: x\n');
    assert.deepEqual(err.issues.map((i) => `${i.path}: ${i.message}`), ['fabric: missing required key "fabric" (a mapping)', 'nodes: missing required key "nodes" (a list)']);
    const partial = failure('name: x\nfabric: { spines: [s] }\nnodes: []\n');
    assert.match(partial.message, /fabric\.leafPairs: missing required key "leafPairs"/);
    assert.match(partial.message, /nodes: must have at least 1 item, got 0/);
  });

  it('keeps the cross-reference checks exact: duplicates found, near-misses accepted, unknown pods listed', () => {
    const text = (pods: string, flows = '') =>
      [
        'name: checks',
        'fabric: { spines: [s], leafPairs: [{ name: pair-a, leaves: [{ name: la, id: 1, address: 10.0.90.1 }, { name: lb, id: 2, address: 10.0.90.2 }] }], hypervisors: [{ name: esx-a, leafPair: pair-a }] }',
        'policy: { vrfs: [{ name: v }], bridgeDomains: [{ name: b, vrf: v, subnets: [10.2.0.1/16] }], epgs: [{ name: e, bd: b }] }',
        'nodes:',
        `  - { name: n, hypervisor: esx-a, infraIp: 10.0.9.9, mac: "00:50:56:00:00:01", pods: [${pods}] }`,
        'generated: { leafPairs: 2, nodes: 40, podsPerNode: 25, epgs: 30 }',
        flows,
        '',
      ].join('\n');
    // Same low 32 bits of the MAC as a generated pod (0a:58:0a:40:00:02), different MAC: accepted.
    const ok = parseScenario(text('{ name: p1, epg: e, ip: 10.2.0.5, mac: "0b:58:0a:40:00:02" }'), 'c.yaml');
    assert.equal(ok.nodes.length, 41);
    const dup = failure(text('{ name: p1, epg: e, ip: 10.2.0.5, mac: "02:00:00:00:00:01" }, { name: p1, epg: e, ip: 10.2.0.5, mac: "02:00:00:00:00:01" }'));
    assert.deepEqual(dup.issues.map((i) => i.path), ['nodes[0].pods[1].name', 'nodes[0].pods[1].ip', 'nodes[0].pods[1].mac']);
    assert.match(dup.message, /duplicate pod name "p1" \(first used at line 5, nodes\[0\]\.pods\[0\]\.name\)/);
    const flow = failure(text('{ name: p1, epg: e, ip: 10.2.0.5, mac: "02:00:00:00:00:01" }', 'flows: [{ name: f, from: p1, to: nope }]'));
    assert.deepEqual(flow.issues.map((i) => i.path), ['flows[0].to']);
    assert.match(flow.message, /unknown pod "nope" \(known: p1, infra-1-node-1-0, [^,]+-node-1-1, .*, \.\.\.\)$/);
  });

  it('the layout names the same pods the expansion builds, without expanding', () => {
    const spec = generatedSchema.parse(PRESETS.S.plan.generated);
    const layout = new GeneratedLayout(spec, 1, {
      fabric: { podId: 1, spines: [], leafPairs: [], hypervisors: [], anycast: { address: '10.0.0.30', port: 8009 } },
      policy: { domain: '', tenant: 'kube', commonTenant: 'common', encapType: 'vxlan', vrfs: [], bridgeDomains: [], epgs: [], filters: [], contracts: [] },
      nodes: [],
    });
    for (const k of [0, 17, 63]) {
      const epgs = layout.nodeEpgs(k);
      const node = s.nodes[k]!;
      assert.equal(node.hypervisor, layout.hypervisors[layout.hypervisorOfNode(k)]!.name);
      node.pods.forEach((p, i) => assert.equal(p.name, layout.podName(k, i, epgs[i % epgs.length]!)));
    }
    assert.deepEqual(layout.nodesOnHypervisor(1), [4, 5, 6, 7]);
  });
});

describe('opflex-twin generate', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'opflex-generate-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a small valid scenario from a preset, with a header saying how', async () => {
    const { code, stdout } = await runCli(['generate', '--preset', 'S', '--seed', '3']);
    assert.equal(code, 0);
    assert.match(stdout, /^# Generated by: opflex-twin generate --preset S --seed 3\n/);
    const g = parseScenario(stdout, 'gen.yaml');
    assert.equal(g.seed, 3);
    assert.equal(g.start, 'steady', 'a plan starts from the settled fabric');
    assert.equal(g.nodes.length, 64);
    assert.equal(g.evacuations?.length, 2);
    // Flows connect a pod of a moving node with a pod on a node that stays.
    const evacuated = new Set(g.evacuations!.map((e) => e.hypervisor));
    const nodeOfPod = new Map(g.nodes.flatMap((n) => n.pods.map((p) => [p.name, n] as const)));
    assert.ok(g.flows.length >= 2);
    for (const f of g.flows) {
      const ends = [nodeOfPod.get(f.from)!, nodeOfPod.get(f.to)!];
      assert.equal(ends.filter((n) => evacuated.has(n.hypervisor)).length, 1, f.name);
    }
  });

  it('takes explicit sizes, planned migrations and an output file', async () => {
    const out = join(dir, 'g.yaml');
    const { code, stderr } = await runCli(['generate', '--leaf-pairs', '3', '--hypervisors', '9', '--nodes', '18', '--pods-per-node', '5', '--epgs', '12', '--contracts', '6', '--evacuate', '2', '--concurrency', '3', '--migrate', '2', '--out', out]);
    assert.equal(code, 0, stderr);
    const g = parseScenario(readFileSync(out, 'utf8'), out);
    assert.equal(g.fabric.leafPairs.length, 3);
    assert.equal(g.fabric.hypervisors.length, 9);
    assert.equal(pods(g).length, 90);
    assert.equal(g.policy.contracts.length, 6);
    assert.deepEqual(g.evacuations!.map((e) => e.concurrency), [3, 3]);
    assert.equal(g.migrations.length, 2);
    assert.equal(g.start, 'steady');
    const pair = pairOf(g);
    for (const m of g.migrations) assert.notEqual(pair.get(g.nodes.find((n) => n.name === m.node)!.hypervisor), pair.get(m.to));
  });

  it('rejects bad sizes and unknown presets as usage errors', async () => {
    assert.equal((await runCli(['generate', '--preset', 'XXL'])).code, 2);
    assert.equal((await runCli(['generate', '--nodes', '-1'])).code, 2);
    assert.equal((await runCli(['generate', '--nodes', 'many'])).code, 2);
    assert.match((await runCli(['generate', '--start', 'hot'])).stderr, /--start takes cold or steady/);
    assert.equal(parseScenario((await runCli(['generate', '--preset', 'S', '--start', 'cold'])).stdout, 'g.yaml').start, 'cold');
    const { code, stderr } = await runCli(['generate', '--nodes', '60000']);
    assert.equal(code, 2);
    assert.match(stderr, /--nodes/);
  });

  it('simulate --preset runs a preset, and refuses a file with it', async () => {
    const both = await runCli(['simulate', 'x.yaml', '--preset', 'S']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /not both/);
  });
});
