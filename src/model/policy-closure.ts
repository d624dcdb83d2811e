/**
 * The set of policy objects an endpoint group needs, derived by following references the way the
 * agent resolves them: resolve an object, take its subtree, resolve every object the subtree refers
 * to, and so on. Each entry is one resolvable unit (the agent sends one policy_resolve per entry).
 */
import { referencesOf } from './managed-object.ts';
import type { ObjectStore } from './object-store.ts';

interface PolicyRef {
  subject: string;
  uri: string;
}

export function policyClosure(store: ObjectStore, roots: readonly PolicyRef[]): PolicyRef[] {
  const seen = new Set<string>();
  const out: PolicyRef[] = [];
  const queue: PolicyRef[] = [];
  for (const r of roots) {
    if (!seen.has(r.uri)) {
      seen.add(r.uri);
      queue.push(r);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const ref = queue[i]!;
    out.push(ref);
    for (const mo of store.subtree(ref.uri)) {
      for (const target of referencesOf(mo)) {
        if (seen.has(target.reference_uri)) continue;
        seen.add(target.reference_uri);
        queue.push({ subject: target.subject, uri: target.reference_uri });
      }
    }
  }
  return out;
}
