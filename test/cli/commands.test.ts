/**
 * Each command's success path through the real CLI entry (bin/opflex-twin.mjs, or main() where the
 * command ends by itself): schema, endpoints, emulate, agent against that emulator, load against it,
 * help, and an unknown command.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseEndpointFile } from '../../src/live/endpoint-files.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import type { Endpoint } from '../../src/transport/transport.ts';
import { runCli } from '../support/capture.ts';
import { CliChild } from '../support/cli-child.ts';
import { httpRequest, postJson } from '../support/http-request.ts';
import { testPort } from '../support/test-emulator.ts';

const LIVENESS_MS = 60_000;
const LEAF_BASE = '127.0.8.1';
const ANYCAST_HOST = '127.0.8.30';

/** Polls `read` every 100 ms until `done` holds of its answer. */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + LIVENESS_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last answer ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('schema and endpoints through main()', { timeout: 30_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'opflex-twin-endpoints-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('schema prints a JSON Schema naming the top-level scenario keys', async () => {
    const { code, stdout, stderr } = await runCli(['schema']);
    assert.equal(code, 0, stderr);
    const schema = JSON.parse(stdout) as { $schema: string; type: string; properties: Record<string, unknown> };
    assert.match(schema.$schema, /json-schema\.org/);
    assert.equal(schema.type, 'object');
    for (const key of ['name', 'seed', 'fabric', 'policy', 'nodes', 'migrations', 'flows', 'settings', 'timers']) assert.ok(key in schema.properties, `the schema names "${key}"`);
  });

  it('endpoints --node node-1 writes one parsing .ep file per pod of node-1, with its IP and MAC', async () => {
    const out = join(dir, 'node-1');
    const { code, stdout, stderr } = await runCli(['endpoints', '--node', 'node-1', '--dir', out]);
    assert.equal(code, 0, stderr);
    const node = scenario.nodes.find((n) => n.name === 'node-1')!;
    assert.ok(node.pods.length > 0);
    assert.equal(stdout, `Wrote ${node.pods.length} endpoint files for node-1 to ${out}\n`);
    const files = readdirSync(out).filter((f) => f.endsWith('.ep')).sort();
    assert.equal(files.length, node.pods.length);
    const parsed = files.map((f) => parseEndpointFile(readFileSync(join(out, f), 'utf8'), f));
    for (const pod of node.pods) {
      const endpoint = parsed.find((e) => e.name === pod.name);
      assert.ok(endpoint, `a file for pod ${pod.name}`);
      assert.deepEqual(endpoint.ips, [pod.ip]);
      assert.equal(endpoint.mac, pod.mac.toLowerCase());
    }
  });
});

describe('help and an unknown command through bin/opflex-twin.mjs', { timeout: 60_000 }, () => {
  it('help exits 0 and lists every command', async () => {
    const child = new CliChild(['help']);
    assert.equal(await child.exited, 0, child.stderr);
    for (const command of ['simulate', 'emulate', 'agent', 'endpoints', 'load', 'schema']) assert.match(child.stdout, new RegExp(`\\b${command}\\b`));
  });

  it('an unknown command exits 2 with one line naming it, and a pointer to --help', async () => {
    const child = new CliChild(['no-such-command']);
    assert.equal(await child.exited, 2);
    assert.equal(child.stdout, '');
    const lines = child.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^opflex-twin: unknown command "no-such-command" \(commands: .*\bemulate\b.*\)$/);
    assert.deepEqual(lines.slice(1), ['Run "opflex-twin --help" for usage.']);
  });
});

describe('emulate, agent and load as child processes', { timeout: 180_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const port = testPort();
  const children: CliChild[] = [];
  let emulator: CliChild;
  let control: Endpoint;
  let endpointsDir = '';

  const getJson = async <T>(path: string): Promise<T> => {
    const answer = await httpRequest(control, { path });
    assert.equal(answer.status, 200, `GET ${path}: ${answer.text}`);
    return JSON.parse(answer.text) as T;
  };
  const start = (argv: string[]): CliChild => {
    const child = new CliChild(argv);
    children.push(child);
    return child;
  };

  before(async () => {
    endpointsDir = mkdtempSync(join(tmpdir(), 'opflex-twin-agent-eps-'));
    emulator = start(['emulate', '--leaf-base', LEAF_BASE, '--anycast', `${ANYCAST_HOST}:${port}`, '--port', String(port), '--control', '127.0.0.1:0', '--time-scale', '20', '--agents']);
    const banner = await emulator.waitForOutput(/control API\s+http:\/\/(127\.0\.0\.1):(\d+)\//, 'the control URL in the banner', LIVENESS_MS);
    control = { host: banner[1]!, port: Number(banner[2]) };
  });

  after(async () => {
    for (const child of children) if (child.exitCode === undefined) child.process.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    rmSync(endpointsDir, { recursive: true, force: true });
  });

  it('prints a banner naming the scenario, the anycast proxy and every leaf', () => {
    assert.match(emulator.stdout, new RegExp(`^opflex-twin emulate: ${scenario.name} \\(timers x20\\)$`, 'm'));
    assert.match(emulator.stdout, new RegExp(`anycast OpFlex proxy\\s+${ANYCAST_HOST.replace(/\./g, '\\.')}:${port}\n`));
    assert.match(emulator.stdout, new RegExp(`\\b${LEAF_BASE.replace(/\./g, '\\.')}:${port}\\b`));
  });

  it('answers GET /fabric with the leaves at --leaf-base and --port', async () => {
    const fabric = await getJson<{ leafPairs: { leaves: { name: string; listen: string }[] }[] }>('/fabric');
    const leaves = fabric.leafPairs.flatMap((p) => p.leaves);
    assert.equal(leaves.length, scenario.fabric.leafPairs.length * 2);
    assert.equal(leaves[0]!.listen, `${LEAF_BASE}:${port}`);
  });

  it("gets every node's agent HEALTHY (GET /nodes)", async () => {
    const nodes = await pollUntil(
      () => getJson<{ name: string; agent: { health: string } | null }[]>('/nodes'),
      (list) => list.length > 0 && list.every((n) => n.agent?.health === 'HEALTHY'),
      'every agent HEALTHY',
    );
    assert.deepEqual(nodes.map((n) => n.name).sort(), scenario.nodes.map((n) => n.name).sort());
  });

  it('converges a migration started with POST /migrations (GET /migrations)', async () => {
    const started = await postJson(control, '/migrations', { node: 'node-1', to: 'esx-3' });
    assert.ok(started.status >= 200 && started.status < 300, `POST /migrations: ${started.status} ${started.text}`);
    const migrations = await pollUntil(
      () => getJson<{ node: string; from: string; to: string; converged: boolean }[]>('/migrations'),
      (list) => list.some((m) => m.node === 'node-1' && m.to === 'esx-3' && m.converged),
      'the migration to converge',
    );
    const done = migrations.find((m) => m.node === 'node-1' && m.to === 'esx-3')!;
    assert.equal(done.from, 'esx-1');
    await emulator.waitForOutput(/== migration 1: node-1 esx-1 -> esx-3 converged/, 'the converged line', LIVENESS_MS);
  });

  it('an agent process with --endpoints from the endpoints command connects through the anycast proxy and is listed in GET /sessions', async () => {
    const written = await runCli(['endpoints', '--node', 'node-4', '--dir', endpointsDir]);
    assert.equal(written.code, 0, written.stderr);
    type Sessions = { leaf: string; sessions: { agent: string | null; state: string }[] }[];
    const countOf = (list: Sessions) => list.flatMap((l) => l.sessions).filter((s) => s.agent === 'node-4' && s.state === 'ready').length;
    const before = countOf(await getJson<Sessions>('/sessions'));
    const agent = start(['agent', '--peer', `${ANYCAST_HOST}:${port}`, '--name', 'node-4', '--endpoints', endpointsDir, '--time-scale', '20']);
    await pollUntil(() => getJson<Sessions>('/sessions'), (list) => countOf(list) > before, "the agent's session");
    assert.equal(await agent.stop(), 0, agent.stderr);
    assert.doesNotMatch(agent.stderr, /skipping/, 'every endpoint file loaded');
  });

  it('load --mode resolve --seconds 1 against a leaf prints its figures and exits 0', async () => {
    const load = start(['load', '--leaf', `${LEAF_BASE}:${port}`, '--mode', 'resolve', '--seconds', '1', '--sessions', '2', '--in-flight', '4']);
    assert.equal(await load.exited, 0, load.stderr);
    const figures = JSON.parse(load.stdout) as { mode: string; replies: number; repliesPerS: number; errors: number };
    assert.equal(figures.mode, 'resolve');
    assert.ok(figures.replies > 0, `replies: ${load.stdout}`);
    assert.equal(figures.errors, 0);
    assert.ok(figures.repliesPerS > 0);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    assert.equal(await emulator.stop(), 0, emulator.stderr);
  });
});
