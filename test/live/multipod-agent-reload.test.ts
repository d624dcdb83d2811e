/**
 * Our agent follows its configuration directory as the reference agent does: a rewritten 01-base.conf
 * with another peer reloads it (every session dropped, a bootstrap through the new peer), a reset.conf
 * beside it resets it, and a file that no longer reads leaves it running. Two emulators of the default
 * fabric on their own loopback ranges stand for two pods' anycast proxies and leaves.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import { BASE_CONF_FILE, renderBaseConf } from '../../src/live/agent-config-files.ts';
import { AgentProcess } from '../../src/live/agent-process.ts';
import type { Emulator } from '../../src/live/emulator.ts';
import { endpointFilesFor, parseEndpointFile } from '../../src/live/endpoint-files.ts';
import type { EndpointFileProblem } from '../../src/live/endpoint-files.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { waitFor } from '../transport/socket-helpers.ts';

const TIME_SCALE = 20;
/** A bound on how long a stuck run may hang, not a performance assertion. */
const LIVENESS_MS = 90_000;

describe('an agent with --config-dir follows its configuration files', { timeout: 240_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const node = scenario.nodes[0]!;
  const port = testPort();
  const pods = [
    { anycast: '127.0.42.30', leafBase: '127.0.42.101' },
    { anycast: '127.0.43.30', leafBase: '127.0.43.101' },
  ];
  const emulators: Emulator[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-config-dir-'));
  const events: TraceEvent[] = [];
  const problems: EndpointFileProblem[] = [];
  let proc: AgentProcess;

  const writeBase = (peerHost: string) => writeFileSync(join(dir, BASE_CONF_FILE), renderBaseConf({ name: node.name, domain: scenario.policy.domain, peerHost, peerPort: port }));
  const pairLeaves = (emulator: Emulator) => {
    const pair = scenario.fabric.hypervisors.find((h) => h.name === node.hypervisor)!.leafPair;
    return emulator.twin.pairs.get(pair)!.map((l) => l.endpoint).sort();
  };
  const sessionsOf = (emulator: Emulator) => [...emulator.twin.leaves.values()].flatMap((l) => l.openSessions()).filter((s) => s.identity?.name === node.name);

  before(async () => {
    for (const pod of pods) {
      const emulator = testEmulator({ scenario, leafBase: pod.leafBase, port, anycastHost: pod.anycast, timeScale: TIME_SCALE, agents: false });
      await emulator.start();
      emulators.push(emulator);
    }
    writeBase(pods[0]!.anycast);
    proc = new AgentProcess({
      name: node.name,
      domain: scenario.policy.domain,
      peers: [{ host: pods[0]!.anycast, port }],
      configDirs: [dir],
      mac: node.mac,
      endpoints: [...endpointFilesFor(node, scenario.policy.tenant)].map(([file, text]) => parseEndpointFile(text, file)),
      timeScale: TIME_SCALE,
      prrS: 7200,
      // A reset.conf change within this delay of the agent's start (or reload) is suppressed; the test
      // below writes one soon after the reload.
      resetWaitDelayS: 0.1,
      seed: 1,
      onEvent: (e) => events.push(e),
      onProblem: (p) => problems.push(p),
    });
    proc.start();
  });

  after(async () => {
    await proc?.stop();
    for (const e of emulators) await e.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("bootstraps through the peer 01-base.conf names, to that pod's leaves", async () => {
    await waitFor(() => proc.agent.health === 'HEALTHY', 'HEALTHY on the first pod', LIVENESS_MS);
    assert.deepEqual(proc.agent.readyPeers().sort(), pairLeaves(emulators[0]!));
  });

  it('a rewritten 01-base.conf naming the other anycast proxy reloads the agent: the old sessions end, the new pod declares its endpoints', async () => {
    writeBase(pods[1]!.anycast);
    await waitFor(() => events.some((e) => e.event === 'agent-reload'), 'agent-reload', LIVENESS_MS);
    const reload = events.find((e) => e.event === 'agent-reload')!;
    assert.equal(reload.data.peers, `${pods[1]!.anycast}:${port}`);
    assert.equal(reload.data.previous, `${pods[0]!.anycast}:${port}`);
    await waitFor(() => proc.agent.health === 'HEALTHY' && proc.agent.readyPeers().every((p) => p.startsWith('127.0.43.')), 'HEALTHY on the second pod', LIVENESS_MS);
    assert.deepEqual(proc.agent.readyPeers().sort(), pairLeaves(emulators[1]!));
    await waitFor(() => sessionsOf(emulators[0]!).length === 0, 'no session left on the first pod', LIVENESS_MS);
    const declared = node.pods.length;
    await waitFor(
      () => [...emulators[1]!.twin.leaves.values()].some((l) => l.declaredEndpoints().length >= declared),
      "the node's endpoints declared on the second pod's leaves",
      LIVENESS_MS,
    );
  });

  it('a file that no longer reads is reported in one line naming it, and the agent stays where it is', async () => {
    const before = problems.length;
    writeFileSync(join(dir, '20-broken.conf'), '{"opflex": {"peers": [{"hostname": "127.0.44.30", "port": "x"}]}}');
    await waitFor(() => problems.length > before, 'the problem reported', LIVENESS_MS);
    assert.match(problems.at(-1)!.message, /^configuration not reloaded: .*20-broken\.conf: opflex\.peers\[0\]\.port: must be a port number/);
    assert.equal(events.filter((e) => e.event === 'agent-reload').length, 1);
    assert.equal(proc.agent.health, 'HEALTHY');
    rmSync(join(dir, '20-broken.conf'));
  });

  it('a reset.conf written into the directory resets the agent (no reload)', async () => {
    const resets = events.filter((e) => e.event === 'agent-reset').length;
    writeFileSync(join(dir, 'reset.conf'), 'now\n');
    await waitFor(() => events.filter((e) => e.event === 'agent-reset').length > resets, 'agent-reset', LIVENESS_MS);
    assert.equal(events.filter((e) => e.event === 'agent-reset').at(-1)!.data.path, 'reset-conf');
    assert.equal(events.filter((e) => e.event === 'agent-reload').length, 1);
    await waitFor(() => proc.agent.health === 'HEALTHY', 'HEALTHY again after the reset', LIVENESS_MS);
  });
});
