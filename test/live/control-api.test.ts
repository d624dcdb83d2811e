import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Emulator } from '../../src/live/emulator.ts';
import { stringifyJson } from '../../src/opflex/lossless-json.ts';
import { loadBuiltinScenario } from '../../src/scenario/loader.ts';
import { parsePolicyFile } from '../../src/scenario/policy-file.ts';
import { loadPolicyStore } from '../../src/scenario/policy-source.ts';
import { RawPeer, waitFor } from '../transport/socket-helpers.ts';

const POLICY_FILE = fileURLToPath(new URL('../fixtures/policy/opflex-server-policy.json', import.meta.url));
const LIVENESS_MS = 30_000;
const JSON_TYPE = { 'content-type': 'application/json' };

describe('the emulator with an opflex_server policy file, seen through its control API', { timeout: 60_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  let emulator: Emulator;
  let url = '';
  let peer: RawPeer;
  const fileObjects = parsePolicyFile(readFileSync(POLICY_FILE, 'utf8'), POLICY_FILE);
  const epg = fileObjects.find((o) => o.subject === 'GbpEpGroup')!;

  before(async () => {
    emulator = new Emulator({
      scenario,
      leafBase: '127.0.0.121',
      port,
      anycast: { host: '127.0.0.31', port },
      control: { host: '127.0.0.1', port: 0 },
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

  it('serves a policy file object back exactly as the file has it, subtree parents first, id echoed', async () => {
    await waitFor(() => peer.frames.some((f) => f.startsWith('{"id":["policy_resolve"')), 'the resolve reply', LIVENESS_MS);
    const reply = peer.frames.find((f) => f.startsWith('{"id":["policy_resolve"'))!;
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

  it('lists the fabric, the session and its ODev', async () => {
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
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^# TYPE opflex_twin_sessions gauge$/m);
    assert.match(metrics, /^opflex_twin_sessions\{leaf="leaf-101",state="ready"\} 1$/m);
    assert.match(metrics, /^opflex_twin_policy_downloads_total\{leaf="leaf-101"\} \d+$/m);
    const controller = new AbortController();
    const response = await fetch(`${url}/events`, { signal: controller.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('"event":"session-ready"')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    assert.match(text, /event: trace\ndata: \{"tMs":[\d.]+,"actor":"leaf-101","event":"session-ready"/);
  });

  it('pushes an operator policy change to the subscribed session as a policy_update', async () => {
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
