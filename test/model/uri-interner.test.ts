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
    assert.equal(uris.uriOf(b), '/PolicyUniverse/PolicySpace/kube/');
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
    assert.equal(uris.size, 0);
    assert.throws(() => uris.uriOf(a), RangeError);
    assert.throws(() => uris.release(a), RangeError);
    assert.equal(uris.hold('/b/'), a, 'the freed id is handed out again');
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
