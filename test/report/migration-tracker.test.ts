import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceData } from '../../src/kernel/trace.ts';
import { MigrationTracker, type TrackerContext } from '../../src/report/migration-tracker.ts';

const LEAVES: Record<string, string[]> = { 'pair-a': ['leaf-101', 'leaf-102'], 'pair-b': ['leaf-103', 'leaf-104'] };
const NEEDED = ['/PolicyUniverse/PlatformConfig/x/', '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/web/', '/PolicyUniverse/PolicySpace/kube/GbpBridgeDomain/bd/'];

const context: TrackerContext = {
  infraIpOf: () => '10.0.0.30',
  leavesOfPair: (pair) => LEAVES[pair] ?? [],
  pathOfHypervisor: (h) => `topology/path-${h}`,
  policyNeededBy: () => NEEDED,
  endpointCountOf: () => 0,
};

/** A tracker fed events one by one at increasing times; `milestones()` lists what it recorded. */
function tracker() {
  const t = new MigrationTracker(context);
  let tMs = 0;
  const feed = (actor: string, event: string, data: TraceData = {}) => t.onEvent({ tMs: tMs++, actor, event, data });
  const milestones = () => t.records[0]!.milestones.map((m) => m.name);
  return { t, feed, milestones };
}

function startMigration(feed: ReturnType<typeof tracker>['feed']): void {
  feed('host-agent:node-1', 'migration-start', { node: 'node-1', migration: 0, from: 'esx-1', to: 'esx-3', fromPair: 'pair-a', toPair: 'pair-b' });
  feed('agent:node-1', 'agent-reset', { path: 'platform-config-delete' });
}

const present = (leaf: string, uri: string) => [leaf, 'policy-present', { uri, subject: 'x' }] as const;

describe('the migration tracker', { timeout: 30_000 }, () => {
  it('marks policy ready when the last needed object arrives on the last destination leaf, once both sessions are ready', () => {
    const { feed, milestones } = tracker();
    // What the destination already held before the move counts.
    feed(...present('leaf-103', NEEDED[0]!));
    startMigration(feed);
    feed('leaf-103', 'session-ready', { agent: 'node-1' });
    feed('leaf-104', 'session-ready', { agent: 'node-1' });
    for (const uri of NEEDED.slice(1)) feed(...present('leaf-103', uri));
    feed(...present('leaf-101', NEEDED[0]!)); // the source pair does not count
    for (const uri of NEEDED.slice(0, -1)) feed(...present('leaf-104', uri));
    assert.ok(!milestones().includes('policy-ready'));
    feed(...present('leaf-104', NEEDED.at(-1)!));
    assert.ok(milestones().includes('policy-ready'));
  });

  it('waits for both sessions when the objects were there first', () => {
    const { feed, milestones } = tracker();
    for (const leaf of LEAVES['pair-b']!) for (const uri of NEEDED) feed(...present(leaf, uri));
    startMigration(feed);
    feed('leaf-103', 'session-ready', { agent: 'node-1' });
    assert.ok(!milestones().includes('policy-ready'));
    feed('leaf-104', 'session-ready', { agent: 'node-1' });
    assert.equal(milestones().at(-1), 'policy-ready');
  });

  it('does not count an object collected before the rest arrived, nor one reported present twice', () => {
    const { feed, milestones } = tracker();
    startMigration(feed);
    feed('leaf-103', 'session-ready', { agent: 'node-1' });
    feed('leaf-104', 'session-ready', { agent: 'node-1' });
    feed(...present('leaf-103', NEEDED[0]!));
    feed(...present('leaf-103', NEEDED[0]!));
    feed('leaf-103', 'policy-gc', { uri: NEEDED[0]!, subject: 'x' });
    for (const leaf of LEAVES['pair-b']!) for (const uri of NEEDED.slice(1)) feed(...present(leaf, uri));
    feed(...present('leaf-104', NEEDED[0]!));
    assert.ok(!milestones().includes('policy-ready'));
    feed(...present('leaf-103', NEEDED[0]!));
    assert.equal(milestones().at(-1), 'policy-ready');
  });
});
