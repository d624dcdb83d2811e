import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { ObjectStore } from '../../src/model/object-store.ts';

function mo(uri: string, children: string[] = [], parent?: string, props: [string, string][] = []): ManagedObject {
  return {
    subject: uri.split('/').filter(Boolean).at(-1)!.replace(/\d+$/, ''),
    uri,
    properties: props.map(([name, data]) => ({ name, data })),
    children,
    ...(parent ? { parent_subject: 'P', parent_uri: parent, parent_relation: 'C' } : {}),
  };
}

describe('ObjectStore', () => {
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
});
