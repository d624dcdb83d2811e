import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UriInterner } from '../../src/model/uri-interner.ts';

describe('UriInterner', { timeout: 30_000 }, () => {
  it('gives each held URI one id, the same to every holder', () => {
    const uris = new UriInterner();
    const a = uris.hold('/PolicyUniverse/');
    const b = uris.hold('/PolicyUniverse/PolicySpace/kube/');
    assert.notEqual(a, b);
    assert.equal(uris.hold('/PolicyUniverse/'), a);
    assert.equal(uris.idOf('/PolicyUniverse/'), a);
    assert.equal(uris.idOfUncached('/PolicyUniverse/'), a);
    assert.equal(uris.idOfUncached('/not/held/'), -1);
    assert.equal(uris.uriOf(b), '/PolicyUniverse/PolicySpace/kube/');
    assert.equal(uris.holdersOf(a), 2);
    assert.equal(uris.holdersOf(b), 1);
    assert.equal(uris.size, 2);
  });

  it('forgets a URI when its last holder releases it, and reuses the id', () => {
    const uris = new UriInterner();
    const a = uris.hold('/a/');
    uris.hold('/a/');
    uris.release(a);
    assert.equal(uris.idOf('/a/'), a, 'one holder left');
    uris.release(a);
    assert.equal(uris.idOf('/a/'), -1);
    assert.equal(uris.holdersOf(a), 0);
    assert.equal(uris.size, 0);
    assert.throws(() => uris.uriOf(a), RangeError);
    assert.throws(() => uris.release(a), RangeError);
    assert.equal(uris.hold('/b/'), a, 'the freed id is handed out again');
  });

  it('reuses the last freed id first while other URIs are still held', () => {
    const uris = new UriInterner();
    const kept = uris.hold('/kept/');
    const first = uris.hold('/first/');
    const second = uris.hold('/second/');
    uris.release(first);
    uris.release(second);
    assert.equal(uris.hold('/c/'), second);
    assert.equal(uris.hold('/d/'), first);
    assert.equal(uris.uriOf(kept), '/kept/');
  });

  it('starts afresh once nothing is held, numbering from the start again', () => {
    const uris = new UriInterner();
    const ids = Array.from({ length: 100 }, (_, i) => uris.hold(`/flood/${i}/`));
    for (const id of ids) uris.release(id);
    assert.equal(uris.size, 0);
    assert.equal(uris.idOf('/flood/99/'), -1);
    assert.equal(uris.hold('/after/'), 0);
    assert.equal(uris.hold('/after/2/'), 1);
  });

  it('grows past its first room without losing counts', () => {
    const uris = new UriInterner();
    const ids = Array.from({ length: 1000 }, (_, i) => uris.hold(`/u${i}/`));
    assert.equal(new Set(ids).size, 1000);
    for (const id of ids) assert.equal(uris.holdersOf(id), 1);
    for (const id of ids) uris.release(id);
    assert.equal(uris.size, 0);
  });

  it('numbers alike when held and released in the same order', () => {
    const run = () => {
      const uris = new UriInterner();
      const ids: number[] = [];
      for (let i = 0; i < 200; i++) {
        ids.push(uris.hold(`/o/${i % 37}/`));
        if (i % 3 === 0) uris.release(ids[i >> 1]!);
      }
      return ids;
    };
    assert.deepEqual(run(), run());
  });
});
