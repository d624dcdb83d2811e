import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PolicyValidationError, validateManagedObjects, validatePolicyUpdate } from '../../src/model/policy-validation.ts';
import { canonicalObject } from '../../src/opflex/codec.ts';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { fuzzParameters, hostileJson } from '../support/fuzz.ts';
import { defective, randomGraph, wellFormedTree } from '../support/policy-arbitraries.ts';

/** Runs the validator; anything thrown but its own error fails the property. */
function verdict(run: () => unknown): 'accepted' | 'refused' {
  try {
    run();
    return 'accepted';
  } catch (err) {
    if (err instanceof PolicyValidationError) {
      assert.ok(err.issueCount > 0 && !err.message.includes('\n') === (err.issueCount === 1));
      return 'refused';
    }
    throw err;
  }
}

/** An independent check of what must hold for an accepted batch: no child cycle, children below their parent. */
function assertTree(objects: ManagedObject[]): void {
  const byUri = new Map(objects.map((o) => [o.uri, o]));
  for (const o of objects) for (const c of o.children) assert.ok(c.startsWith(o.uri) && c !== o.uri, `${o.uri} lists ${c}`);
  const state = new Map<string, 'open' | 'done'>();
  const visit = (uri: string): void => {
    assert.notEqual(state.get(uri), 'open', `cycle through ${uri}`);
    if (state.get(uri) === 'done') return;
    state.set(uri, 'open');
    for (const c of byUri.get(uri)?.children ?? []) visit(c);
    state.set(uri, 'done');
  };
  for (const o of objects) visit(o.uri);
}

describe('policy validation fuzz', { timeout: 120_000 }, () => {
  it('accepts every well-formed tree, unchanged but for member order', () => {
    fc.assert(
      fc.property(wellFormedTree(), (tree) => {
        assert.deepEqual(validateManagedObjects(tree, 'fuzz'), tree.map(canonicalObject));
        assert.deepEqual(validatePolicyUpdate({ replace: tree }, 'fuzz').replace, tree.map(canonicalObject));
      }),
      fuzzParameters(300),
    );
  });

  it('refuses every well-formed tree given one defect', () => {
    fc.assert(
      fc.property(defective(), ({ defect, objects }) => {
        assert.equal(verdict(() => validateManagedObjects(objects, 'fuzz')), 'refused', defect);
      }),
      fuzzParameters(400),
    );
  });

  it('throws nothing but its own error on random graphs and hostile JSON, and what it accepts is a tree', () => {
    fc.assert(
      fc.property(fc.oneof(randomGraph(), hostileJson(5), fc.array(hostileJson(4), { maxLength: 4 })), (input) => {
        let accepted: ManagedObject[] | undefined;
        if (verdict(() => (accepted = validateManagedObjects(input, 'fuzz'))) === 'accepted') assertTree(accepted!);
        verdict(() => validatePolicyUpdate({ replace: input, merge_children: input, delete: input }, 'fuzz'));
        verdict(() => validatePolicyUpdate(input, 'fuzz'));
      }),
      fuzzParameters(1500),
    );
  });
});
