/** Expected outcomes derived from a scenario's data (never typed in by hand). */
import { buildPolicyUniverse, epgUri, platformConfigUri } from '../../src/model/policy-builder.ts';
import { policyClosure } from '../../src/model/policy-closure.ts';
import type { MigrationSpec, Scenario } from '../../src/scenario/types.ts';

function pairOfHypervisor(s: Scenario, hypervisor: string): string {
  return s.fabric.hypervisors.find((h) => h.name === hypervisor)!.leafPair;
}

/** Where every node is just before a migration starts (earlier migrations applied). */
function placementBefore(s: Scenario, migration: MigrationSpec): Map<string, string> {
  const at = new Map(s.nodes.map((n) => [n.name, n.hypervisor]));
  for (const m of [...s.migrations].sort((a, b) => a.atMs - b.atMs)) {
    if (m === migration || m.atMs >= migration.atMs) break;
    at.set(m.node, m.to);
  }
  return at;
}

/** PlatformConfig plus the reference closure of every EPG the nodes' pods are in. */
function policyNeededBy(s: Scenario, nodes: string[]): Set<string> {
  const universe = buildPolicyUniverse(s.policy);
  const out = new Set<string>([platformConfigUri(s.policy.domain)]);
  for (const node of s.nodes.filter((n) => nodes.includes(n.name))) {
    for (const pod of node.pods) {
      for (const ref of policyClosure(universe, [{ subject: 'GbpEpGroup', uri: epgUri(s.policy.tenant, pod.epg) }])) out.add(ref.uri);
    }
  }
  return out;
}

/** The objects a destination pair must download for a migration: what the node needs minus what the pair holds. */
export function expectedDownloads(s: Scenario, migration: MigrationSpec): Set<string> {
  const placement = placementBefore(s, migration);
  const toPair = pairOfHypervisor(s, migration.to);
  const residents = [...placement].filter(([node, h]) => node !== migration.node && pairOfHypervisor(s, h) === toPair).map(([n]) => n);
  const held = policyNeededBy(s, residents);
  return new Set([...policyNeededBy(s, [migration.node])].filter((uri) => !held.has(uri)));
}

export function isCrossPair(s: Scenario, migration: MigrationSpec): boolean {
  const from = placementBefore(s, migration).get(migration.node)!;
  return pairOfHypervisor(s, from) !== pairOfHypervisor(s, migration.to);
}

/** EPGs the destination pair already serves before the migration. */
export function warmEpgs(s: Scenario, migration: MigrationSpec): Set<string> {
  const placement = placementBefore(s, migration);
  const toPair = pairOfHypervisor(s, migration.to);
  const out = new Set<string>();
  for (const n of s.nodes) {
    if (n.name !== migration.node && pairOfHypervisor(s, placement.get(n.name)!) === toPair) for (const p of n.pods) out.add(p.epg);
  }
  return out;
}

export function podsOf(s: Scenario, node: string) {
  return s.nodes.find((n) => n.name === node)!.pods;
}
