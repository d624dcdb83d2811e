import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTraceLine } from '../../src/kernel/trace.ts';
import { toJsonReport } from '../../src/report/json-report.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { simulate } from '../../src/simulation.ts';
import type { MigrationSummary } from '../../src/simulation-result.ts';
import { epgUri } from '../../src/model/policy-builder.ts';
import { buildPolicyUniverse } from '../../src/model/policy-builder.ts';
import { policyClosure } from '../../src/model/policy-closure.ts';
import { expectedDownloads, isCrossPair, podsOf, warmEpgs } from '../support/expectations.ts';

const scenario = loadBuiltinScenario('default');
const result = simulate(scenario, { recordTrace: true });
const cross = scenario.migrations.find((m) => isCrossPair(scenario, m))!;
const samePair = scenario.migrations.find((m) => !isCrossPair(scenario, m))!;
const summaryOf = (m: typeof cross): MigrationSummary => result.migrations[scenario.migrations.indexOf(m)]!;

function assertInOrder(summary: MigrationSummary, names: string[]): void {
  const byName = new Map(summary.milestones.map((s) => [s.name, s]));
  for (const name of names) assert.ok(byName.has(name), `milestone "${name}" missing in ${summary.milestones.map((s) => s.name).join(', ')}`);
  for (let i = 1; i < names.length; i++) {
    const a = byName.get(names[i - 1]!)!;
    const b = byName.get(names[i]!)!;
    assert.ok(a.tMs <= b.tMs, `${a.name} (${a.tMs}) before ${b.name} (${b.tMs})`);
    assert.ok(summary.milestones.indexOf(a) < summary.milestones.indexOf(b), `${a.name} listed before ${b.name}`);
  }
}

describe('the built-in default scenario', { timeout: 120_000 }, () => {
  it('has one migration to another leaf pair and one within the pair', () => {
    assert.ok(cross && samePair);
    assert.equal(result.migrations.length, scenario.migrations.length);
    assert.equal(summaryOf(cross).crossLeafPair, true);
    assert.equal(summaryOf(samePair).crossLeafPair, false);
  });

  it('makes each destination leaf download exactly the objects its pair did not hold, once each', () => {
    const expected = expectedDownloads(scenario, cross);
    assert.ok(expected.size > 0, 'the scenario moves the node onto a pair that lacks some of its policy');
    const summary = summaryOf(cross);
    const leaves = Object.keys(summary.downloadsByLeaf);
    assert.equal(leaves.length, 2);
    for (const leaf of leaves) {
      const downloaded = summary.downloadedObjects.filter((d) => d.leaf === leaf).map((d) => d.uri);
      assert.deepEqual(new Set(downloaded), expected, `objects downloaded by ${leaf}`);
      assert.equal(downloaded.length, expected.size, `${leaf} downloads nothing twice`);
    }
  });

  it('does not download an EPG the destination pair already hosts', () => {
    const summary = summaryOf(cross);
    const warm = warmEpgs(scenario, cross);
    const movedEpgs = new Set(podsOf(scenario, cross.node).map((p) => p.epg));
    const shared = [...movedEpgs].filter((e) => warm.has(e));
    assert.ok(shared.length > 0, 'the destination already hosts some of the node\'s EPGs');
    for (const epg of shared) {
      assert.ok(!summary.downloadedObjects.some((d) => d.uri === epgUri(scenario.policy.tenant, epg)), `${epg} not downloaded again`);
    }
  });

  it('downloads nothing when the node moves to another host on the same leaf pair', () => {
    const summary = summaryOf(samePair);
    assert.deepEqual(summary.downloadedObjects, []);
    for (const d of Object.values(summary.downloadsByLeaf)) assert.ok(d.servedFromCache > 0);
  });

  it('orders the cross-pair milestones as the fabric does', () => {
    assertInOrder(summaryOf(cross), [
      'migration-start', 'stun-start', 'resume', 'garp', 'destination-learn', 'coop-update', 'bounce-installed',
      'platform-config-delete-sent', 'agent-reset', 'session-ready-1', 'session-ready-2', 'policy-ready', 'converged',
    ]);
    assertInOrder(summaryOf(cross), ['session-ready-2', 'endpoints-declared', 'converged']);
  });

  it('orders the same-pair milestones with a port move instead of a COOP move', () => {
    const summary = summaryOf(samePair);
    assertInOrder(summary, [
      'migration-start', 'stun-start', 'resume', 'garp', 'destination-learn', 'source-device-moved',
      'platform-config-delete-sent', 'agent-reset', 'session-ready-1', 'session-ready-2', 'policy-ready', 'converged',
    ]);
    assert.ok(!summary.milestones.some((s) => s.name === 'coop-update' || s.name === 'bounce-installed'));
    assert.equal(summary.milestones.find((s) => s.name === 'source-device-moved')!.detail, 'port-moved');
  });

  it('drops traffic to cold-EPG pods for lack of policy until the destination holds it', () => {
    const summary = summaryOf(cross);
    const warm = warmEpgs(scenario, cross);
    const movedPods = new Map(podsOf(scenario, cross.node).map((p) => [p.name, p]));
    const universe = buildPolicyUniverse(scenario.policy);
    const coldFlows = scenario.flows.filter((f) => movedPods.has(f.to) && !warm.has(movedPods.get(f.to)!.epg));
    assert.ok(coldFlows.length > 0, 'the scenario probes a pod whose EPG is cold at the destination');
    for (const flow of coldFlows) {
      const stats = summary.flows.find((f) => f.name === flow.name)!;
      assert.ok((stats.dropped['no-policy'] ?? 0) > 0, `${flow.name} lost packets for lack of policy`);
      const needed = policyClosure(universe, [{ subject: 'GbpEpGroup', uri: epgUri(scenario.policy.tenant, movedPods.get(flow.to)!.epg) }]).map((r) => r.uri);
      const leaves = Object.keys(summary.downloadsByLeaf);
      const readyAt = leaves.map((leaf) =>
        Math.max(summary.startMs, ...needed.map((uri) =>
          Math.max(0, ...result.trace.filter((e) => e.actor === leaf && e.event === 'policy-present' && e.data.uri === uri && e.tMs >= summary.startMs).map((e) => e.tMs)))));
      const firstLeafReady = Math.min(...readyAt);
      const bothLeavesReady = Math.max(...readyAt);
      assert.ok(firstLeafReady > summary.startMs, 'the destination downloaded the EPG during the migration');
      assert.ok(stats.lastDropMs! <= bothLeavesReady + flow.intervalMs, `${flow.name}: last drop ${stats.lastDropMs} not after policy arrived at ${bothLeavesReady}`);
      const up = result.trace.find((e) => e.actor === `flow:${flow.name}` && e.event === 'flow-up' && e.tMs > summary.startMs)!;
      assert.ok(up.tMs >= firstLeafReady, `${flow.name} recovers (${up.tMs}) only once policy is present (${firstLeafReady})`);
    }
  });

  it('lets flows to pods whose EPG was already at the destination recover sooner', () => {
    const summary = summaryOf(cross);
    const warm = warmEpgs(scenario, cross);
    const movedPods = new Map(podsOf(scenario, cross.node).map((p) => [p.name, p]));
    const toMoved = summary.flows.filter((f) => movedPods.has(f.to) && !movedPods.has(f.from));
    const warmFlows = toMoved.filter((f) => warm.has(movedPods.get(f.to)!.epg));
    const coldFlows = toMoved.filter((f) => !warm.has(movedPods.get(f.to)!.epg));
    assert.ok(warmFlows.length > 0 && coldFlows.length > 0);
    for (const w of warmFlows) {
      assert.equal(w.dropped['no-policy'] ?? 0, 0, `${w.name} never lacks policy`);
      for (const c of coldFlows) assert.ok(w.outageMs < c.outageMs, `${w.name} (${w.outageMs} ms) recovers before ${c.name} (${c.outageMs} ms)`);
    }
  });

  it('counts OpFlex messages by method and direction', () => {
    const m = result.stats.messages;
    const deletes = result.trace.filter((e) => e.event === 'platform-config-delete-sent').length;
    assert.equal(m.policy_update!.leafToAgent, deletes, 'every policy_update is a PlatformConfig delete here');
    assert.equal(m.policy_update!.agentToLeaf, 0, 'the agent never answers a policy_update');
    assert.equal(m.policy_resolve!.agentToLeaf, m.policy_resolve!.leafToAgent, 'every resolve is answered');
    assert.ok(m.send_identity!.agentToLeaf >= 2 * scenario.nodes.length);
  });

  it('converges both migrations', () => {
    for (const m of result.migrations) assert.equal(m.converged, true, `migration of ${m.node}`);
  });
});

describe('determinism', { timeout: 120_000 }, () => {
  const stable = (r: ReturnType<typeof simulate>) => {
    const json = toJsonReport(r) as { stats: Record<string, unknown> };
    delete json.stats.wallMs;
    delete json.stats.startWallMs;
    delete json.stats.peakRssBytes;
    return JSON.stringify(json);
  };

  it('gives byte-identical JSON and trace for the same scenario and seed', () => {
    const again = simulate(scenario, { recordTrace: true });
    assert.equal(stable(again), stable(result));
    assert.equal(again.trace.map(formatTraceLine).join('\n'), result.trace.map(formatTraceLine).join('\n'));
  });

  it('changes timings with a different seed', () => {
    const other = simulate(scenario, { seed: scenario.seed + 1 });
    const times = (r: ReturnType<typeof simulate>) => r.migrations.flatMap((m) => m.milestones.map((s) => s.tMs));
    assert.notDeepEqual(times(other), times(result));
    assert.equal(other.seed, scenario.seed + 1);
  });
});
