import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ControlApi } from '../../src/live/control-api.ts';
import type { ControlApiLimits } from '../../src/live/control-api-limits.ts';
import type { Emulator } from '../../src/live/emulator.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { stringifyJson } from '../../src/opflex/lossless-json.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { parsePolicyFile } from '../../src/scenario/policy-file.ts';
import { loadPolicyStore } from '../../src/scenario/policy-source.ts';
import type { Endpoint } from '../../src/transport/transport.ts';
import { readEventStreamUntil } from '../support/event-stream.ts';
import { httpRequest, postJson, type RawRequest } from '../support/http-request.ts';
import { delay, RawPeer, waitFor } from '../transport/socket-helpers.ts';

const POLICY_FILE = fileURLToPath(new URL('../fixtures/policy/opflex-server-policy.json', import.meta.url));
const LIVENESS_MS = 30_000;
const JSON_TYPE = { 'content-type': 'application/json' };

describe('the emulator with an opflex_server policy file, seen through its control API', { timeout: 60_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const port = testPort();
  let emulator: Emulator;
  let url = '';
  let peer: RawPeer;
  const fileObjects = parsePolicyFile(readFileSync(POLICY_FILE, 'utf8'), POLICY_FILE);
  const epg = fileObjects.find((o) => o.subject === 'GbpEpGroup')!;

  before(async () => {
    emulator = testEmulator({
      scenario,
      leafBase: '127.0.0.121',
      port,
      anycastHost: '127.0.0.31',
      timeScale: 50,
      agents: false,
      policy: loadPolicyStore(POLICY_FILE),
    });
    const { control } = await emulator.start();
    url = `http://${control.host}:${control.port}`;
    peer = await RawPeer.open(port, '127.0.0.121');
    await peer.send(JSON.stringify({ id: ['send_identity', 1], method: 'send_identity', params: [{ proto_version: '1.0', name: 'node-1', domain: scenario.policy.domain, my_role: ['policy_element'], data: { mac: '00:50:56:a1:00:01', features: ['anycastFallback'] } }] }));
    await peer.send(`{"id":["policy_resolve",18446744073709551615],"method":"policy_resolve","params":[{"subject":"GbpEpGroup","policy_uri":${JSON.stringify(epg.uri)},"prr":7200}]}`);
  });

  after(async () => {
    peer.destroy();
    await emulator.stop();
  });

  /** The reply to the raw peer's policy_resolve of `before` (each test that needs it waits for it itself). */
  async function resolveReply(): Promise<string> {
    const isReply = (f: string) => f.startsWith('{"id":["policy_resolve"');
    await waitFor(() => peer.frames.some(isReply), 'the resolve reply', LIVENESS_MS);
    return peer.frames.find(isReply)!;
  }

  it('serves a policy file object back exactly as the file has it, subtree parents first, id echoed', async () => {
    const reply = await resolveReply();
    const subtree: typeof fileObjects = [];
    const byUri = new Map(fileObjects.map((o) => [o.uri, o]));
    const visit = (uri: string) => {
      const mo = byUri.get(uri);
      if (!mo) return;
      subtree.push(mo);
      mo.children.forEach(visit);
    };
    visit(epg.uri);
    assert.ok(subtree.length > 1);
    assert.equal(reply, `{"id":["policy_resolve",18446744073709551615],"result":{"policy":${stringifyJson(subtree)}}}`);
  });

  /** The raw peer's session on leaf-101 is ready (each test waits for it itself, whichever runs first). */
  const sessionReady = () =>
    waitFor(() => emulator.twin.leaves.get('leaf-101')!.openSessions().some((s) => s.identity?.name === 'node-1' && s.state === 'ready'), 'the session of node-1 to be ready', LIVENESS_MS);

  it('lists the fabric, the session and its ODev', async () => {
    await sessionReady();
    const fabric = (await (await fetch(`${url}/fabric`)).json()) as { leafPairs: { leaves: { name: string; listen: string }[] }[] };
    assert.equal(fabric.leafPairs[0]!.leaves[0]!.listen, `127.0.0.121:${port}`);
    const sessions = (await (await fetch(`${url}/sessions`)).json()) as { leaf: string; sessions: { agent: string; state: string }[] }[];
    assert.deepEqual(sessions.find((l) => l.leaf === 'leaf-101')!.sessions.map((s) => [s.agent, s.state]), [['node-1', 'ready']]);
    await waitFor(() => emulator.twin.leaves.get('leaf-101')!.currentOdevs().length === 1, 'the ODev', LIVENESS_MS);
    const odevs = (await (await fetch(`${url}/odevs`)).json()) as { apic: { hostName: string; devId: number; fabricPathDn: string; state: string }[] };
    const odev = odevs.apic.find((o) => o.hostName === 'node-1')!;
    assert.equal(odev.devId, ((10 << 24) | 101) >>> 0, 'devId is the infra IP as a 32-bit integer');
    assert.equal(odev.fabricPathDn, 'topology/pod-1/protpaths-101-102/pathep-[esx-1-vpc]');
    assert.equal(odev.state, 'connected');
  });

  it('exposes Prometheus metrics and streams trace events', async () => {
    await sessionReady();
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^# TYPE opflex_twin_sessions gauge$/m);
    assert.match(metrics, /^opflex_twin_sessions\{leaf="leaf-101",state="ready"\} 1$/m);
    assert.match(metrics, /^opflex_twin_policy_downloads_total\{leaf="leaf-101"\} \d+$/m);
    const controller = new AbortController();
    const response = await fetch(`${url}/events`, { signal: controller.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const text = await readEventStreamUntil(response, (t) => t.includes('"event":"session-ready"'), 'the session-ready event', LIVENESS_MS);
    controller.abort();
    assert.match(text, /event: trace\ndata: \{"tMs":[\d.]+,"actor":"leaf-101","event":"session-ready"/);
  });

  it('pushes an operator policy change to the subscribed session as a policy_update', async () => {
    await resolveReply();
    const ctx = fileObjects.find((o) => o.subject === 'GbpeInstContext' && o.parent_uri === epg.uri)!;
    const changed = { ...ctx, properties: [{ name: 'encapId', data: 7897089 }, { name: 'classid', data: 49999 }] };
    const before = peer.frames.length;
    const response = await fetch(`${url}/policy`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ replace: [changed] }) });
    assert.equal(response.status, 202);
    await waitFor(() => peer.frames.slice(before).some((f) => f.includes('"method":"policy_update"')), 'the policy_update', LIVENESS_MS);
    const update = peer.frames.slice(before).find((f) => f.includes('"method":"policy_update"'))!;
    assert.match(update, /^\{"id":\["policy_update",\d+\],"method":"policy_update","params":\[\{"replace":\[\{"subject":"GbpeInstContext"/);
    assert.match(update, /"classid","data":49999/);
    const bad = await fetch(`${url}/policy`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ replace: [{ subject: 'X' }] }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /uri/);
  });

  it('answers a bad request with a 4xx that names the problem', async () => {
    const bad = await fetch(`${url}/migrations`, { method: 'POST', headers: JSON_TYPE, body: '{"node": 7}' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /"node" must be a node name/);
    assert.equal((await fetch(`${url}/nope`)).status, 404);
    const notJson = await fetch(`${url}/migrations`, { method: 'POST', headers: JSON_TYPE, body: '{' });
    assert.equal(notJson.status, 400);
  });
});

/** An emulator of the default scenario whose migrations stay in pre-copy for `preCopyMs` of scenario time. */
function emulatorFor(leafBase: string, anycastHost: string, o: { preCopyMs: number; timeScale: number; agents: boolean }): Emulator {
  const scenario = loadBuiltinScenario('default');
  const port = testPort();
  return testEmulator({
    scenario: { ...scenario, latencies: { ...scenario.latencies, preCopyMs: { kind: 'fixed', valueMs: o.preCopyMs } } },
    leafBase,
    port,
    anycastHost: anycastHost,
    timeScale: o.timeScale,
    agents: o.agents,
  });
}

interface Mistake {
  mistake: string;
  request: RawRequest;
  /** Sent first, answered 202 (a migration that is then still running). */
  before?: RawRequest;
  status: number;
  message: RegExp;
  fields?: Record<string, unknown>;
}

const post = (path: string, body: string | Buffer, contentType: string | null = 'application/json'): RawRequest => ({
  method: 'POST',
  path,
  headers: { 'content-type': contentType },
  body,
});

describe('control API user mistakes: each gets its status and a one-line message naming the problem', { timeout: 60_000 }, () => {
  // An hour of pre-copy: a migration started here is still running for the whole suite.
  const emulator = emulatorFor('127.0.0.141', '127.0.0.33', { preCopyMs: 3_600_000, timeScale: 1, agents: false });
  let control: Endpoint;
  before(async () => {
    ({ control } = await emulator.start());
  });
  after(() => emulator.stop());

  const mistakes: Mistake[] = [
    { mistake: 'wrong method on a known path', request: { method: 'DELETE', path: '/nodes' }, status: 405, message: /^"DELETE" not allowed on \/nodes \(allowed: GET\)$/ },
    { mistake: 'unknown route', request: { path: '/nope' }, status: 404, message: /^No route "\/nope" \(GET \/ lists them\)$/ },
    { mistake: 'body is not JSON', request: post('/migrations', '{"node": '), status: 400, message: /^Body is not JSON: .+ at byte \d+$/ },
    { mistake: 'empty body', request: post('/migrations', ''), status: 400, message: /^Body is empty; expected a JSON object$/ },
    { mistake: 'body is not an object', request: post('/migrations', '["node-1", "esx-3"]'), status: 400, message: /^Body must be a JSON object \{"node": \.\.\., "to": \.\.\.\}$/ },
    { mistake: 'wrong content type (a browser form or text/plain)', request: post('/migrations', '{"node":"node-1","to":"esx-3"}', 'text/plain'), status: 415, message: /^Content-Type must be application\/json, got "text\/plain"$/ },
    { mistake: 'no content type', request: post('/migrations', '{"node":"node-1","to":"esx-3"}', null), status: 415, message: /^Content-Type must be application\/json, got none$/ },
    { mistake: 'JSON in another charset', request: post('/migrations', '{}', 'application/json; charset=latin1'), status: 415, message: /^Content-Type must be application\/json in utf-8, got "application\/json; charset=latin1"$/ },
    { mistake: 'missing field', request: post('/migrations', '{"to":"esx-3"}'), status: 400, message: /^Field "node" is missing: a node name$/ },
    { mistake: 'field of the wrong type', request: post('/migrations', '{"node":"node-1","to":3}'), status: 400, message: /^Field "to" must be a hypervisor name$/ },
    { mistake: 'unknown field', request: post('/migrations', '{"node":"node-1","to":"esx-3","force":true}'), status: 400, message: /^Unknown field "force" \(expected node, to\)$/ },
    { mistake: 'unknown node', request: post('/migrations', '{"node":"node-9","to":"esx-3"}'), status: 400, message: /^Unknown node "node-9" \(known: node-1, node-2, node-3, node-4\)$/ },
    { mistake: 'unknown hypervisor', request: post('/migrations', '{"node":"node-1","to":"esx-9"}'), status: 400, message: /^Unknown hypervisor "esx-9" \(known: esx-1, esx-2, esx-3, esx-4\)$/ },
    { mistake: 'node already on that hypervisor', request: post('/migrations', '{"node":"node-3","to":"esx-3"}'), status: 409, message: /^Node "node-3" already runs on esx-3$/ },
    {
      mistake: 'migration of that node already running',
      before: post('/migrations', '{"node":"node-4","to":"esx-1"}'),
      request: post('/migrations', '{"node":"node-4","to":"esx-2"}'),
      status: 409,
      message: /^Node "node-4" is already migrating \(migration 0, esx-4 -> esx-1\); start another once it has finished$/,
      fields: { migration: 0 },
    },
    { mistake: 'policy objects that do not validate', request: post('/policy', '{"replace":[{"subject":"X"}]}'), status: 400, message: /uri/ },
    { mistake: 'foreign Origin (a page on another site)', request: { path: '/fabric', headers: { origin: 'http://evil.example' } }, status: 403, message: /^Origin "http:\/\/evil\.example" may not use this control API/ },
    { mistake: 'opaque Origin (a sandboxed page or file)', request: post('/migrations', '{"node":"node-1","to":"esx-3"}', 'application/json'), status: 403, message: /^Origin "null" may not use/ },
    { mistake: 'foreign Host (DNS rebinding)', request: { path: '/fabric', headers: { host: 'rebind.example:80' } }, status: 421, message: /^Host "rebind\.example:80": this control API answers only to localhost:\d+, 127\.0\.0\.1:\d+, \[::1\]:\d+$/ },
    { mistake: 'Host with another port', request: { path: '/fabric', headers: { host: 'localhost:1' } }, status: 421, message: /^Host "localhost:1": this control API answers only to/ },
    { mistake: 'body too large', request: post('/policy', Buffer.alloc(70 * 1024, 0x20)), status: 413, message: /^Body larger than 65536 bytes$/ },
    { mistake: 'body nested too deep', request: post('/policy', '['.repeat(64 * 1024)), status: 400, message: /^Body nests JSON deeper than 32 levels \(at character 32\)$/ },
    { mistake: 'request target too long', request: { path: `/fabric?${'a'.repeat(3000)}` }, status: 414, message: /^Request target longer than 2048 bytes$/ },
    { mistake: 'unknown query parameter', request: { path: '/fabric?verbose=1' }, status: 400, message: /^Unknown query parameter "verbose" on \/fabric \(it takes none\)$/ },
    { mistake: 'a GET with a body', request: { path: '/events', headers: { 'content-type': 'application/json', 'content-length': '2' }, body: '{}' }, status: 400, message: /^GET \/events takes no body$/ },
    { mistake: 'replay neither true nor false', request: { path: '/events?replay=0' }, status: 400, message: /^Query parameter replay must be true or false, got "0"$/ },
  ];
  // The opaque-origin row sends Origin: null with a well-formed migration.
  mistakes.find((m) => m.mistake.startsWith('opaque'))!.request.headers!.origin = 'null';

  for (const m of mistakes) {
    it(`${m.mistake}: ${m.status}`, async () => {
      if (m.before) assert.equal((await httpRequest(control, m.before)).status, 202, 'the first migration starts');
      const answer = await httpRequest(control, m.request);
      assert.equal(answer.status, m.status, answer.text);
      assert.match(answer.headers['content-type'] as string, /^application\/json/);
      const body = JSON.parse(answer.text) as { error: string };
      assert.match(body.error, m.message);
      assert.doesNotMatch(body.error, /\n|\s{2}at /, 'one line, no stack');
      for (const [field, value] of Object.entries(m.fields ?? {})) assert.deepEqual((body as Record<string, unknown>)[field], value);
    });
  }

  it('started no migration for any of them but the one meant to run', () => {
    assert.deepEqual(emulator.tracker.records.map((r) => [r.node, r.from, r.to]), [['node-4', 'esx-4', 'esx-1']]);
  });

  it('tells its allowed methods with a 405', async () => {
    const answer = await httpRequest(control, { method: 'PUT', path: '/migrations' });
    assert.equal(answer.headers.allow, 'GET, POST');
  });

  it('answers requests from a program, its own page, and any of its loopback names', async () => {
    const asSent: Record<string, string>[] = [{}, { origin: `http://127.0.0.1:${control.port}` }, { host: `localhost:${control.port}` }, { host: `[::1]:${control.port}`, origin: `http://localhost:${control.port}` }];
    for (const headers of asSent) {
      const answer = await httpRequest(control, { path: '/fabric', headers });
      assert.equal(answer.status, 200, JSON.stringify(headers));
    }
  });

  it('passes POST /policy bodies to the policy update with integers past 2^53 exact', async () => {
    const received: unknown[] = [];
    const updatePolicy = emulator.updatePolicy;
    emulator.updatePolicy = (body) => (received.push(body), { replaced: 0, merged: 0, deleted: 0 });
    try {
      const answer = await httpRequest(control, post('/policy', '{"replace":[{"properties":[{"name":"big","data":18446744073709551615},{"name":"near","data":9007199254740993}]}]}'));
      assert.equal(answer.status, 202);
    } finally {
      emulator.updatePolicy = updatePolicy;
    }
    const [body] = received as { replace: { properties: { data: unknown }[] }[] }[];
    assert.deepEqual(body!.replace[0]!.properties.map((p) => p.data), [2n ** 64n - 1n, 2n ** 53n + 1n]);
  });

  it('answers a failure of its own with a 500 naming the request, logs it on one line, and keeps serving', async () => {
    const logged: string[] = [];
    const api = new ControlApi(emulator, { log: (line) => logged.push(line) });
    const address = await api.listen('127.0.0.1', 0);
    const at = { host: '127.0.0.1', port: address.port };
    const fabricStatus = emulator.fabricStatus;
    emulator.fabricStatus = () => {
      throw new TypeError('cannot read the fabric\n  at a stack frame');
    };
    try {
      const answer = await httpRequest(at, { path: '/fabric' });
      assert.equal(answer.status, 500);
      assert.equal((JSON.parse(answer.text) as { error: string }).error, 'Internal error answering GET "/fabric": TypeError: cannot read the fabric; at a stack frame');
      assert.deepEqual(logged, ['control API: GET "/fabric" failed: TypeError: cannot read the fabric; at a stack frame']);
    } finally {
      emulator.fabricStatus = fabricStatus;
    }
    assert.equal((await httpRequest(at, { path: '/fabric' })).status, 200);
    await api.close();
  });
});

/** An /events subscriber that sends its request and never reads a byte of the stream. */
async function neverReadingSubscriber(at: Endpoint): Promise<Socket> {
  const socket = connect(at.port, at.host);
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.pause();
  socket.write(`GET /events?replay=false HTTP/1.1\r\nHost: ${at.host}:${at.port}\r\n\r\n`);
  return socket;
}

/** An /events subscriber that reads everything, counting the events marked `burst`. */
async function readingSubscriber(at: Endpoint): Promise<{ burstEvents: () => number; stop: () => void }> {
  const controller = new AbortController();
  const response = await fetch(`http://${at.host}:${at.port}/events?replay=false`, { signal: controller.signal });
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  let count = 0;
  let tail = '';
  void (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      const text = tail + decoder.decode(value, { stream: true });
      const frames = text.split('\n\n');
      tail = frames.pop()!;
      count += frames.filter((f) => f.includes('"event":"burst"')).length;
    }
  })();
  return { burstEvents: () => count, stop: () => controller.abort() };
}

const PAD = 'x'.repeat(1000);
let burstSeq = 0;

/** Broadcasts `n` trace events of about 1 kB each, yielding to the event loop every 100. */
async function burst(api: ControlApi, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    api.broadcast({ tMs: 0, actor: 'test', event: 'burst', data: { n: burstSeq++, pad: PAD } });
    if (i % 100 === 99) await delay(1);
  }
}

describe('/events with clients that never read', { timeout: 60_000 }, () => {
  const emulator = emulatorFor('127.0.0.141', '127.0.0.33', { preCopyMs: 3_600_000, timeScale: 1, agents: false });
  const sockets: Socket[] = [];
  const apis: ControlApi[] = [];
  const logged: string[] = [];

  async function controlApi(limits: Partial<ControlApiLimits>): Promise<{ api: ControlApi; at: Endpoint }> {
    const api = new ControlApi(emulator, { limits, log: (line) => logged.push(line) });
    apis.push(api);
    const address = await api.listen('127.0.0.1', 0);
    return { api, at: { host: '127.0.0.1', port: address.port } };
  }

  after(async () => {
    for (const s of sockets) s.destroy();
    for (const api of apis) await api.close();
  });

  it('drops a subscriber whose unread bytes pass the bound, and the others get every event', async () => {
    logged.length = 0;
    const { api, at } = await controlApi({ eventBufferBytesMax: 256 * 1024 });
    const reader = await readingSubscriber(at);
    sockets.push(await neverReadingSubscriber(at));
    await waitFor(() => api.eventSubscribers === 2, 'both subscribed', LIVENESS_MS);
    const first = burstSeq;
    // The kernel takes a few MB for a client that never reads before our buffer starts to fill.
    while (api.eventSubscribers === 2) {
      assert.ok(burstSeq - first < 100_000, 'the never-reading subscriber was dropped within 100 MB');
      await burst(api, 1000);
    }
    const sent = burstSeq - first;
    await waitFor(() => reader.burstEvents() === sent, `the reader gets all ${sent} events`, LIVENESS_MS);
    assert.equal(api.eventSubscribers, 1);
    assert.match(logged.join('\n'), /^control API: dropped \/events subscriber 127\.0\.0\.1:\d+: \d+ bytes unread \(limit 262144\)$/m);
    reader.stop();
  });

  it('at the subscriber limit, refuses a new one while all keep up, then drops the stale ones to make room', async () => {
    logged.length = 0;
    const { api, at } = await controlApi({ eventSubscribersMax: 3, eventStallMs: 300, eventBufferBytesMax: 256 * 1024 * 1024 });
    const reader = await readingSubscriber(at);
    sockets.push(await neverReadingSubscriber(at), await neverReadingSubscriber(at));
    await waitFor(() => api.eventSubscribers === 3, 'three subscribed', LIVENESS_MS);

    const refused = await httpRequest(at, { path: '/events' });
    assert.equal(refused.status, 503);
    assert.equal((JSON.parse(refused.text) as { error: string }).error, 'Too many event subscribers (limit 3), all of them reading');
    assert.equal(refused.headers['retry-after'], '5');

    // Events flow; once the never-readers hold unread bytes for eventStallMs, a newcomer takes a slot.
    const newcomer = new AbortController();
    let admitted: Response | undefined;
    const deadline = Date.now() + LIVENESS_MS;
    while (!admitted) {
      assert.ok(Date.now() < deadline, 'a new subscriber was admitted in time');
      await burst(api, 1000);
      await delay(100);
      const response = await fetch(`http://${at.host}:${at.port}/events?replay=false`, { signal: newcomer.signal });
      if (response.status === 200) admitted = response;
      else await response.body?.cancel();
    }
    assert.equal(api.eventSubscribers, 2, 'the reader and the newcomer');
    assert.equal(logged.filter((l) => /^control API: dropped \/events subscriber 127\.0\.0\.1:\d+: stale: \d+ bytes unread for \d+ ms, and a new subscriber needs the slot$/.test(l)).length, 2, logged.join('\n'));
    const before = reader.burstEvents();
    await burst(api, 1);
    await waitFor(() => reader.burstEvents() === before + 1, 'the reader still gets events', LIVENESS_MS);
    newcomer.abort();
    reader.stop();
  });
});

describe('control API bounds on slow and greedy clients', { timeout: 60_000 }, () => {
  const emulator = emulatorFor('127.0.0.141', '127.0.0.33', { preCopyMs: 3_600_000, timeScale: 1, agents: false });
  const apis: ControlApi[] = [];
  const sockets: Socket[] = [];

  async function controlApi(limits: Partial<ControlApiLimits> = {}): Promise<Endpoint> {
    const api = new ControlApi(emulator, { limits, log: () => {} });
    apis.push(api);
    const address = await api.listen('127.0.0.1', 0);
    return { host: '127.0.0.1', port: address.port };
  }

  /** A raw connection that records what the server sends and when it closes. */
  async function rawClient(at: Endpoint): Promise<{ socket: Socket; received: () => string; closed: () => boolean }> {
    const socket = connect(at.port, at.host);
    sockets.push(socket);
    let text = '';
    let closed = false;
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => (closed = true));
    await once(socket, 'connect');
    return { socket, received: () => text, closed: () => closed };
  }

  after(async () => {
    for (const s of sockets) s.destroy();
    for (const api of apis) await api.close();
  });

  it('answers 408 and disconnects a client that never finishes its headers', async () => {
    const at = await controlApi({ headersTimeoutMs: 500, requestTimeoutMs: 1000, timeoutCheckIntervalMs: 100 });
    const client = await rawClient(at);
    client.socket.write(`GET /fabric HTTP/1.1\r\nHost: ${at.host}:${at.port}\r\nX-Slow: `);
    await waitFor(client.closed, 'the server to close the connection', LIVENESS_MS);
    assert.match(client.received(), /^HTTP\/1\.1 408 /);
  });

  it('answers 408 and disconnects a client that never finishes its body', async () => {
    const at = await controlApi({ headersTimeoutMs: 500, requestTimeoutMs: 1000, timeoutCheckIntervalMs: 100 });
    const client = await rawClient(at);
    client.socket.write(`POST /policy HTTP/1.1\r\nHost: ${at.host}:${at.port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"replace":`);
    await waitFor(client.closed, 'the server to close the connection', LIVENESS_MS);
    assert.match(client.received(), /^HTTP\/1\.1 408 /);
  });

  it('closes connections past the cap as they arrive, and serves again once they go', async () => {
    const at = await controlApi({ connectionsMax: 2 });
    const held = [await rawClient(at), await rawClient(at)];
    const third = await rawClient(at);
    await waitFor(third.closed, 'the third connection to be closed', LIVENESS_MS);
    assert.equal(third.received(), '');
    for (const h of held) h.socket.destroy();
    // The server learns of the closes asynchronously: retry until it has.
    const deadline = Date.now() + LIVENESS_MS;
    while ((await httpRequest(at, { path: '/fabric' }).then((a) => a.status, () => 0)) !== 200) {
      assert.ok(Date.now() < deadline, 'a request was served once the held connections closed');
      await delay(50);
    }
  });

  it('refuses a body declared larger than the bound before it arrives, and one that turns out larger as it streams', async () => {
    const at = await controlApi();
    const declared = await rawClient(at);
    declared.socket.write(`POST /policy HTTP/1.1\r\nHost: ${at.host}:${at.port}\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n`);
    await waitFor(() => declared.received().includes('\r\n\r\n{'), 'the answer', LIVENESS_MS);
    assert.match(declared.received(), /^HTTP\/1\.1 413 [^]*Connection: close/i);
    const streamed = await httpRequest(at, { method: 'POST', path: '/policy', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: Buffer.alloc(8 * 1024 * 1024, 0x5b) });
    assert.equal(streamed.status, 413);
    assert.equal((await httpRequest(at, { path: '/fabric' })).status, 200);
  });
});

describe('overlapping migrations of one node through the control API', { timeout: 120_000 }, () => {
  // Our own agents in-process, so a migration converges; 10 s of pre-copy (1 s at x10) keeps the
  // first migration running while the next requests arrive.
  const emulator = emulatorFor('127.0.0.151', '127.0.0.34', { preCopyMs: 10_000, timeScale: 10, agents: true });
  const LONG_MS = 90_000;
  let control: Endpoint;
  before(async () => {
    ({ control } = await emulator.start());
    await waitFor(() => [...emulator.twin.nodes.values()].every((vm) => vm.agent.health === 'HEALTHY'), 'every agent HEALTHY', LONG_MS);
  });
  after(() => emulator.stop());

  it('accepts the first, answers the others 409 with the running migration, and the tracker ends with one converged record', async () => {
    const answers = [];
    for (const to of ['esx-3', 'esx-4', 'esx-3']) answers.push(await postJson(control, '/migrations', { node: 'node-1', to }));
    assert.deepEqual(answers.map((a) => a.status), [202, 409, 409]);
    assert.deepEqual(JSON.parse(answers[0]!.text), { migration: 0, node: 'node-1', from: 'esx-1', to: 'esx-3' });
    for (const refused of answers.slice(1)) {
      assert.deepEqual(JSON.parse(refused.text), { error: 'Node "node-1" is already migrating (migration 0, esx-1 -> esx-3); start another once it has finished', migration: 0 });
    }
    await waitFor(() => emulator.tracker.records[0]?.converged === true, 'the migration to converge', LONG_MS);
    const records = JSON.parse((await httpRequest(control, { path: '/migrations' })).text) as { index: number; node: string; from: string; to: string; converged: boolean }[];
    assert.deepEqual(records.map((r) => [r.index, r.node, r.from, r.to, r.converged]), [[0, 'node-1', 'esx-1', 'esx-3', true]]);
  });

  it('takes the next migration of that node once the first has finished', async () => {
    const answer = await postJson(control, '/migrations', { node: 'node-1', to: 'esx-1' });
    assert.equal(answer.status, 202, answer.text);
    assert.deepEqual(JSON.parse(answer.text), { migration: 1, node: 'node-1', from: 'esx-3', to: 'esx-1' });
    await waitFor(() => emulator.tracker.records[1]?.converged === true, 'the migration back to converge', LONG_MS);
    assert.deepEqual(emulator.tracker.records.map((r) => [r.index, r.from, r.to, r.converged]), [[0, 'esx-1', 'esx-3', true], [1, 'esx-3', 'esx-1', true]]);
  });
});
