/**
 * Where an emulated fabric's pods listen, the agent configuration the emulated host-agents write with
 * --reset-dir, and `agent --config-dir` in another process reading it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BASE_CONF_FILE, RENDERER_CONF_FILE } from '../../src/live/agent-config-files.ts';
import { readAgentConfigDirs } from '../../src/live/agent-config-reader.ts';
import type { Emulator } from '../../src/live/emulator.ts';
import { endpointFilesFor } from '../../src/live/endpoint-files.ts';
import { PodAddressPlan, type FabricAddressing } from '../../src/live/pod-address-plan.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { CliChild } from '../support/cli-child.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { waitFor } from '../transport/socket-helpers.ts';

const TIME_SCALE = 20;
/** A bound on how long a stuck run may hang, not a performance assertion. */
const LIVENESS_MS = 90_000;

const pair = (name: string) => ({ name, leaves: [{}, {}] });
const twoPods: FabricAddressing = {
  leafPairs: [pair('p1-a'), pair('p1-b'), pair('p2-a')],
  anycast: { address: '10.0.0.30', port: 8009 },
  pods: [
    { id: 1, tepPool: '10.0.0.0/16', anycast: { address: '10.0.0.30', port: 8009 }, leafPairs: ['p1-a', 'p1-b'], hypervisors: ['esx-1'] },
    { id: 2, tepPool: '10.1.0.0/16', anycast: { address: '10.1.0.30', port: 8009 }, leafPairs: ['p2-a'], hypervisors: ['esx-2'] },
  ],
};

describe("the emulator's addresses for each pod", { timeout: 30_000 }, () => {
  it('gives every pod its own block: anycast .30 and leaves from .101, the second pod 256 addresses on', () => {
    const plan = new PodAddressPlan(twoPods, { anycast: { host: '127.0.0.30', port: 9000 }, leafBase: '127.0.0.101', port: 9000 });
    assert.deepEqual(plan.pods.map((p) => [p.id, p.anycast, p.vxlanAnycast, p.leafBase]), [
      [1, { host: '127.0.0.30', port: 9000 }, '127.0.0.32', '127.0.0.101'],
      [2, { host: '127.0.1.30', port: 9000 }, '127.0.1.32', '127.0.1.101'],
    ]);
    assert.deepEqual(['p1-a', 'p1-b', 'p2-a'].flatMap((p) => [0, 1].map((i) => plan.leafEndpoint(p, i, 9000).host)), [
      '127.0.0.101', '127.0.0.102', '127.0.0.103', '127.0.0.104', '127.0.1.101', '127.0.1.102',
    ]);
  });

  it("maps each pod's fabric anycast (.30) and VXLAN anycast (.32) to its loopback stand-in, and nothing else", () => {
    const plan = new PodAddressPlan(twoPods, { anycast: { host: '127.0.0.30', port: 9000 }, leafBase: '127.0.0.101', port: 9000 });
    assert.deepEqual(['10.0.0.30', '10.1.0.30', '10.1.0.32', '10.1.0.31'].map((a) => plan.loopback(a)), ['127.0.0.30', '127.0.1.30', '127.0.1.32', '10.1.0.31']);
  });

  it('a single-pod fabric keeps the layout it always had: leaves one after the other from --leaf-base', () => {
    const plan = new PodAddressPlan({ leafPairs: [pair('a'), pair('b')], anycast: { address: '10.0.0.30', port: 8009 } }, { anycast: { host: '127.0.5.30', port: 9000 }, leafBase: '127.0.5.101', port: 9000 });
    assert.equal(plan.pods.length, 1);
    assert.deepEqual([plan.leafEndpoint('b', 1, 9000)], [{ host: '127.0.5.104', port: 9000 }]);
  });

  it("refuses a layout where a pod's leaves run into the next pod's anycast proxy, naming both", () => {
    const crowded: FabricAddressing = { ...twoPods, leafPairs: [{ name: 'p1-a', leaves: Array.from({ length: 200 }, () => ({})) }, pair('p1-b'), pair('p2-a')] };
    assert.throws(
      () => new PodAddressPlan(crowded, { anycast: { host: '127.0.0.30', port: 9000 }, leafBase: '127.0.0.101', port: 9000 }),
      { name: 'AddressPlanError', message: /^pod 2's anycast proxy and leaf 186 of p1-a \(pod 1\) would both listen on 127\.0\.1\.30:9000: move --leaf-base or --anycast/ },
    );
  });
});

describe('emulate --reset-dir writes the agent configuration, and agent --config-dir follows it', { timeout: 240_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const port = testPort();
  const anycastHost = '127.0.46.30';
  const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-reset-dir-'));
  let emulator: Emulator;
  let controlUrl = '';
  const children: CliChild[] = [];

  before(async () => {
    emulator = testEmulator({ scenario, leafBase: '127.0.46.101', port, anycastHost, timeScale: TIME_SCALE, agents: false, resetDir: dir });
    const { control } = await emulator.start();
    controlUrl = `http://${control.host}:${control.port}`;
  });

  after(async () => {
    for (const child of children) await child.stop();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes every node's 01-base.conf naming it, its domain and the loopback address of its pod's anycast proxy, and 10-renderer.conf with the VXLAN anycast beside it", () => {
    for (const node of scenario.nodes) {
      const config = readAgentConfigDirs([join(dir, node.name)]);
      assert.deepEqual({ name: config.name, domain: config.domain, peers: config.peers }, { name: node.name, domain: scenario.policy.domain, peers: [{ host: anycastHost, port }] });
      const renderer = JSON.parse(readFileSync(join(dir, node.name, RENDERER_CONF_FILE), 'utf8')) as { renderers: { 'stitched-mode': { encap: { vxlan: { 'remote-ip': string } } } } };
      assert.equal(renderer.renderers['stitched-mode'].encap.vxlan['remote-ip'], '127.0.46.32');
    }
  });

  it('GET /fabric lists each pod with its fabric and loopback anycast addresses', async () => {
    const fabric = (await (await fetch(`${controlUrl}/fabric`)).json()) as { pods: { id: number; anycast: { fabric: string; listen: string }; leafPairs: string[] }[] };
    assert.deepEqual(fabric.pods.map((p) => [p.id, p.anycast]), [[1, { fabric: `${scenario.fabric.anycast.address}:${scenario.fabric.anycast.port}`, listen: `${anycastHost}:${port}` }]]);
    assert.deepEqual(fabric.pods[0]!.leafPairs, scenario.fabric.leafPairs.map((p) => p.name));
  });

  it('an agent process started with only --config-dir (and --endpoints) connects through the peer the file names and declares its endpoints', async () => {
    const node = scenario.nodes[1]!;
    const endpointsDir = join(dir, `${node.name}-eps`);
    mkdirSync(endpointsDir);
    for (const [file, text] of endpointFilesFor(node, scenario.policy.tenant)) writeFileSync(join(endpointsDir, file), text);
    const agent = new CliChild(['agent', '--config-dir', join(dir, node.name), '--endpoints', endpointsDir, '--mac', node.mac, '--time-scale', String(TIME_SCALE), '--json']);
    children.push(agent);
    await agent.waitForOutput(new RegExp(`"event":"agent-start".*"peers":"${anycastHost.replaceAll('.', '\\.')}:${port}"`), 'agent-start naming the peer from 01-base.conf', LIVENESS_MS);
    const leaves = [...emulator.twin.leaves.values()];
    await waitFor(
      () => leaves.filter((l) => l.openSessions().some((s) => s.identity?.name === node.name && s.state === 'ready')).length === 2,
      `${node.name} ready on both leaves of its pair`,
      LIVENESS_MS,
    );
    await waitFor(() => leaves.some((l) => l.declaredEndpoints().length >= node.pods.length), 'its endpoints declared', LIVENESS_MS);
  });
});

describe('agent: --config-dir mistakes', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-config-mistakes-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (argv: string[]) => {
    const child = new CliChild(argv);
    return { code: await child.exited, stderr: child.stderr };
  };

  it('refuses --config-dir together with --peer, --name or --domain (exit 2)', async () => {
    const { code, stderr } = await run(['agent', '--config-dir', dir, '--peer', '127.0.0.1:1', '--name', 'n']);
    assert.equal(code, 2);
    assert.match(stderr, /--config-dir gives the name, domain and peers: drop --peer, --name/);
  });

  it('a directory without a name and peers, and a bad file, are one line each naming the directory or the file (exit 1)', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const missing = await run(['agent', '--config-dir', empty]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /opflex\.name and opflex\.domain must be set/);
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, BASE_CONF_FILE), '{\n"opflex": {"peers": [}\n}');
    const broken = await run(['agent', '--config-dir', bad]);
    assert.equal(broken.code, 1);
    assert.equal(broken.stderr.trim().split('\n')[0], `opflex-twin agent: ${join(bad, BASE_CONF_FILE)}: not JSON: Unexpected token '}'`);
  });

  it('the flags still work without --config-dir: --peer is required', async () => {
    const { code, stderr } = await run(['agent', '--name', 'n']);
    assert.equal(code, 2);
    assert.match(stderr, /give at least one --peer host:port/);
  });
});
