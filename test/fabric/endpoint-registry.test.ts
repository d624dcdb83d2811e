import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointRegistry } from '../../src/fabric/endpoint-registry.ts';

const register = (r: EndpointRegistry, uri: string, sessionId: number, chars = 10) =>
  r.set(uri, `node-${sessionId}`, sessionId, [{ subject: 'EprL2Ep', uri, properties: [], children: [] }], 1_000, chars);

const counts = (r: EndpointRegistry, sessionId: number) => {
  const { endpoints, chars } = r.ofSession(sessionId);
  return { endpoints, chars };
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
    assert.equal(r.oldestOfClosedSessions()?.objects[0]?.uri, '/b/');
    r.delete('/b/');
    assert.equal(r.oldestOfClosedSessions()?.objects[0]?.uri, '/a/');
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
    assert.equal(r.oldestOfClosedSessions()?.objects[0]?.uri, '/c/');
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
    assert.equal(r.oldestOfClosedSessions()?.objects[0]?.uri, '/a/');
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
    assert.equal(r.oldestOfClosedSessions()?.sessionId, 2);
  });
});
