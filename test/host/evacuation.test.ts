import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { simulate } from '../../src/simulation.ts';
import type { SimulationResult } from '../../src/simulation-result.ts';

/** 2 leaf pairs x 3 hypervisors, 5 node VMs on each hypervisor. */
function fabric(extra: string[], generated = 'leafPairs: 2, hypervisorsPerPair: 3, nodes: 30, podsPerNode: 3, epgs: 8'): Scenario {
  return parseScenario(['name: evac', 'seed: 5', 'duration: 150s', `generated: { ${generated} }`, ...extra, ''].join('\n'), 'evac.yaml');
}

function failure(text: string): ScenarioError {
  try {
    parseScenario(text, 'evac.yaml');
  } catch (err) {
    assert.ok(err instanceof ScenarioError, String(err));
    return err;
  }
  assert.fail('expected a ScenarioError');
}

/** Most windows [open, close] (by migration index) open at once, over the trace. */
function peakOverlap(trace: readonly TraceEvent[], open: string, close: string, indices: ReadonlySet<number>): number {
  let current = 0;
  let peak = 0;
  for (const e of trace) {
    if (!indices.has(e.data.migration as number)) continue;
    if (e.event === open) peak = Math.max(peak, ++current);
    else if (e.event === close) current--;
  }
  return peak;
}

/** Where every node ends: its hypervisor at the start, then each completed move's destination. */
function finalPlacement(s: Scenario, trace: readonly TraceEvent[]): Map<string, string> {
  const at = new Map(s.nodes.map((n) => [n.name, n.hypervisor]));
  for (const e of trace) if (e.event === 'resume') at.set(e.data.node as string, e.data.hypervisor as string);
  return at;
}

function evacuationIndices(result: SimulationResult, nodes: readonly string[]): Set<number> {
  return new Set(result.migrations.filter((m) => nodes.includes(m.node)).map((m) => m.index));
}

describe('host evacuation', { timeout: 120_000 }, () => {
  const s = fabric(['evacuations: [{ at: 10s, hypervisor: esx-1, concurrency: 2 }]']);
  const onHost = s.nodes.filter((n) => n.hypervisor === 'esx-1').map((n) => n.name);
  const result = simulate(s, { recordTrace: true });
  const evacuated = evacuationIndices(result, onHost);

  it('moves every VM of the host, each once, and reports each move like a planned migration', () => {
    assert.equal(onHost.length, 5);
    assert.deepEqual(result.migrations.map((m) => m.node).sort(), [...onHost].sort());
    assert.deepEqual(result.migrations.map((m) => m.index), [0, 1, 2, 3, 4]);
    for (const m of result.migrations) {
      assert.equal(m.from, 'esx-1');
      assert.ok(m.milestones.some((x) => x.name === 'resume'), `${m.node} resumed`);
      assert.ok(m.converged, `${m.node} converged`);
    }
    const start = result.trace.find((e) => e.event === 'evacuation-start')!;
    const done = result.trace.find((e) => e.event === 'evacuation-done')!;
    assert.equal(start.actor, 'evacuation');
    assert.equal(start.tMs, 10_000);
    assert.deepEqual([start.data.hypervisor, start.data.vms, start.data.concurrency], ['esx-1', 5, 2]);
    assert.deepEqual([done.data.hypervisor, done.data.vms, done.data.concurrency], ['esx-1', 5, 2]);
    const lastResume = Math.max(...result.trace.filter((e) => e.event === 'resume').map((e) => e.tMs));
    assert.equal(done.tMs, lastResume);
  });

  it('never runs more than `concurrency` moves at once, and uses the limit', () => {
    assert.equal(peakOverlap(result.trace, 'stun-start', 'resume', evacuated), 2);
    assert.equal(peakOverlap(result.trace, 'migration-start', 'resume', evacuated), 2);
    // The third move starts exactly when one of the first two resumes.
    const starts = result.trace.filter((e) => e.event === 'migration-start').map((e) => e.tMs);
    const resumes = result.trace.filter((e) => e.event === 'resume').map((e) => e.tMs);
    assert.deepEqual(starts.slice(0, 2), [10_000, 10_000]);
    assert.ok(resumes.includes(starts[2]!));
  });

  it('puts every VM on a valid target, never on the evacuated host, least-loaded first', () => {
    const placement = finalPlacement(s, result.trace);
    const hosts = new Set(s.fabric.hypervisors.map((h) => h.name));
    for (const node of onHost) {
      const h = placement.get(node)!;
      assert.ok(hosts.has(h) && h !== 'esx-1', `${node} on ${h}`);
    }
    assert.equal([...placement.values()].filter((h) => h === 'esx-1').length, 0);
    // All targets started with 5 VMs: the 5 moves go to 5 different hosts, in name order.
    assert.deepEqual(result.migrations.map((m) => m.to), ['esx-2', 'esx-3', 'esx-4', 'esx-5', 'esx-6']);
  });

  it('moves only to the listed targets, balancing between them', () => {
    const listed = fabric(['evacuations: [{ at: 10s, hypervisor: esx-4, to: [esx-6, esx-2], concurrency: 8 }]']);
    const r = simulate(listed, { recordTrace: true });
    const moved = r.migrations.map((m) => m.to);
    assert.equal(moved.length, 5);
    assert.ok(moved.every((h) => h === 'esx-2' || h === 'esx-6'), moved.join(','));
    const counts = [moved.filter((h) => h === 'esx-2').length, moved.filter((h) => h === 'esx-6').length];
    assert.ok(Math.abs(counts[0]! - counts[1]!) <= 1, `balanced: ${counts}`);
    assert.equal(peakOverlap(r.trace, 'migration-start', 'resume', new Set(r.migrations.map((m) => m.index))), 5);
  });

  it('continues migration indices after the planned ones and never targets another host being evacuated', () => {
    const both = fabric([
      'migrations: [{ at: 5s, node: node-30, to: esx-1 }]',
      'evacuations:',
      '  - { at: 10s, hypervisor: esx-2, concurrency: 3 }',
      '  - { at: 10s, hypervisor: esx-3, concurrency: 3 }',
    ]);
    const r = simulate(both, { recordTrace: true });
    assert.equal(r.migrations[0]!.node, 'node-30');
    assert.equal(r.migrations[0]!.index, 0);
    const evac = r.migrations.slice(1);
    assert.equal(evac.length, 10);
    assert.deepEqual(evac.map((m) => m.index), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const m of evac) assert.ok(m.to !== 'esx-2' && m.to !== 'esx-3', `${m.node} -> ${m.to}`);
    const placement = finalPlacement(both, r.trace);
    assert.equal([...placement.values()].filter((h) => h === 'esx-2' || h === 'esx-3').length, 0);
    // node-30's planned move made esx-1 the most loaded host: it gets the fewest evacuees.
    const per = new Map<string, number>();
    for (const h of placement.values()) per.set(h, (per.get(h) ?? 0) + 1);
    const loads = [...per.values()];
    assert.ok(Math.max(...loads) - Math.min(...loads) <= 1, JSON.stringify([...per]));
    assert.equal(r.trace.filter((e) => e.event === 'evacuation-done').length, 2);
  });

  it('is validated like migrations', () => {
    const base = ['name: e', 'duration: 100s', 'generated: { leafPairs: 1, hypervisorsPerPair: 2, nodes: 2 }'];
    const err = failure([...base, 'evacuations:', '  - { at: 10s, hypervisor: esx-9 }', '  - { at: 10s, hypervisor: esx-1, to: [esx-1, esx-7, esx-2, esx-2] }', ''].join('\n'));
    assert.deepEqual(
      err.issues.map((i) => `${i.line} ${i.path}: ${i.message}`),
      [
        '5 evacuations[0].hypervisor: unknown hypervisor "esx-9" (known: esx-1, esx-2)',
        '6 evacuations[1].to[0]: "esx-1" is the hypervisor being evacuated: list only other hypervisors',
        '6 evacuations[1].to[1]: unknown hypervisor "esx-7" (known: esx-1, esx-2)',
        '6 evacuations[1].to[3]: hypervisor "esx-2" is listed twice',
      ],
    );
    const zero = failure([...base, 'evacuations: [{ at: 10s, hypervisor: esx-2, concurrency: 0 }]', ''].join('\n'));
    assert.deepEqual(zero.issues.map((i) => `${i.line} ${i.path}: ${i.message}`), ['4 evacuations[0].concurrency: must be >= 1, got 0']);
    const late = failure([...base, 'evacuations: [{ at: 200s, hypervisor: esx-2 }]', ''].join('\n'));
    assert.match(late.message, /evacuations\[0\]\.at: 200s is not before the end of the scenario/);
    const alone = failure(['name: e', 'generated: { leafPairs: 1, hypervisorsPerPair: 1, nodes: 2 }', 'evacuations: [{ at: 1s, hypervisor: esx-1 }]', ''].join('\n'));
    assert.match(alone.message, /no other hypervisor to move the VMs of "esx-1" to/);
    // Defaults: concurrency 8, every other hypervisor, duration after the evacuation.
    const ok = parseScenario(['name: e', 'generated: { leafPairs: 1, hypervisorsPerPair: 2, nodes: 2 }', 'evacuations: [{ at: 30s, hypervisor: esx-1 }]', ''].join('\n'), 'e.yaml');
    assert.deepEqual(ok.evacuations, [{ atMs: 30_000, hypervisor: 'esx-1', concurrency: 8 }]);
    assert.equal(ok.durationMs, 150_000);
  });
});

describe('a storm of cold moves onto one leaf pair', { timeout: 120_000 }, () => {
  // locality 1 and two EPGs per node (the infra EPG and one homed on the node's pair): the other
  // pair has never seen the movers' second EPG, so each move makes its leaves download from APIC,
  // one object at a time.
  const storm = (movers: number) => {
    const base = fabric(
      [
        'leaf: { downloadConcurrency: 1 }',
        'latencies: { preCopy: 5s, stun: 300ms, apicFetch: 200ms }',
      ],
      'leafPairs: 2, hypervisorsPerPair: 4, nodes: 40, podsPerNode: 2, epgs: 100, epgsPerNode: 2, locality: 1',
    );
    const pair = new Map(base.fabric.hypervisors.map((h) => [h.name, h.leafPair]));
    const from = base.nodes.filter((n) => pair.get(n.hypervisor) === 'pair-1');
    const atDestination = new Set(base.nodes.filter((n) => pair.get(n.hypervisor) === 'pair-2').flatMap((n) => n.pods.map((p) => p.epg)));
    const moving = from.slice(0, movers);
    for (const n of moving) {
      const cold = n.pods.filter((p) => !atDestination.has(p.epg));
      assert.ok(cold.length > 0, `${n.name} has an EPG that is cold on pair-2`);
    }
    const scenario: Scenario = { ...base, migrations: moving.map((n) => ({ atMs: 10_000, node: n.name, to: 'esx-5' })) };
    const r = simulate(scenario);
    const ready = r.migrations.map((m) => m.milestones.find((x) => x.name === 'policy-ready')?.tMs);
    assert.equal(ready.length, movers);
    assert.ok(ready.every((t) => t !== undefined), 'every move reaches policy-ready');
    return Math.max(...(ready as number[])) - 10_000;
  };

  it('the last policy-ready time grows with the number of simultaneous cold moves', () => {
    const one = storm(1);
    const four = storm(4);
    const sixteen = storm(16);
    assert.ok(one < four && four < sixteen, `1 move: ${one} ms, 4 moves: ${four} ms, 16 moves: ${sixteen} ms`);
  });
});
