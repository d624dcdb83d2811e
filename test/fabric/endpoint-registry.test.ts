import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EndpointRegistry } from '../../src/fabric/endpoint-registry.ts';

const register = (r: EndpointRegistry, uri: string, sessionId: number, chars = 10) =>
  r.set(uri, { agent: `node-${sessionId}`, sessionId, objects: [{ subject: 'EprL2Ep', uri, properties: [], children: [] }], expiresAtMs: 1_000, chars });

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
    assert.deepEqual(r.ofSession(1), { endpoints: 0, chars: 0 });
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
