import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UriNumbers } from '../../src/opflex/uri-numbers.ts';

describe('UriNumbers: one number per URI while some table holds it', { timeout: 30_000 }, () => {
  it('gives a URI the same number for every holder, and a different one to another URI', () => {
    const uris = new UriNumbers();
    const a = uris.hold('/a/');
    assert.equal(uris.hold('/a/'), a);
    const b = uris.hold('/b/');
    assert.notEqual(b, a);
    assert.equal(uris.numberOf('/a/'), a);
    assert.equal(uris.uriOf(b), '/b/');
    assert.equal(uris.holdersOf(a), 2);
    assert.equal(uris.size, 2);
  });

  it('forgets a URI when its last holder releases it, and reuses the number', () => {
    const uris = new UriNumbers();
    const a = uris.hold('/a/');
    uris.hold('/a/');
    uris.release(a);
    assert.equal(uris.numberOf('/a/'), a, 'one holder left');
    uris.release(a);
    assert.equal(uris.numberOf('/a/'), undefined);
    assert.equal(uris.holdersOf(a), 0);
    assert.equal(uris.size, 0);
    assert.equal(uris.hold('/c/'), a);
    assert.equal(uris.uriOf(a), '/c/');
  });

  it('starts afresh once nothing is held, numbering from the start again', () => {
    const uris = new UriNumbers();
    const numbers = Array.from({ length: 100 }, (_, i) => uris.hold(`/flood/${i}/`));
    for (const n of numbers) uris.release(n);
    assert.equal(uris.size, 0);
    assert.equal(uris.hold('/after/'), 0);
    assert.equal(uris.hold('/after/2/'), 1);
  });

  it('grows past its first room without losing counts', () => {
    const uris = new UriNumbers();
    const numbers = Array.from({ length: 1000 }, (_, i) => uris.hold(`/u${i}/`));
    assert.equal(new Set(numbers).size, 1000);
    for (let i = 0; i < 1000; i++) assert.equal(uris.holdersOf(numbers[i]!), 1);
    for (const n of numbers) uris.release(n);
    assert.equal(uris.size, 0);
  });
});
