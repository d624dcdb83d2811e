import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { objectBytes } from '../../src/model/object-size.ts';
import { ObjectStore } from '../../src/model/object-store.ts';
import { UriInterner } from '../../src/model/uri-interner.ts';

function mo(uri: string, children: string[] = [], parent?: string, props: [string, string][] = []): ManagedObject {
  return {
    subject: uri.split('/').filter(Boolean).at(-1)!.replace(/\d+$/, ''),
    uri,
    properties: props.map(([name, data]) => ({ name, data })),
    children,
    ...(parent ? { parent_subject: 'P', parent_uri: parent, parent_relation: 'C' } : {}),
  };
}

describe('ObjectStore', { timeout: 120_000 }, () => {
  it('replace removes children that are no longer listed, recursively', () => {
    const s = new ObjectStore();
    s.replace(mo('/a/', ['/a/b/', '/a/c/']));
    s.replace(mo('/a/b/', ['/a/b/d/'], '/a/'));
    s.replace(mo('/a/b/d/', [], '/a/b/'));
    s.replace(mo('/a/c/', [], '/a/'));
    const removed = s.replace(mo('/a/', ['/a/c/']));
    assert.deepEqual(removed, ['/a/b/', '/a/b/d/']);
    assert.equal(s.has('/a/b/d/'), false);
    assert.equal(s.has('/a/c/'), true);
  });

  it('merge_children replaces properties and only adds children', () => {
    const s = new ObjectStore();
    s.replace(mo('/a/', ['/a/b/'], undefined, [['x', '1']]));
    s.mergeChildren(mo('/a/', ['/a/c/'], undefined, [['x', '2']]));
    assert.deepEqual(s.get('/a/')!.children, ['/a/b/', '/a/c/']);
    assert.deepEqual(s.get('/a/')!.properties, [{ name: 'x', data: '2' }]);
  });

  it('delete removes one object, unlinks it from its parent and keeps its children', () => {
    const s = new ObjectStore();
    s.replace(mo('/a/', ['/a/b/']));
    s.replace(mo('/a/b/', ['/a/b/c/'], '/a/'));
    s.replace(mo('/a/b/c/', [], '/a/b/'));
    assert.equal(s.delete('/a/b/'), true);
    assert.equal(s.delete('/a/b/'), false);
    assert.deepEqual(s.get('/a/')!.children, []);
    assert.equal(s.has('/a/b/c/'), true);
  });

  it('links a received child into a parent that is already present', () => {
    const s = new ObjectStore();
    s.replace(mo('/a/'));
    s.replace(mo('/a/b/', [], '/a/'));
    assert.deepEqual(s.get('/a/')!.children, ['/a/b/']);
  });

  it('returns a subtree parents first, in children order', () => {
    const s = new ObjectStore();
    s.replace(mo('/r/', ['/r/x/', '/r/y/']));
    s.replace(mo('/r/x/', ['/r/x/z/'], '/r/'));
    s.replace(mo('/r/x/z/', [], '/r/x/'));
    s.replace(mo('/r/y/', [], '/r/'));
    assert.deepEqual(s.subtree('/r/').map((m) => m.uri), ['/r/', '/r/x/', '/r/x/z/', '/r/y/']);
    assert.deepEqual(s.subtree('/nope/'), []);
  });

  it('never changes an object it was given: linking and unlinking children copy the parent', () => {
    const s = new ObjectStore();
    const parent = mo('/a/');
    s.replace(parent);
    s.replace(mo('/a/b/', [], '/a/'));
    assert.deepEqual(parent.children, [], 'the caller\'s parent is untouched');
    assert.deepEqual(s.get('/a/')!.children, ['/a/b/']);
    const linked = s.get('/a/')!;
    s.delete('/a/b/');
    assert.deepEqual(linked.children, ['/a/b/'], 'an object handed out earlier is untouched');
    assert.deepEqual(s.get('/a/')!.children, []);
  });

  it('lists each object of a subtree once even when child lists form a cycle or a diamond', { timeout: 30_000 }, () => {
    const s = new ObjectStore();
    s.adopt(mo('/a/', ['/a/b/']));
    s.adopt(mo('/a/b/', ['/a/']));
    assert.deepEqual(s.subtree('/a/').map((m) => m.uri), ['/a/', '/a/b/']);
    const self = new ObjectStore();
    self.adopt(mo('/p/', ['/p/']));
    assert.deepEqual(self.subtree('/p/').map((m) => m.uri), ['/p/']);
    // 40 levels, each listing both objects of the next: 2^40 paths, 80 objects.
    const d = new ObjectStore();
    const level = (i: number) => [`/l${i}a/`, `/l${i}b/`];
    for (let i = 0; i < 40; i++) for (const uri of level(i)) d.adopt(mo(uri, i < 39 ? level(i + 1) : []));
    assert.equal(d.subtree('/l0a/').length, 79);
  });

  it('removes a 100,000-deep chain and a cycle without recursing', { timeout: 30_000 }, () => {
    const s = new ObjectStore();
    const uris = Array.from({ length: 100_000 }, (_, i) => (i === 0 ? '/c/' : `/c/${i}/`));
    uris.forEach((uri, i) => s.adopt(mo(uri, i + 1 < uris.length ? [uris[i + 1]!] : [])));
    assert.equal(s.deleteRecursive('/c/').length, 100_000);
    assert.equal(s.size, 0);
    s.adopt(mo('/a/', ['/a/b/']));
    s.adopt(mo('/a/b/', ['/a/']));
    s.replace(mo('/a/'));
    assert.deepEqual([...s.uris()], ['/a/']);
  });

  it('does not link an object that names itself as parent into its own children', () => {
    const s = new ObjectStore();
    s.replace({ ...mo('/a/'), parent_subject: 'A', parent_uri: '/a/', parent_relation: 'A' });
    assert.deepEqual(s.get('/a/')!.children, []);
  });

  it('keeps a byte estimate of what it holds when given a sizer', () => {
    const s = new ObjectStore((m) => 10 + m.children.length);
    s.replace(mo('/a/'));
    s.replace(mo('/a/b/', [], '/a/'));
    assert.equal(s.bytes, 10 + 1 + 10, 'the parent is re-measured once it lists the child');
    s.replace(mo('/a/'));
    assert.equal(s.bytes, 10, 'the unlisted child is gone');
    s.delete('/a/');
    assert.equal(s.bytes, 0);
  });

  it('adds an answer linked within itself by id as replacing each object would, room reserved or not', () => {
    const answer = [mo('/p/e/', ['/p/e/r/', '/p/e/s/'], '/p/'), mo('/p/e/r/', [], '/p/e/'), mo('/p/e/s/', [], '/p/e/')];
    const uris = new UriInterner();
    const byReplace = new ObjectStore(objectBytes, uris);
    for (const o of answer) byReplace.replace(o);
    const byId = new ObjectStore(objectBytes, uris);
    byId.reserve(64);
    byId.addDisjoint(answer, Int32Array.from(answer, (o) => uris.idOf(o.uri)), answer.reduce((n, o) => n + objectBytes(o), 0));
    assert.deepEqual([...byId.uris()], [...byReplace.uris()]);
    assert.deepEqual([...byId.values()], [...byReplace.values()]);
    assert.equal(byId.bytes, byReplace.bytes);
    assert.deepEqual(byId.subtree('/p/e/'), byReplace.subtree('/p/e/'));
    byReplace.deleteRecursive('/p/e/');
    assert.equal(uris.holdersOf(uris.idOf('/p/e/r/')), 1, 'each object added by id holds its URI once, as a replaced one does');
  });
});
