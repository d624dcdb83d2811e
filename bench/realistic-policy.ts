/**
 * The policy file the live suite serves at realistic reply sizes: preset M's policy universe cut
 * down to its first EPGS_KEPT endpoint groups and everything they need (bridge domains, VRFs,
 * contracts, filters), with PlatformConfig and both policy spaces, in opflex_server's file format.
 * Deterministic: the same code gives the same bytes. `npx tsx bench/realistic-policy.ts` rewrites
 * bench/realistic-policy.json and prints the reply-size distribution that bench/README.md quotes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ManagedObject } from '../src/model/managed-object.ts';
import { buildPolicyUniverse } from '../src/model/policy-builder.ts';
import { stringifyJson } from '../src/opflex/lossless-json.ts';
import { serializePolicyFile } from '../src/scenario/policy-file.ts';
import { loadPreset } from '../src/scenario/presets.ts';
import { agentResolveTargets } from '../src/live/resolve-targets.ts';
import { storeFromObjects } from '../src/scenario/policy-source.ts';
import type { PolicySpec } from '../src/scenario/types.ts';

export const REALISTIC_POLICY_FILE = fileURLToPath(new URL('./realistic-policy.json', import.meta.url));

/** Endpoint groups kept from preset M (of 300): enough for a varied mix, small enough to commit. */
const EPGS_KEPT = 24;

export function realisticPolicySpec(): PolicySpec {
  const full = loadPreset('M').policy;
  const epgs = full.epgs.slice(0, EPGS_KEPT);
  const bdNames = new Set(epgs.map((e) => e.bd));
  const bridgeDomains = full.bridgeDomains.filter((bd) => bdNames.has(bd.name));
  const vrfNames = new Set(bridgeDomains.map((bd) => bd.vrf));
  const contractNames = new Set(epgs.flatMap((e) => [...e.provides, ...e.consumes]));
  const contracts = full.contracts.filter((c) => contractNames.has(c.name));
  const filterNames = new Set(contracts.flatMap((c) => c.subjects.flatMap((s) => s.rules.flatMap((r) => r.filters))));
  return {
    ...full,
    vrfs: full.vrfs.filter((v) => vrfNames.has(v.name)),
    bridgeDomains,
    epgs,
    contracts,
    filters: full.filters.filter((f) => filterNames.has(f.name)),
  };
}

export function realisticPolicyObjects(): ManagedObject[] {
  return [...buildPolicyUniverse(realisticPolicySpec()).values()];
}

export interface ReplySizeStats {
  objects: number;
  meanBytes: number;
  p50Bytes: number;
  p99Bytes: number;
  maxBytes: number;
}

/**
 * Sizes of the policy_resolve replies the load client gets (`opflex-twin load --policy`: what an
 * agent resolves, see agentResolveTargets): each reply is the object's subtree, framed as
 * `{"id":["policy_resolve",N],"result":{"policy":[...]}}` plus the NUL (N taken as 7 digits).
 */
export function replySizes(objects: readonly ManagedObject[]): ReplySizeStats {
  const store = storeFromObjects(objects);
  const framing = Buffer.byteLength('{"id":["policy_resolve",1234567],"result":{"policy":}}') + 1;
  const targets = agentResolveTargets(store);
  const sizes = targets.map((ref) => framing + Buffer.byteLength(stringifyJson(store.subtree(ref.uri) as never))).sort((a, b) => a - b);
  const at = (q: number) => sizes[Math.min(sizes.length - 1, Math.floor(q * sizes.length))]!;
  return {
    objects: sizes.length,
    meanBytes: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
    p50Bytes: at(0.5),
    p99Bytes: at(0.99),
    maxBytes: sizes[sizes.length - 1]!,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const objects = realisticPolicyObjects();
  writeFileSync(REALISTIC_POLICY_FILE, serializePolicyFile(objects));
  const bySubject = new Map<string, number>();
  for (const mo of objects) bySubject.set(mo.subject, (bySubject.get(mo.subject) ?? 0) + 1);
  console.log(`wrote ${REALISTIC_POLICY_FILE}: ${objects.length} objects`, JSON.stringify(replySizes(objects)));
  console.log([...bySubject].map(([s, n]) => `${s} ${n}`).join(', '));
}
