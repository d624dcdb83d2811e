import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isReference, type ManagedObject } from '../../src/model/managed-object.ts';
import { unescapeUriComponent, uriSegments } from '../../src/model/uri.ts';
import { loadPolicyFile, parsePolicyFile, PolicyFileError, serializePolicyFile, type PolicyFileIssue } from '../../src/scenario/policy-file.ts';

const FIXTURE = 'test/fixtures/policy/opflex-server-policy.json';
const fixtureText = readFileSync(FIXTURE, 'utf8');

function issuesOf(text: string, source = 'bad.json'): { error: PolicyFileError; issues: PolicyFileIssue[] } {
  try {
    parsePolicyFile(text, source);
  } catch (err) {
    assert.ok(err instanceof PolicyFileError, `expected PolicyFileError, got ${String(err)}`);
    return { error: err, issues: err.issues };
  }
  assert.fail('expected a PolicyFileError');
}

const GOOD = { subject: 'GbpEpGroup', uri: '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/x/', properties: [{ name: 'name', data: 'x' }], children: [] };

function fileOf(...objects: unknown[]): string {
  return JSON.stringify(objects);
}

describe('the opflex_server policy fixture', { timeout: 120_000 }, () => {
  it('loads into managed objects', async () => {
    const objects = await loadPolicyFile(FIXTURE);
    assert.equal(objects.length, 24);
    const subjects = new Set(objects.map((mo) => mo.subject));
    for (const subject of ['PlatformConfig', 'PolicySpace', 'GbpEpGroup', 'GbpeInstContext', 'GbpEpGroupToNetworkRSrc', 'GbpFloodDomain', 'GbpBridgeDomain', 'GbpRoutingDomain', 'GbpContract', 'GbpSubject', 'GbpRule', 'GbpRuleToClassifierRSrc', 'GbpeL24Classifier']) {
      assert.ok(subjects.has(subject), subject);
    }
  });

  it('serializes back to exactly the same text, and loads to the same objects', () => {
    const objects = parsePolicyFile(fixtureText, FIXTURE);
    const text = serializePolicyFile(objects);
    assert.equal(text, fixtureText);
    assert.deepEqual(parsePolicyFile(text, 'reserialized'), objects);
  });

  it('escapes URIs as libopflex does, with lowercase %xx', () => {
    const objects = parsePolicyFile(fixtureText, FIXTURE);
    const epg = objects.find((mo) => mo.subject === 'GbpEpGroup')!;
    assert.equal(epg.uri, '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/kubernetes%7ckube-default/');
    const platform = objects.find((mo) => mo.subject === 'PlatformConfig')!;
    assert.equal(platform.uri, '/PolicyUniverse/PlatformConfig/comp%2fprov-Kubernetes%2fctrlr-%5bkube%5d-kube%2fsw-InsiemeLSOid/');
    assert.doesNotMatch(fixtureText, /%[0-9a-f]?[A-F]/);
    for (const mo of objects) for (const segment of uriSegments(mo.uri)) assert.doesNotThrow(() => unescapeUriComponent(segment));
  });

  it('is self-consistent: parents come first and list their children, references resolve', () => {
    const objects = parsePolicyFile(fixtureText, FIXTURE);
    const position = new Map(objects.map((mo, i) => [mo.uri, i]));
    for (const [i, mo] of objects.entries()) {
      for (const child of mo.children) {
        const at = position.get(child);
        assert.ok(at !== undefined && at > i, `${mo.uri} lists ${child}`);
        assert.equal(objects[at]!.parent_uri, mo.uri);
      }
      if (mo.parent_uri !== undefined) {
        const parent = objects[position.get(mo.parent_uri)!]!;
        assert.equal(mo.parent_subject, parent.subject);
        assert.equal(mo.parent_relation, mo.subject);
        assert.ok(parent.children.includes(mo.uri), `${mo.parent_uri} lists ${mo.uri}`);
      }
      for (const p of mo.properties) if (isReference(p.data)) assert.ok(position.has(p.data.reference_uri), `${mo.uri} references ${p.data.reference_uri}`);
    }
  });

  it('chains the EPG through flood domain and bridge domain to the routing domain', () => {
    const objects = parsePolicyFile(fixtureText, FIXTURE);
    const byUri = new Map(objects.map((mo) => [mo.uri, mo]));
    const target = (uri: string): ManagedObject => {
      const ref = byUri.get(uri)!.properties.find((p) => p.name === 'target')!.data;
      assert.ok(isReference(ref));
      return byUri.get(ref.reference_uri)!;
    };
    const epg = '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/kubernetes%7ckube-default/';
    const fd = target(`${epg}GbpEpGroupToNetworkRSrc/`);
    const bd = target(`${fd.uri}GbpFloodDomainToNetworkRSrc/`);
    const rd = target(`${bd.uri}GbpBridgeDomainToNetworkRSrc/`);
    assert.deepEqual([fd.subject, bd.subject, rd.subject], ['GbpFloodDomain', 'GbpBridgeDomain', 'GbpRoutingDomain']);
  });
});

describe('parsePolicyFile', { timeout: 120_000 }, () => {
  it('keeps U64 data past 2^53 exact and writes it back as digits', () => {
    const text = fileOf({ ...GOOD, properties: [{ name: 'big', data: 0 }] }).replace('"data":0', '"data":18446744073709551615');
    const [mo] = parsePolicyFile(text, 'big.json');
    assert.equal(mo!.properties[0]!.data, 2n ** 64n - 1n);
    assert.match(serializePolicyFile([mo!]), /"data": 18446744073709551615\n/);
  });

  it('returns objects in MOSerializer member order', () => {
    const text = fileOf({ children: [], properties: [{ data: { reference_uri: '/a/', subject: 'A' }, name: 't' }], uri: '/x/', subject: 'X' });
    const [mo] = parsePolicyFile(text, 'order.json');
    assert.deepEqual(Object.keys(mo!), ['subject', 'uri', 'properties', 'children']);
    assert.deepEqual(Object.keys(mo!.properties[0]!), ['name', 'data']);
    assert.deepEqual(Object.keys(mo!.properties[0]!.data as object), ['subject', 'reference_uri']);
  });

  it('accepts an empty array', () => {
    assert.deepEqual(parsePolicyFile('[]', 'empty.json'), []);
  });
});

describe('policy file errors', { timeout: 120_000 }, () => {
  it('name the file when the top level is not an array, on one line', () => {
    const { error, issues } = issuesOf('{"policy":[]}', 'seed.json');
    assert.equal(error.message, 'Invalid policy file seed.json: the top level must be an array of managed objects, got an object');
    assert.match(issues[0]!.message, /top level must be an array of managed objects, got an object/);
    assert.equal(issues[0]!.index, undefined);
  });

  it('name the index and field of an object without uri', () => {
    const { error, issues } = issuesOf(fileOf(GOOD, { subject: 'GbpEpGroup', properties: [], children: [] }));
    assert.deepEqual(issues, [{ index: 1, field: 'uri', message: 'must be a non-empty string, got nothing' }]);
    assert.match(error.message, /object #1, field "uri": must be a non-empty string/);
  });

  it('name the uri, index and property path of a wrongly shaped property', () => {
    const { error, issues } = issuesOf(
      fileOf(GOOD, { ...GOOD, uri: '/y/', properties: [{ name: 'ok', data: 1 }, { name: 'target', data: { subject: 'GbpBridgeDomain' } }, { value: 'x' }, 'name', { name: 'n', data: null }, { name: 'f', data: 1.5 }] }),
    );
    assert.deepEqual(
      issues.map((i) => [i.index, i.uri, i.field]),
      [
        [1, '/y/', 'properties[1].data.reference_uri'],
        [1, '/y/', 'properties[2].value'],
        [1, '/y/', 'properties[2].name'],
        [1, '/y/', 'properties[2].data'],
        [1, '/y/', 'properties[3]'],
        [1, '/y/', 'properties[4].data'],
        [1, '/y/', 'properties[5].data'],
      ],
    );
    assert.match(error.message, /object #1 \(uri "\/y\/"\), field "properties\[1\]\.data\.reference_uri": must be a non-empty string, got nothing/);
    assert.match(error.message, /field "properties\[5\]\.data": must be an integer/);
  });

  it('reject properties and children that are not arrays', () => {
    const { issues } = issuesOf(fileOf({ ...GOOD, properties: { name: 'x' }, children: '/a/' }));
    assert.deepEqual(issues.map((i) => i.field), ['properties', 'children']);
  });

  it('reject a parent triple given only in part', () => {
    const { issues } = issuesOf(fileOf({ ...GOOD, parent_subject: 'PolicySpace', parent_uri: '/PolicyUniverse/PolicySpace/kube/' }));
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.index, 0);
    assert.equal(issues[0]!.field, 'parent_relation');
    assert.match(issues[0]!.message, /go together; missing parent_relation/);
  });

  it('reject elements that are not objects, unknown fields and duplicate uris', () => {
    const { issues } = issuesOf(fileOf(GOOD, 'GbpEpGroup', { ...GOOD, parent_uir: '/x/' }));
    assert.deepEqual(
      issues.map((i) => [i.index, i.field, i.message]),
      [
        [1, undefined, 'must be a managed object, got a string'],
        [2, 'parent_uir', 'unknown field'],
        [2, 'uri', 'duplicate of object #0'],
      ],
    );
  });

  it('report invalid JSON with its byte offset, line and column', () => {
    const { issues } = issuesOf('[\n  {"subject": "X",,}\n]', 'broken.json');
    assert.match(issues[0]!.message, /not valid JSON: .* at byte 20 \(line 2, column 19\)/);
  });

  it('list every problem at once', () => {
    const objects = Array.from({ length: 60 }, (_, i) => ({ ...GOOD, uri: `/o/${i}/`, subject: 1 }));
    const { error, issues } = issuesOf(fileOf(...objects));
    assert.equal(issues.length, 60);
    assert.match(error.message, /\(60 problems\)/);
    assert.match(error.message, /\.\.\. and 10 more$/);
  });

  it('carry the file path when loading from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'policy-file-'));
    try {
      const path = join(dir, 'policy.json');
      await writeFile(path, fileOf({ ...GOOD, children: [3] }));
      await assert.rejects(loadPolicyFile(path), (err: unknown) => err instanceof PolicyFileError && err.source === path && err.message.includes(path) && err.issues[0]!.field === 'children[0]');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('stop serializePolicyFile from writing a file it could not read back', () => {
    const broken = { ...GOOD, parent_subject: 'PolicySpace' } as ManagedObject;
    assert.throws(() => serializePolicyFile([broken]), PolicyFileError);
  });
});
