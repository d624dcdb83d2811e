/**
 * The policy universe APIC serves for a scenario: the objects of its `policyFile` (the reference
 * opflex_server format) when it names one, else the universe built from its policy section.
 */
import type { ManagedObject } from '../model/managed-object.ts';
import { ObjectStore } from '../model/object-store.ts';
import { buildPolicyUniverse } from '../model/policy-builder.ts';
import { INPUT_FILES, readInputFile } from './input-file.ts';
import { parsePolicyFile } from './policy-file.ts';
import type { PolicySpec } from './types.ts';

export function storeFromObjects(objects: Iterable<ManagedObject>): ObjectStore {
  const store = new ObjectStore();
  for (const mo of objects) store.adopt(mo);
  return store;
}

export function loadPolicyStore(path: string): ObjectStore {
  return storeFromObjects(parsePolicyFile(readInputFile(path, INPUT_FILES.policy), path));
}

export function policyUniverseFor(policy: PolicySpec): ObjectStore {
  return policy.policyFile ? loadPolicyStore(policy.policyFile) : buildPolicyUniverse(policy);
}
