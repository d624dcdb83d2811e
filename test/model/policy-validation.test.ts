import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { ObjectStore } from '../../src/model/object-store.ts';
import {
  childrenPerObjectMax, objectsPerBatchMax, propertyDataDepthMax, PolicyValidationError, uriLengthMax, uriLevelsMax,
  validateManagedObjects, validatePolicyUpdate, type PolicyIssue,
} from '../../src/model/policy-validation.ts';
import { parseJson } from '../../src/opflex/lossless-json.ts';

const ROOT = '/PolicyUniverse/';
const PC = '/PolicyUniverse/PlatformConfig/kube/';
const SPACE = '/PolicyUniverse/PolicySpace/kube/';
const EPG = `${SPACE}GbpEpGroup/web/`;

function mo(subject: string, uri: string, parent?: ManagedObject, children: string[] = [], properties: { name: string; data: unknown }[] = []): ManagedObject {
  const out = { subject, uri, properties, children } as ManagedObject;
  if (parent) Object.assign(out, { parent_subject: parent.subject, parent_uri: parent.uri, parent_relation: subject });
  return out;
}

const root = mo('PolicyUniverse', ROOT, undefined, [PC, SPACE]);
const pc = mo('PlatformConfig', PC, root, [], [{ name: 'name', data: 'kube' }]);
const space = mo('PolicySpace', SPACE, root, [EPG], [{ name: 'name', data: 'kube' }]);
const epg = mo('GbpEpGroup', EPG, space, [], [{ name: 'name', data: 'web' }]);
const universe = [root, pc, space, epg];

function issuesOf(run: () => unknown): PolicyIssue[] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof PolicyValidationError, `expected a PolicyValidationError, got ${String(err)}`);
    assert.ok(err.issues.length > 0);
    return err.issues;
  }
  assert.fail('expected the objects to be refused');
}

function fields(issues: PolicyIssue[]): [number | undefined, string | undefined][] {
  return issues.map((i) => [i.index, i.field]);
}

describe('policy validation', { timeout: 30_000 }, () => {
  it('accepts a well-formed universe and returns canonical copies', () => {
    const out = validateManagedObjects(universe, 'test');
    assert.deepEqual(out, universe);
    assert.notEqual(out[0], universe[0]);
    assert.equal(validateManagedObjects(universe, 'test', { keepObjects: true })[0], universe[0]);
  });

  it('refuses property data nested 1,100 deep, naming the field, without recursing into it', () => {
    const deep = JSON.parse(`${'['.repeat(1100)}1${']'.repeat(1100)}`) as unknown;
    const issues = issuesOf(() => validateManagedObjects([{ ...epg, properties: [{ name: 'x', data: deep }] }], 'POST /policy'));
    assert.deepEqual(issues.map((i) => [i.index, i.uri, i.field]), [[0, EPG, `properties[0].data${'[0]'.repeat(propertyDataDepthMax)}`]]);
    assert.match(issues[0]!.message, /nested deeper than 4 levels/);
  });

  it('refuses a child cycle A -> B -> A', () => {
    const a = mo('PolicySpace', '/PolicyUniverse/PolicySpace/a/', undefined, ['/PolicyUniverse/PolicySpace/a/GbpEpGroup/b/']);
    const b = mo('GbpEpGroup', '/PolicyUniverse/PolicySpace/a/GbpEpGroup/b/', a, [a.uri]);
    const issues = issuesOf(() => validateManagedObjects([a, b], 'POST /policy'));
    assert.deepEqual(fields(issues), [[1, 'children[0]']]);
    assert.match(issues[0]!.message, /lists its own ancestor "\/PolicyUniverse\/PolicySpace\/a\/" as a child \(a cycle\)/);
  });

  it('refuses a PlatformConfig that lists itself as a child, and one naming itself as parent', () => {
    const self = { ...pc, children: [PC] };
    assert.match(issuesOf(() => validateManagedObjects([self], 'reply'))[0]!.message, /lists the object itself as a child/);
    const ownParent = { ...pc, parent_uri: PC };
    assert.deepEqual(fields(issuesOf(() => validateManagedObjects([ownParent], 'reply'))), [[0, 'parent_uri']]);
  });

  it('refuses children that are not below their parent, or listed twice, or listed by two objects', () => {
    assert.match(issuesOf(() => validateManagedObjects([{ ...pc, children: ['/Elsewhere/'] }], 't'))[0]!.message, /is not below this object/);
    assert.match(issuesOf(() => validateManagedObjects([{ ...space, children: [EPG, EPG] }, epg], 't'))[0]!.message, /lists .* twice/);
    const other = mo('PolicyUniverse', '/PolicyUniverse/PolicySpace/', undefined, [EPG]);
    const issues = issuesOf(() => validateManagedObjects([space, other, epg], 't'));
    assert.ok(issues.some((i) => i.index === 1 && i.field === 'children[0]' && /also listed by object #0/.test(i.message)), JSON.stringify(issues));
  });

  it('refuses a child and a parent that disagree on parent_uri, parent_subject or parent_relation', () => {
    assert.deepEqual(fields(issuesOf(() => validateManagedObjects([space, { ...epg, parent_subject: 'PolicyUniverse' }], 't'))), [[1, 'parent_subject']]);
    assert.deepEqual(fields(issuesOf(() => validateManagedObjects([space, { ...epg, parent_relation: 'GbpBridgeDomain' }], 't'))), [[1, 'parent_relation']]);
    assert.deepEqual(fields(issuesOf(() => validateManagedObjects([{ ...space, children: [] }, epg], 't'))), [[1, 'parent_uri']]);
    const orphanListed = { ...epg } as Partial<ManagedObject>;
    delete orphanListed.parent_subject;
    delete orphanListed.parent_uri;
    delete orphanListed.parent_relation;
    assert.deepEqual(fields(issuesOf(() => validateManagedObjects([space, orphanListed], 't'))), [[1, 'parent_uri']]);
  });

  it('keeps integers past 2^53 exact: bigint accepted, a lossy number refused, more than 64 bits refused', () => {
    const [ok] = validateManagedObjects(parseJson(`[{"subject":"X","uri":"/X/","properties":[{"name":"big","data":18446744073709551615}],"children":[]}]`) as unknown[], 't');
    assert.equal(ok!.properties[0]!.data, 2n ** 64n - 1n);
    const lossy = JSON.parse(`[{"subject":"X","uri":"/X/","properties":[{"name":"big","data":18446744073709551615}],"children":[]}]`) as unknown;
    assert.match(issuesOf(() => validateManagedObjects(lossy, 't'))[0]!.message, /past 2\^53 and was not read exactly/);
    assert.match(issuesOf(() => validateManagedObjects([{ ...epg, properties: [{ name: 'n', data: 2n ** 64n }] }], 't'))[0]!.message, /does not fit a 64-bit integer/);
    assert.match(issuesOf(() => validateManagedObjects([{ ...epg, properties: [{ name: 'n', data: 1e300 }] }], 't'))[0]!.message, /past 2\^53/);
  });

  it('checks property types of the classes the model knows, and leaves unknown ones alone', () => {
    assert.match(issuesOf(() => validateManagedObjects([{ ...epg, properties: [{ name: 'name', data: 7 }] }], 't'))[0]!.message, /"GbpEpGroup\.name" is a string, got an integer/);
    const ctx = mo('GbpeInstContext', `${EPG}GbpeInstContext/`, undefined, [], [{ name: 'encapId', data: -1 }]);
    assert.match(issuesOf(() => validateManagedObjects([ctx], 't'))[0]!.message, /"GbpeInstContext\.encapId" is an unsigned 64-bit integer/);
    const rel = mo('GbpEpGroupToNetworkRSrc', `${EPG}GbpEpGroupToNetworkRSrc/`, undefined, [], [{ name: 'target', data: '/x/' }]);
    assert.match(issuesOf(() => validateManagedObjects([rel], 't'))[0]!.message, /target" is a reference/);
    assert.equal(validateManagedObjects([mo('Unknown', '/Unknown/', undefined, [], [{ name: 'name', data: 7 }])], 't').length, 1);
  });

  it('bounds counts and lengths, with one problem for an oversized list', () => {
    const many = Array.from({ length: objectsPerBatchMax + 1 }, () => 0);
    const issues = issuesOf(() => validateManagedObjects(many, 't'));
    assert.equal(issues.length, 1);
    assert.match(issues[0]!.message, /more than the limit of 250000/);
    assert.match(issuesOf(() => validateManagedObjects([{ ...epg, uri: `/${'a'.repeat(uriLengthMax)}/` }], 't'))[0]!.message, /more than the limit of 4096/);
    assert.match(issuesOf(() => validateManagedObjects([{ ...epg, uri: '/a'.repeat(uriLevelsMax + 1) + '/' }], 't'))[0]!.message, /more than 64 levels/);
    const children = Array.from({ length: childrenPerObjectMax + 1 }, (_, i) => `${SPACE}GbpEpGroup/${i}/`);
    assert.match(issuesOf(() => validateManagedObjects([{ ...space, children }], 't'))[0]!.message, /65537 children/);
    assert.match(issuesOf(() => validateManagedObjects([{ ...epg, uri: '/a\n/' }], 't'))[0]!.message, /control character/);
  });

  it('checks a batch against the store: class and parent kept, a held child belongs to its lister', () => {
    const store = new ObjectStore();
    for (const o of universe) store.adopt(o);
    assert.deepEqual(fields(issuesOf(() => validateManagedObjects([{ ...epg, subject: 'GbpBridgeDomain', parent_relation: 'GbpBridgeDomain' }], 't', { store }))), [[0, 'subject']]);
    const otherSpace = mo('PolicySpace', '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/', root);
    assert.deepEqual(fields(issuesOf(() => validateManagedObjects([{ ...epg, parent_uri: otherSpace.uri }], 't', { store }))), [[0, 'parent_uri']]);
    const grabber = mo('PolicySpace', '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/', undefined, [EPG]);
    assert.match(issuesOf(() => validateManagedObjects([grabber], 't', { store }))[0]!.message, /the held .* belongs to/);
    assert.equal(validateManagedObjects([{ ...epg, properties: [{ name: 'name', data: 'renamed' }] }], 't', { store }).length, 1);
  });

  it('validates an update: known lists only, arrays, a delete named with its held class, not also written', () => {
    const store = new ObjectStore();
    for (const o of universe) store.adopt(o);
    assert.deepEqual(fields(issuesOf(() => validatePolicyUpdate({ replace: [], remove: [] }, 't'))), [[undefined, 'remove']]);
    assert.match(issuesOf(() => validatePolicyUpdate({ replace: null }, 't'))[0]!.message, /must be an array of managed objects, got null/);
    const wrongClass = issuesOf(() => validatePolicyUpdate({ delete: [{ subject: 'GbpBridgeDomain', uri: EPG }] }, 't', { store }));
    assert.deepEqual(wrongClass.map((i) => [i.list, i.index, i.field]), [['delete', 0, 'subject']]);
    assert.deepEqual(fields(issuesOf(() => validatePolicyUpdate({ replace: [epg], delete: [{ subject: 'GbpEpGroup', uri: EPG }] }, 't'))), [[0, 'uri']]);
    const update = validatePolicyUpdate({ merge_children: [space] }, 't', { store });
    assert.deepEqual(update, { replace: [], merge_children: [space], delete: [] });
  });

  it('names each object of an update by its own list and index when the lists disagree', () => {
    const otherEpg = mo('GbpEpGroup', `${SPACE}GbpEpGroup/db/`, space);
    const issues = issuesOf(() => validatePolicyUpdate({ replace: [otherEpg, epg], merge_children: [{ ...space, children: [EPG] }, epg] }, 't'));
    const named = issues.map((i) => [i.list, i.index, i.field, i.message.replace(/".*"/, 'X')]);
    assert.deepEqual(named, [
      ['merge_children', 1, 'uri', 'duplicate of replace #1'],
      ['replace', 0, 'parent_uri', 'names merge_children #0, which does not list the object as a child'],
    ]);
  });

  it('says what is wrong on one line when there is one problem', () => {
    try {
      validatePolicyUpdate({ replace: [{ ...pc, children: null }] }, 'POST /policy');
      assert.fail('expected a refusal');
    } catch (err) {
      assert.ok(err instanceof PolicyValidationError);
      assert.equal(err.message, `Invalid policy objects in POST /policy: replace #0 (uri "${PC}"), field "children": must be an array of URI strings, got null`);
      assert.equal(err.firstIssue, `replace #0 (uri "${PC}"), field "children": must be an array of URI strings, got null`);
    }
  });
});
