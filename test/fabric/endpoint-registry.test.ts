import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointRegistry } from '../../src/fabric/endpoint-registry.ts';

const register = (r: EndpointRegistry, uri: string, sessionId: number, chars = 10) =>
  r.set(uri, `node-${sessionId}`, sessionId, [{ subject: 'EprL2Ep', uri, properties: [], children: [] }], 1_000, chars);

const counts = (r: EndpointRegistry, sessionId: number) => {
  const { endpoints, chars } = r.ofSession(sessionId);
  return { endpoints, chars };
};

const oldestClosedUri = (r: EndpointRegistry) => {
  const oldest = r.oldestOfClosedSessions();
  return oldest === undefined ? undefined : r.objectsOf(oldest)[0]?.uri;
};

describe('a leaf endpoint registry', { timeout: 10_000 }, () => {
  it('gives up the registrations of closed sessions oldest first, and counts what it holds', () => {
    const r = new EndpointRegistry();
    register(r, '/a/', 1);
    register(r, '/b/', 2);
    register(r, '/c/', 1);
    r.sessionClosed(2);
    r.sessionClosed(1);
    assert.equal(r.size, 3);
    assert.equal(r.chars, 30);
    assert.equal(r.closedEndpoints, 3);
    assert.equal(oldestClosedUri(r), '/b/');
    r.delete('/b/');
    assert.equal(oldestClosedUri(r), '/a/');
    assert.deepEqual(counts(r, 1), { endpoints: 0, chars: 0 });
  });

  it('forgets everything when the leaf reloads, and registers again afterwards', () => {
    const r = new EndpointRegistry();
    register(r, '/a/', 1);
    register(r, '/b/', 2);
    r.sessionClosed(1);
    r.clear();
    assert.equal(r.size, 0);
    assert.equal(r.chars, 0);
    assert.equal(r.closedEndpoints, 0);
    assert.equal(r.closedChars, 0);
    assert.equal(r.oldestOfClosedSessions(), undefined);
    register(r, '/c/', 3, 7);
    r.sessionClosed(3);
    assert.equal(r.closedEndpoints, 1);
    assert.equal(r.chars, 7);
    assert.equal(oldestClosedUri(r), '/c/');
  });
});

describe('a renewal in a leaf endpoint registry', { timeout: 10_000 }, () => {
  it('updates the registration in place when its own session renews it, keeping its place and recounting its text', () => {
    const r = new EndpointRegistry();
    const first = register(r, '/a/', 1, 10);
    register(r, '/b/', 1, 10);
    const renewed = register(r, '/a/', 1, 25);
    assert.equal(renewed, first);
    assert.equal(r.chars, 35);
    assert.deepEqual(counts(r, 1), { endpoints: 2, chars: 35 });
    r.sessionClosed(1);
    assert.equal(oldestClosedUri(r), '/a/');
  });

  it('relinks a registration another session takes over, as that session\'s newest', () => {
    const r = new EndpointRegistry();
    register(r, '/a/', 1);
    register(r, '/b/', 1);
    register(r, '/a/', 2);
    assert.deepEqual(counts(r, 1), { endpoints: 1, chars: 10 });
    assert.deepEqual(counts(r, 2), { endpoints: 1, chars: 10 });
    r.sessionClosed(2);
    r.sessionClosed(1);
    assert.equal(r.sessionOf(r.oldestOfClosedSessions()!), 2);
  });
});

describe('registrations held in slots', { timeout: 10_000 }, () => {
  for (const fit of [false, true]) {
    it(`reuses the slots of deleted registrations and keeps every list in order past the first growth${fit ? ', fitted to size between steps' : ''}`, () => {
      const r = new EndpointRegistry();
      // What each session should hold, oldest first.
      const expected = new Map<number, string[]>();
      const add = (uri: string, sessionId: number) => {
        register(r, uri, sessionId, uri.length);
        if (expected.get(sessionId)?.includes(uri)) return; // a renewal keeps its place
        for (const list of expected.values()) {
          const at = list.indexOf(uri);
          if (at >= 0) list.splice(at, 1);
        }
        if (!expected.has(sessionId)) expected.set(sessionId, []);
        expected.get(sessionId)!.push(uri);
      };
      for (let i = 0; i < 300; i++) add(`/ep-${i}/`, 1 + (i % 3));
      if (fit) r.fitToSize();
      for (let i = 0; i < 300; i += 2) {
        assert.equal(r.delete(`/ep-${i}/`), true);
        for (const list of expected.values()) if (list.includes(`/ep-${i}/`)) list.splice(list.indexOf(`/ep-${i}/`), 1);
      }
      assert.equal(r.delete('/ep-0/'), false);
      if (fit) r.fitToSize();
      for (let i = 300; i < 450; i++) add(`/ep-${i}/`, 1 + (i % 3));
      // Taken over by another session (session 2 holds it): that session's newest.
      add('/ep-1/', 3);
      if (fit) r.fitToSize();
      for (const sessionId of [3, 1, 2]) r.sessionClosed(sessionId);
      const walked: string[] = [];
      for (let entry = r.oldestOfClosedSessions(); entry !== undefined; entry = r.newerThan(entry)) {
        walked.push(r.objectsOf(entry)[0]!.uri);
        assert.equal(r.agentOf(entry), `node-${r.sessionOf(entry)}`);
        assert.equal(r.charsOf(entry), r.objectsOf(entry)[0]!.uri.length);
        assert.equal(r.expiresAtMsOf(entry), 1_000);
      }
      assert.deepEqual(walked, [...expected.get(3)!, ...expected.get(1)!, ...expected.get(2)!]);
      assert.equal(r.size, walked.length);
      assert.equal(r.closedEndpoints, walked.length);
      assert.equal(r.chars, walked.reduce((n, uri) => n + uri.length, 0));
      assert.deepEqual([...r.entries()].map(([uri]) => uri), [...r.entries()].map(([, entry]) => r.objectsOf(entry)[0]!.uri));
    });
  }
});

describe('who registered an endpoint in a leaf endpoint registry', { timeout: 10_000 }, () => {
  it('names the agent of the registering session, after the session closed too, and the new one after a takeover', () => {
    const r = new EndpointRegistry();
    const a = register(r, '/a/', 1);
    const b = register(r, '/b/', 1);
    r.sessionClosed(1);
    assert.equal(r.agentOf(a), 'node-1');
    register(r, '/a/', 2);
    assert.equal(r.agentOf(a), 'node-2');
    assert.equal(r.agentOf(b), 'node-1');
    r.delete('/b/');
    const c = register(r, '/c/', 1);
    assert.equal(r.agentOf(c), 'node-1', 'a session id registering again after its last registration went');
  });

  it('refuses a second agent name for one session', () => {
    const r = new EndpointRegistry();
    register(r, '/a/', 1);
    assert.throws(() => r.set('/b/', 'someone-else', 1, [{ subject: 'EprL2Ep', uri: '/b/', properties: [], children: [] }], 1_000, 1), /one agent per session/);
    assert.equal(r.get('/b/'), undefined, 'nothing registered');
    assert.equal(r.size, 1);
  });
});

describe('when the first registration of a leaf endpoint registry expires', { timeout: 10_000 }, () => {
  it('is the earliest expiry of what it holds, whatever was deleted, renewed or reused since; Infinity when empty', () => {
    const r = new EndpointRegistry();
    assert.equal(r.earliestExpiryMs(), Infinity);
    const at = (uri: string, sessionId: number, expiresAtMs: number) =>
      r.set(uri, `node-${sessionId}`, sessionId, [{ subject: 'EprL2Ep', uri, properties: [], children: [] }], expiresAtMs, 10);
    for (let i = 0; i < 100; i++) at(`/ep-${i}/`, 1, 5_000 + i);
    assert.equal(r.earliestExpiryMs(), 5_000);
    r.delete('/ep-0/');
    assert.equal(r.earliestExpiryMs(), 5_001, 'a deleted registration no longer counts');
    at('/ep-1/', 1, 9_000);
    assert.equal(r.earliestExpiryMs(), 5_002, 'a renewal moves its expiry');
    at('/ep-new/', 2, 4_000);
    assert.equal(r.earliestExpiryMs(), 4_000, 'a slot reused for a new registration counts with its own expiry');
    for (let i = 1; i < 100; i++) r.delete(`/ep-${i}/`);
    r.delete('/ep-new/');
    assert.equal(r.earliestExpiryMs(), Infinity);
  });
});
