/**
 * What an agent resolves from a policy file: the PlatformConfig and every endpoint group, then
 * everything those refer to (policyClosure), each one policy_resolve. A load that replays these
 * gets replies of the sizes real agents get, without the roots (PolicyUniverse, PolicySpace) whose
 * subtrees are the whole file and which no agent asks for.
 */
import type { ObjectStore } from '../model/object-store.ts';
import { policyClosure, type PolicyRef } from '../model/policy-closure.ts';

const RESOLVE_ROOT_SUBJECTS = new Set(['PlatformConfig', 'GbpEpGroup']);

export function agentResolveTargets(store: ObjectStore): PolicyRef[] {
  const roots: PolicyRef[] = [];
  for (const mo of store.values()) if (RESOLVE_ROOT_SUBJECTS.has(mo.subject)) roots.push({ subject: mo.subject, uri: mo.uri });
  return policyClosure(store, roots).filter((ref) => store.has(ref.uri));
}
