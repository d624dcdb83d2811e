import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomStreams } from '../../src/kernel/random.ts';
import { Trace } from '../../src/kernel/trace.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { ObjectStore } from '../../src/model/object-store.ts';
import { buildPolicyUniverse, epgUri, platformConfigUri } from '../../src/model/policy-builder.ts';
import { UriInterner } from '../../src/model/uri-interner.ts';
import { AgentProcessor, type LocalEndpoint } from '../../src/opflex/agent-processor.ts';
import { SeedingMemo } from '../../src/opflex/seeding-memo.ts';
import { parseScenario } from '../../src/scenario/loader.ts';

const scenario = parseScenario(
  'name: memo\ngenerated: { leafPairs: 2, hypervisorsPerPair: 2, nodes: 8, podsPerNode: 6, epgs: 12, epgsPerNode: 3 }\n',
  'memo.yaml',
);
const universe = buildPolicyUniverse(scenario.policy);

/** What a processor holds and does, in a form two runs compare by. */
interface Observed {
  wanted: string[];
  resolved: boolean[];
  store: string[];
  bytes: number;
  declared: string[];
  /** Every request sent after the seed, with its time: refresh and retry timers show here. */
  sent: string[];
  /** What is still wanted once every endpoint is gone and the unresolve delay has passed (reference counts show here). */
  wantedAfterRemoval: string[];
  /** The next draw of the agent's random stream: the seed drew as often in both runs. */
  nextDraw: number;
}

/**
 * Seeds one processor per node of the scenario from `policy`, with or without a memo shared by all,
 * then runs each for two refresh periods and takes its endpoints away.
 */
function seedAll(policy: ObjectStore, nodes: { name: string; endpoints: LocalEndpoint[] }[], memo: SeedingMemo | undefined): Observed[] {
  const uris = new UriInterner();
  const scheduler = new VirtualScheduler();
  const trace = new Trace(scheduler, { record: false });
  const randoms = new RandomStreams(7);
  const sent: string[][] = [];
  const processors = nodes.map((node) => {
    const log: string[] = [];
    sent.push(log);
    const processor = new AgentProcessor(
      `agent:${node.name}`,
      scheduler,
      trace,
      randoms.stream(node.name),
      { prrS: 30, retryDelayS: 1, gcDelayMs: 250 },
      (_role, method, params) => {
        log.push(`${scheduler.now()} ${method} ${JSON.stringify(params, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
        return 1;
      },
      () => {},
      uris,
    );
    processor.seed(
      { resolve: (_subject, uri) => policy.subtree(uri), declare: () => {}, ...(memo ? { memo } : {}) },
      () => {
        processor.addReference('PlatformConfig', platformConfigUri(scenario.policy.domain));
        for (const endpoint of node.endpoints) processor.addEndpoint(endpoint);
      },
    );
    return processor;
  });
  memo?.dispose();
  const seeded = processors.map((p) => ({
    wanted: p.wantedUris(),
    resolved: p.wantedUris().map((u) => p.isResolved(u)),
    store: [...p.store.uris()],
    bytes: p.store.bytes,
    declared: p.declaredEndpoints().map((e) => e.uuid),
  }));
  scheduler.runUntil(60_000);
  for (const [i, node] of nodes.entries()) for (const e of node.endpoints) processors[i]!.removeEndpoint(e.uuid);
  scheduler.runUntil(61_000);
  return processors.map((p, i) => ({
    ...seeded[i]!,
    sent: sent[i]!,
    wantedAfterRemoval: p.wantedUris(),
    nextDraw: randoms.stream(nodes[i]!.name).uniform(0, 1),
  }));
}

function endpoint(node: string, pod: string, ip: string, mac: string, epg: string): LocalEndpoint {
  return { uuid: `${node}/${pod}`, name: pod, mac, ips: [ip], epgUri: epg, interfaceName: `veth-${pod}` };
}

describe('a steady start memo shared by the agents it seeds', { timeout: 60_000 }, () => {
  const tenant = scenario.policy.tenant;
  const nodes = scenario.nodes.map((n) => ({ name: n.name, endpoints: n.pods.map((p) => endpoint(n.name, p.name, p.ip, p.mac, epgUri(tenant, p.epg))) }));

  it('leaves every agent as it would be without the memo: resolves, store, declares, timers and reference counts', () => {
    const memo = new SeedingMemo();
    const withMemo = seedAll(universe, nodes, memo);
    const without = seedAll(universe, nodes, undefined);
    assert.deepEqual(withMemo, without);
    assert.ok(withMemo.every((a) => a.wanted.length > 10 && a.declared.length === 6), 'every agent resolved its EPGs and declared its pods');
  });

  it('answers later agents from what the first stored, knows the size of what a root leads to, and gives back every id it held', () => {
    const memo = new SeedingMemo();
    const uris = new UriInterner();
    const scheduler = new VirtualScheduler();
    const seeded = (name: string) => {
      const p = new AgentProcessor(name, scheduler, new Trace(scheduler, { record: false }), new RandomStreams(1).stream(name), { prrS: 30, retryDelayS: 1, gcDelayMs: 250 }, () => 1, () => {}, uris);
      p.seed({ resolve: (_s, uri) => universe.subtree(uri), declare: () => {}, memo }, () => p.addEndpoint(nodes[0]!.endpoints[0]!));
      return p;
    };
    const first = seeded('a');
    const epg = nodes[0]!.endpoints[0]!.epgUri;
    const epgId = uris.idOf(epg);
    assert.ok(memo.recall(uris, epgId, universe.subtree(epg)), 'the EPG answer is remembered');
    assert.equal(memo.recall(uris, epgId, universe.subtree(epg).slice(1)), undefined, 'another answer for the same URI is not');
    assert.equal(memo.resolvesHint, first.wantedUris().length);
    assert.deepEqual(memo.sizeOfClosure(uris, [epg]), { resolves: first.wantedUris().length, objects: first.store.size }, 'the closure of the EPG is what the agent holds');
    assert.equal(memo.sizeOfClosure(uris, [epg, '/never/resolved/']), undefined, 'a root it does not know leaves the size unknown');
    const heldBefore = uris.holdersOf(epgId);
    memo.dispose();
    assert.equal(uris.holdersOf(epgId), heldBefore - 1, 'dispose releases the memo\'s hold');
    assert.equal(memo.recall(uris, epgId, universe.subtree(epg)), undefined, 'a disposed memo remembers nothing');
  });

  it('turns itself off, with every agent still as without it, when one answer lies inside another', () => {
    // /A/ holds /A/B/; /C/ references /A/B/ itself, so an agent holding both has /A/B/ in /A/'s subtree twice over.
    const mo = (subject: string, uri: string, parent: string | undefined, children: string[], refs: string[] = []): ManagedObject => ({
      subject,
      uri,
      properties: refs.map((r, i) => ({ name: `ref${i}`, data: { subject: 'GbpBridgeDomain', reference_uri: r } })),
      children,
      ...(parent ? { parent_subject: 'PolicyUniverse', parent_uri: parent, parent_relation: subject } : {}),
    });
    const nested = new ObjectStore();
    nested.replace(mo('PolicyUniverse', '/', undefined, ['/A/', '/C/', '/D/']));
    nested.replace(mo('GbpEpGroup', '/A/', '/', ['/A/B/'], ['/D/']));
    nested.replace(mo('GbpBridgeDomain', '/A/B/', '/A/', [], ['/D/']));
    nested.replace(mo('GbpEpGroup', '/C/', '/', [], ['/A/B/']));
    nested.replace(mo('GbpRoutingDomain', '/D/', '/', []));
    const pods = (node: string, epg: string, n: number) => [1, 2].map((p) => endpoint(node, `pod-${n}-${p}`, `10.0.${n}.${p}`, `02:00:00:00:0${n}:0${p}`, epg));
    const agents = [['node-1', ['/C/']], ['node-2', ['/A/']], ['node-3', ['/C/']], ['node-4', ['/A/']], ['node-5', ['/A/', '/C/']]].map(([name, epgs], n) => ({
      name: name as string,
      endpoints: (epgs as string[]).flatMap((epg, k) => pods(name as string, epg, 2 * n + k)),
    }));
    const withMemo = seedAll(nested, agents, new SeedingMemo());
    const without = seedAll(nested, agents, undefined);
    assert.deepEqual(withMemo, without);
  });
});
