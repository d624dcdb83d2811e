import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SubscriptionTable } from '../../src/opflex/subscription-table.ts';
import { UriInterner } from '../../src/model/uri-interner.ts';

describe('SubscriptionTable: a session\'s subscribed URIs and their expiries', { timeout: 30_000 }, () => {
  it('answers what was set, and nothing for a URI never set', () => {
    const table = new SubscriptionTable();
    assert.equal(table.get('/a/'), undefined);
    assert.equal(table.has('/a/'), false);
    table.set('/a/', 1000).set('/a/b/', 2000);
    assert.equal(table.get('/a/'), 1000);
    assert.equal(table.get('/a/b/'), 2000);
    assert.equal(table.has('/a/b/c/'), false);
    assert.equal(table.size, 2);
  });

  it('says through add whether an entry is new, and renews it otherwise', () => {
    const table = new SubscriptionTable();
    assert.equal(table.add('/x/', 1), true);
    assert.equal(table.add('/x/', 5), false);
    assert.equal(table.get('/x/'), 5);
    table.delete('/x/');
    assert.equal(table.add('/x/', 7), true);
  });

  it('renews an entry in place: its value changes, its place in the order does not', () => {
    const table = new SubscriptionTable();
    table.set('/x/', 1).set('/y/', 2).set('/x/', 30);
    assert.deepEqual([...table.keys()], ['/x/', '/y/']);
    assert.equal(table.get('/x/'), 30);
    assert.equal(table.size, 2);
  });

  it('keeps insertion order across deletions and growth, as a Map does', () => {
    const table = new SubscriptionTable();
    const reference = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const uri = `/PolicyUniverse/PolicySpace/t/GbpEpGroup/epg-${i % 397}/`;
      if (i % 3 === 2) {
        assert.equal(table.delete(uri), reference.delete(uri));
      } else {
        table.set(uri, i);
        reference.set(uri, i);
      }
      assert.equal(table.size, reference.size);
    }
    assert.deepEqual([...table.keys()], [...reference.keys()]);
    for (const [uri, expiry] of reference) assert.equal(table.get(uri), expiry);
  });

  it('keeps insertion order and every entry when room is reserved before or between adds', () => {
    const table = new SubscriptionTable(12345);
    table.reserve(100);
    for (let i = 0; i < 60; i++) table.set(`/u/${i}/`, 1000);
    table.delete('/u/7/');
    table.reserve(300);
    for (let i = 60; i < 200; i++) table.set(`/u/${i}/`, 1000 + i);
    assert.equal(table.size, 199);
    assert.deepEqual([...table.keys()].slice(0, 8), ['/u/0/', '/u/1/', '/u/2/', '/u/3/', '/u/4/', '/u/5/', '/u/6/', '/u/8/']);
    assert.equal(table.get('/u/150/'), 1150);
    assert.equal(table.get('/u/7/'), undefined);
  });

  it('drops the entries expired at a time, in insertion order, and keeps the rest', () => {
    const table = new SubscriptionTable();
    table.set('/late/', 500).set('/early/', 100).set('/due/', 200).set('/later/', 900);
    assert.deepEqual(table.deleteExpired(200), ['/early/', '/due/']);
    assert.deepEqual([...table.keys()], ['/late/', '/later/']);
    assert.equal(table.has('/early/'), false);
    table.set('/early/', 1000);
    assert.deepEqual([...table.keys()], ['/late/', '/later/', '/early/']);
  });

  it('is empty after clear and usable again', () => {
    const table = new SubscriptionTable();
    for (let i = 0; i < 50; i++) table.set(`/u${i}/`, i);
    table.clear();
    assert.equal(table.size, 0);
    assert.deepEqual([...table.keys()], []);
    table.set('/u1/', 7);
    assert.equal(table.get('/u1/'), 7);
    assert.equal(table.get('/u2/'), undefined);
  });

  it('stays exact under long churn, where the room of deleted entries is reused', () => {
    const table = new SubscriptionTable();
    for (let i = 0; i < 100_000; i++) {
      table.set(`/churn/${i}/`, i);
      if (i >= 10) table.delete(`/churn/${i - 10}/`);
    }
    assert.equal(table.size, 10);
    assert.deepEqual([...table.keys()], Array.from({ length: 10 }, (_, k) => `/churn/${99_990 + k}/`));
  });
});

describe('SubscriptionTable: tables sharing one UriInterner (a leaf\'s sessions)', { timeout: 30_000 }, () => {
  it('answers each table\'s own entries, and numbers a URI once for all of them', () => {
    const uris = new UriInterner();
    const first = new SubscriptionTable(1, uris);
    const second = new SubscriptionTable(2, uris);
    first.set('/a/', 10).set('/b/', 10);
    second.set('/b/', 20).set('/c/', 20);
    assert.equal(first.get('/b/'), 10);
    assert.equal(second.get('/b/'), 20);
    assert.equal(first.has('/c/'), false);
    assert.equal(second.has('/a/'), false);
    assert.equal(uris.size, 3);
    assert.equal(uris.holdersOf(uris.idOf('/b/')), 2);
  });

  it('lets go of its URIs on delete, expiry and clear, so the shared table keeps only what is subscribed', () => {
    const uris = new UriInterner();
    const first = new SubscriptionTable(0, uris);
    const second = new SubscriptionTable(0, uris);
    first.set('/a/', 10).set('/b/', 50).set('/c/', 10);
    second.set('/b/', 10);
    assert.equal(first.delete('/a/'), true);
    assert.equal(uris.idOf('/a/'), -1);
    assert.deepEqual(second.deleteExpired(10), ['/b/']);
    assert.equal(uris.holdersOf(uris.idOf('/b/')), 1);
    first.clear();
    assert.equal(uris.size, 0);
  });

  it('keeps one expiry for entries set alike and answers each entry once they differ', () => {
    const table = new SubscriptionTable();
    for (let i = 0; i < 20; i++) table.set(`/same/${i}/`, 5000);
    assert.deepEqual(table.deleteExpired(4999), []);
    table.set('/same/3/', 9000);
    table.set('/other/', 100);
    assert.equal(table.get('/same/3/'), 9000);
    assert.equal(table.get('/same/4/'), 5000);
    assert.equal(table.get('/other/'), 100);
    assert.deepEqual(table.deleteExpired(5000), [...Array.from({ length: 20 }, (_, i) => `/same/${i}/`).filter((u) => u !== '/same/3/'), '/other/']);
    assert.deepEqual([...table.keys()], ['/same/3/']);
  });
});
