import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataPlane, PolicyAtInstant, type DataPlaneView, type PodInfo } from '../../src/fabric/data-plane.ts';
import type { Leaf } from '../../src/fabric/leaf.ts';
import type { ProbePacket } from '../../src/fabric/contract-matcher.ts';

const NEEDED: Record<string, string[]> = { web: ['/bd/', '/web/'], db: ['/bd/', '/db/'] };

/** A leaf with every pod's endpoint learned locally and a cache that counts what it is asked. */
function leaf(name: string, pair: string, held: Set<string>, asked: string[]): Leaf {
  const nodes: Record<string, string> = { '10.2.0.1': 'node-1', '10.2.0.2': 'node-2' };
  return {
    name,
    pair,
    epm: { get: (ip: string) => (nodes[ip] && pair === (ip === '10.2.0.1' ? 'pair-a' : 'pair-b') ? { kind: 'local', node: nodes[ip], path: `path-${nodes[ip]}` } : undefined), remotePair: () => undefined, learnRemote() {} },
    cache: { has: (uri: string) => (asked.push(`${name} ${uri}`), held.has(uri)) },
  } as unknown as Leaf;
}

function plane(held: Set<string>, asked: string[]): DataPlane {
  const leaves: Record<string, Leaf[]> = { 'pair-a': [leaf('leaf-101', 'pair-a', held, asked)], 'pair-b': [leaf('leaf-103', 'pair-b', held, asked)] };
  const view: DataPlaneView = {
    pairOfNode: (node) => (node === 'node-1' ? 'pair-a' : 'pair-b'),
    pathOfNode: (node) => `path-${node}`,
    isStunned: () => false,
    leavesOfPair: (pair) => leaves[pair]!,
    coopOwner: (ip) => (ip === '10.2.0.1' ? 'pair-a' : 'pair-b'),
    policyNeeded: (epg) => NEEDED[epg]!,
    contractVerdict: () => 'permit',
  };
  return new DataPlane(view);
}

const web: PodInfo = { name: 'web-1', node: 'node-1', ip: '10.2.0.1', epg: 'web' };
const db: PodInfo = { name: 'db-1', node: 'node-2', ip: '10.2.0.2', epg: 'db' };
const packet = {} as ProbePacket;

describe('the data plane', { timeout: 10_000 }, () => {
  it('asks each leaf about each EPG once for a request and its reply sent at one instant', () => {
    const asked: string[] = [];
    const dp = plane(new Set(['/bd/', '/web/', '/db/']), asked);
    const held = new PolicyAtInstant();
    assert.equal(dp.send(web, db, 0, packet, false, held).delivered, true);
    const byRequest = asked.length;
    assert.equal(dp.send(db, web, 0, packet, true, held).delivered, true);
    assert.equal(asked.length, byRequest, 'the reply reads what the request found');
    assert.deepEqual(asked, ['leaf-101 /bd/', 'leaf-101 /web/', 'leaf-103 /bd/', 'leaf-103 /db/']);
  });

  it('reads the caches again at another instant, and drops a packet the policy of which a leaf does not hold', () => {
    const asked: string[] = [];
    const cached = new Set(['/bd/', '/web/', '/db/']);
    const dp = plane(cached, asked);
    assert.equal(dp.send(web, db, 0, packet, false, new PolicyAtInstant()).delivered, true);
    cached.delete('/db/');
    const outcome = dp.send(web, db, 0, packet, false, new PolicyAtInstant());
    assert.deepEqual([outcome.delivered, outcome.reason, outcome.at], [false, 'no-policy', 'leaf-103']);
  });
});
