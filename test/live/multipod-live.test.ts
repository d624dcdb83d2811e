/**
 * The multipod flow live (issue 14): the built-in multipod scenario emulated with each pod's anycast
 * proxy and leaves on their own loopback block, node-1's agent in another process reading only the
 * configuration the emulated host-agent writes (`agent --config-dir <reset-dir>/node-1`). A cross-pod
 * migration started through POST /migrations runs the whole cycle (sessions lost, aci-pod `none`, DHCP
 * renew from pod 2, 01-base.conf rewritten, agent reload) and the agent ends up on pod 2.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readAgentConfigDirs } from '../../src/live/agent-config-reader.ts';
import type { Emulator } from '../../src/live/emulator.ts';
import { endpointFilesFor } from '../../src/live/endpoint-files.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { CliChild } from '../support/cli-child.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { waitFor } from '../transport/socket-helpers.ts';

/** Fast enough that the reconnect wait, the DHCP cycle and the 30 s config rediscovery take seconds. */
const TIME_SCALE = 50;
/** A bound on how long a stuck run may hang, not a performance assertion. */
const LIVENESS_MS = 120_000;

type Fabric = { pods: { id: number; tepPool: string; anycast: { fabric: string; listen: string }; leafPairs: string[] }[] };
type Sessions = { leaf: string; listen: string; sessions: { agent: string | null; state: string }[]; declaredEndpoints: number }[];
type Nodes = { name: string; hypervisor: string; infraIp: string; annotations: Record<string, string | null> }[];
type Migrations = { node: string; to: string; converged: boolean; milestones: { name: string }[] }[];

describe('multipod live: an agent in another process follows a cross-pod move to the other pod', { timeout: 300_000 }, () => {
  const scenario = loadBuiltinScenario('multipod');
  const node = scenario.nodes.find((n) => n.name === 'node-1')!;
  const port = testPort();
  const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-multipod-live-'));
  let emulator: Emulator;
  let control = '';
  let agent: CliChild;

  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${control}${path}`)).json()) as T;
  /** Polls the control API until `done` holds of its answer. */
  const until = async <T>(path: string, done: (value: T) => boolean, what: string): Promise<T> => {
    let last: T | undefined;
    let fetching = false;
    await waitFor(() => {
      if (!fetching) {
        fetching = true;
        void get<T>(path).then((v) => ((last = v), (fetching = false)), () => (fetching = false));
      }
      return last !== undefined && done(last);
    }, `${what} (last answer of GET ${path}: ${JSON.stringify(last)?.slice(0, 400)})`, LIVENESS_MS);
    return last!;
  };
  const readySessionsOf = (list: Sessions, name: string) => list.filter((l) => l.sessions.some((s) => s.agent === name && s.state === 'ready'));

  before(async () => {
    emulator = testEmulator({ scenario, leafBase: '127.0.60.101', port, anycastHost: '127.0.60.30', timeScale: TIME_SCALE, agents: false, resetDir: dir });
    const started = await emulator.start();
    control = `http://${started.control.host}:${started.control.port}`;
    const endpointsDir = join(dir, 'node-1-endpoints');
    mkdirSync(endpointsDir);
    for (const [file, text] of endpointFilesFor(node, scenario.policy.tenant)) writeFileSync(join(endpointsDir, file), text);
    agent = new CliChild(['agent', '--config-dir', join(dir, node.name), '--endpoints', endpointsDir, '--mac', node.mac, '--time-scale', String(TIME_SCALE), '--json']);
  });

  after(async () => {
    await agent?.stop();
    await emulator?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists both pods with their own loopback anycast proxies and leaves", async () => {
    const fabric = await get<Fabric>('/fabric');
    assert.deepEqual(fabric.pods.map((p) => [p.id, p.tepPool, p.anycast]), [
      [1, '10.0.0.0/16', { fabric: '10.0.0.30:8009', listen: `127.0.60.30:${port}` }],
      [2, '10.1.0.0/16', { fabric: '10.1.0.30:8009', listen: `127.0.61.30:${port}` }],
    ]);
    const sessions = await get<Sessions>('/sessions');
    const listenOf = (leaf: string) => sessions.find((l) => l.leaf === leaf)!.listen;
    assert.deepEqual(['leaf-101', 'leaf-102', 'leaf-103', 'leaf-104', 'leaf-201', 'leaf-202'].map(listenOf), [
      `127.0.60.101:${port}`, `127.0.60.102:${port}`, `127.0.60.103:${port}`, `127.0.60.104:${port}`, `127.0.61.101:${port}`, `127.0.61.102:${port}`,
    ]);
  });

  it('the agent starts on pod 1: the peer its 01-base.conf names, then pod 1 leaves, and the node annotated pod 1', async () => {
    assert.deepEqual(readAgentConfigDirs([join(dir, node.name)]).peers, [{ host: '127.0.60.30', port }]);
    const sessions = await until<Sessions>('/sessions', (l) => readySessionsOf(l, 'node-1').length === 2, 'node-1 ready on two leaves');
    assert.deepEqual(readySessionsOf(sessions, 'node-1').map((l) => l.leaf).sort(), ['leaf-101', 'leaf-102']);
    await until<Nodes>('/nodes', (n) => n.find((x) => x.name === 'node-1')!.annotations['opflex.cisco.com/aci-pod'] === 'pod-1-10.0.0.0/16', 'node-1 annotated pod 1');
  });

  it('after POST /migrations to a host in pod 2, the agent reloads onto pod 2: its sessions on pod 2 leaves, its endpoint declared there, the node annotated pod 2', async () => {
    const answer = await fetch(`${control}/migrations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ node: 'node-1', to: 'esx-3' }) });
    assert.equal(answer.status, 202, await answer.text());

    await agent.waitForOutput(new RegExp(`"event":"agent-reload".*"peers":"127\\.0\\.61\\.30:${port}"`), 'the agent reloads with pod 2 anycast proxy as its peer', LIVENESS_MS);
    assert.deepEqual(readAgentConfigDirs([join(dir, node.name)]).peers, [{ host: '127.0.61.30', port }]);

    const sessions = await until<Sessions>(
      '/sessions',
      (l) => readySessionsOf(l, 'node-1').map((x) => x.leaf).sort().join() === 'leaf-201,leaf-202',
      'node-1 ready on pod 2 leaves only',
    );
    for (const leaf of ['leaf-201', 'leaf-202']) assert.ok(sessions.find((l) => l.leaf === leaf)!.listen.startsWith('127.0.61.'));
    const declaredOn = (leaf: string) => emulator.twin.leaves.get(leaf)!.declaredEndpoints().filter((e) => e.agent === 'node-1' && e.ip !== undefined).map((e) => e.ip).sort();
    const podIps = node.pods.map((p) => p.ip).sort();
    await waitFor(() => ['leaf-201', 'leaf-202'].every((leaf) => declaredOn(leaf).join() === podIps.join()), "node-1's endpoints declared on both pod 2 leaves", LIVENESS_MS);

    const nodes = await until<Nodes>('/nodes', (n) => n.find((x) => x.name === 'node-1')!.annotations['opflex.cisco.com/aci-pod'] === 'pod-2-10.1.0.0/16', 'node-1 annotated pod 2');
    assert.equal(nodes.find((x) => x.name === 'node-1')!.hypervisor, 'esx-3');
    const shownIp = nodes.find((x) => x.name === 'node-1')!.infraIp;
    assert.equal(emulator.twin.aciPods.podOfAddress(shownIp), 2, `GET /nodes shows the address renewed from pod 2, not ${shownIp}`);

    const migrations = await until<Migrations>('/migrations', (m) => m.some((r) => r.node === 'node-1' && r.converged), 'the migration converged');
    const names = migrations.find((r) => r.node === 'node-1')!.milestones.map((m) => m.name);
    for (const step of ['aci-pod-none', 'dhcp-attempt', 'new-infra-address', 'agent-config-rewritten']) assert.ok(names.includes(step), `milestone ${step} in ${names.join(', ')}`);
  });
});
