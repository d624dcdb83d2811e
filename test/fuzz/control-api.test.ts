/**
 * Seeded random HTTP requests against a live emulator's control API: any method, target, Host,
 * Origin, Content-Type and body (hostile JSON, raw bytes, deep nesting, near the size bound), sent as
 * raw bytes so nothing is tidied on the way. The server never answers 5xx, never leaves a request
 * unanswered, and serves a well-formed GET /fabric after every batch; once the clients are gone it
 * holds none of their connections.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Emulator } from '../../src/live/emulator.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import type { Endpoint } from '../../src/transport/transport.ts';
import { fuzzParameters, hostileJson, hostileString } from '../support/fuzz.ts';
import { httpRequest } from '../support/http-request.ts';
import { delay } from '../transport/socket-helpers.ts';

/** A request that gets no complete answer in this long is a hang. */
const ANSWER_MS = 15_000;

interface FuzzRequest {
  method: string;
  target: string;
  host: string | undefined;
  origin: string | undefined;
  contentType: string | undefined;
  body: Buffer;
  /** Content-Length sent: the body's length, or less (the rest then reads as a next request). */
  declaredLength: number;
}

/** Sends `r` as raw bytes on its own connection; resolves with the status (0 when the server closed without one). */
function send(at: Endpoint, r: FuzzRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(at.port, at.host);
    let head = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No answer within ${ANSWER_MS} ms to ${JSON.stringify({ ...r, body: r.body.toString('latin1').slice(0, 200) })}`));
    }, ANSWER_MS);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      resolve(status ? Number(status[1]) : 0);
    };
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      // An event stream stays open: its status line and headers are the answer.
      if (/^HTTP\/1\.1 200 [^]*\r\n\r\n/.test(head) && /content-type: text\/event-stream/i.test(head)) done();
    });
    socket.on('error', () => {});
    socket.on('close', done);
    socket.on('connect', () => {
      const lines = [`${r.method} ${r.target} HTTP/1.1`, 'Connection: close'];
      if (r.host !== undefined) lines.push(`Host: ${r.host}`);
      if (r.origin !== undefined) lines.push(`Origin: ${r.origin}`);
      if (r.contentType !== undefined) lines.push(`Content-Type: ${r.contentType}`);
      if (r.body.length > 0 || r.method === 'POST') lines.push(`Content-Length: ${r.declaredLength}`);
      socket.end(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), r.body]));
    });
  });
}

/** Every UTF-8 byte of `s` as %XX (lone surrogates included, which encodeURIComponent refuses). */
function percentEncoded(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

function requests(at: Endpoint): fc.Arbitrary<FuzzRequest> {
  const own = `${at.host}:${at.port}`;
  const known = ['/', '/fabric', '/nodes', '/sessions', '/odevs', '/migrations', '/policy', '/events', '/metrics'];
  const target = fc.oneof(
    { arbitrary: fc.constantFrom(...known), weight: 12 },
    fc.constantFrom( '/migrations/', '/events?replay=false', '/events?replay=true', '/events?replay=x', '/fabric?a=1&b=2', '//fabric', '*', 'http://evil.example/fabric'),
    hostileString(80).map((s) => `/${s}`),
    hostileString(80).map((s) => `/${percentEncoded(s)}`),
    fc.tuple(fc.constantFrom(...known), hostileString(40)).map(([path, q]) => `${path}?${percentEncoded(q)}=1`),
    fc.integer({ min: 2000, max: 3000 }).map((n) => `/fabric?${'q'.repeat(n)}`),
  );
  const name = fc.oneof(fc.constantFrom('node-1', 'node-2', 'node-3', 'node-4', 'esx-1', 'esx-2', 'esx-3', 'esx-4'), hostileString(24));
  const body = fc.oneof(
    fc.constant(''),
    hostileJson().map((v) => JSON.stringify(v) ?? ''),
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
    fc.record({ node: name, to: name }).map((b) => JSON.stringify(b)),
    fc.record({ node: hostileJson(), to: hostileJson(), extra: fc.option(hostileJson()) }).map((b) => JSON.stringify(b)),
    fc.record({
      replace: fc.array(fc.record({ subject: hostileString(24), uri: hostileString(48), parent_uri: fc.option(hostileString(48)), properties: fc.array(fc.record({ name: hostileString(12), data: hostileJson(3) }), { maxLength: 4 }), children: fc.array(hostileString(24), { maxLength: 3 }) }), { maxLength: 3 }),
      delete: fc.option(fc.array(fc.record({ subject: hostileString(12), uri: hostileString(24) }), { maxLength: 2 })),
    }).map((b) => JSON.stringify(b)),
    fc.integer({ min: 1, max: 64 * 1024 }).map((n) => '['.repeat(n)),
    fc.integer({ min: 1, max: 40 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
    fc.constantFrom('{"replace":[{"properties":[{"name":"n","data":18446744073709551616}]}]}', '{"node":"\\ud800","to":"esx-1"}', '{"__proto__":{"node":"node-1"},"to":"esx-3"}'),
    fc.integer({ min: 64 * 1024 - 16, max: 64 * 1024 + 16 }).map((n) => `"${'x'.repeat(n - 2)}"`),
  );
  // A program's request to a real route: the body is all that is hostile, so it reaches the handlers.
  const wellFormed = fc
    .record({
      route: fc.constantFrom('POST /migrations', 'POST /migrations', 'POST /policy', 'POST /policy', 'GET /events?replay=false', 'GET /fabric', 'GET /migrations'),
      body: body.map((b) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : b)),
    })
    .map(({ route, body: b }) => {
      const [method, target] = route.split(' ') as [string, string];
      const post = method === 'POST';
      return { method, target, host: own, origin: undefined, contentType: post ? 'application/json' : undefined, body: post ? b : Buffer.alloc(0), declaredLength: post ? b.length : 0 };
    });
  const anything = fc
    .record({
      // Mostly requests node's parser accepts, so most of them reach the routes; some that it refuses.
      method: fc.oneof({ arbitrary: fc.constantFrom('GET', 'GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), weight: 9 }, { arbitrary: fc.oneof(fc.constantFrom('TRACE', 'get', 'CONNECT'), hostileString(8)), weight: 1 }),
      target,
      host: fc.oneof({ arbitrary: fc.constant(own), weight: 6 }, { arbitrary: fc.constantFrom(`localhost:${at.port}`, `[::1]:${at.port}`, 'localhost', `evil.example:${at.port}`, 'localhost:1', '', undefined), weight: 3 }, { arbitrary: hostileString(32), weight: 1 }),
      origin: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.constantFrom(`http://${own}`, `https://${own}`, 'http://evil.example', 'null', ''), weight: 3 }, { arbitrary: hostileString(32), weight: 1 }),
      contentType: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 6 }, { arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'APPLICATION/JSON', undefined), weight: 3 }, { arbitrary: hostileString(32), weight: 1 }),
      body: body.map((b) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : b)),
      shortBy: fc.oneof(fc.constant(0), fc.constant(0), fc.nat(64)),
    })
    .map(({ shortBy, ...r }) => ({ ...r, declaredLength: Math.max(0, r.body.length - shortBy) }));
  return fc.oneof(wellFormed, anything);
}

describe('control API fuzz: seeded hostile HTTP requests against a live emulator', { timeout: 600_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const port = testPort();
  const emulator = testEmulator({
    scenario,
    leafBase: '127.0.0.161',
    port,
    anycastHost: '127.0.0.35',
    timeScale: 20,
    agents: false,
  });
  let control: Endpoint;
  before(async () => {
    ({ control } = await emulator.start());
  });
  after(() => emulator.stop());

  it('never answers 5xx, never hangs, and serves GET /fabric after every batch', async (t) => {
    const statuses = new Map<number, number>();
    let tried = 0;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const { rss: rssBefore, heapUsed: heapBefore } = process.memoryUsage();
    await fc.assert(
      fc.asyncProperty(fc.array(requests(control), { minLength: 1, maxLength: 8 }), async (batch) => {
        const answered = await Promise.all(batch.map((r) => send(control, r)));
        tried += batch.length;
        answered.forEach((status, i) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          assert.ok(status < 500, `${status} for ${JSON.stringify({ ...batch[i], body: batch[i]!.body.toString('latin1').slice(0, 200) })}`);
        });
        const fabric = await httpRequest(control, { path: '/fabric' }, ANSWER_MS);
        assert.equal(fabric.status, 200);
        assert.equal((JSON.parse(fabric.text) as { scenario: string }).scenario, scenario.name);
      }),
      fuzzParameters(400),
    );
    // Every hostile connection is gone from the server once its client has left.
    const deadline = Date.now() + 30_000;
    while ((await emulator.control.connections()) > 0 || emulator.control.eventSubscribers > 0) {
      assert.ok(Date.now() < deadline, `the server still holds ${await emulator.control.connections()} connections`);
      await delay(50);
    }
    gc?.();
    const { rss: rssAfter, heapUsed: heapAfter } = process.memoryUsage();
    t.diagnostic(`requests tried: ${tried}; statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    t.diagnostic(`before -> after the clients left${gc ? ' (after GC)' : ' (no --expose-gc)'}: RSS ${mib(rssBefore)} -> ${mib(rssAfter)}, heap ${mib(heapBefore)} -> ${mib(heapAfter)}; ${emulator.tracker.records.length} migrations started`);
  });
});
