import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import { AgentProcess } from '../../src/live/agent-process.ts';
import type { Emulator } from '../../src/live/emulator.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { endpointFilesFor, parseEndpointFile } from '../../src/live/endpoint-files.ts';
import { readScenarioText, scenarioWithOverrides } from '../../src/scenario/variants.ts';
import { waitFor } from '../transport/socket-helpers.ts';

const LIVENESS_MS = 90_000;

describe('enable_opflex_agent_reconnect, live: the host-agent writes reset.conf and a separate agent process resets', { timeout: 300_000 }, () => {
  const scenario = scenarioWithOverrides(readScenarioText(undefined, 'default'), [
    { path: ['settings', 'enable_opflex_agent_reconnect'], value: true },
    { path: ['faults', 'platformConfigDeleteMissed'], value: true },
    { path: ['controller', 'node'], value: 'node-4' },
  ], 'live reconnect');
  const port = testPort();
  const resetDir = mkdtempSync(join(tmpdir(), 'opflex-twin-reset-'));
  const events: TraceEvent[] = [];
  let emulator: Emulator;
  let agent: AgentProcess;

  before(async () => {
    emulator = testEmulator({
      scenario, leafBase: '127.0.0.111', port, anycastHost: '127.0.0.32',
      timeScale: 20, agents: false, resetDir,
    });
    await emulator.start();
    const node = scenario.nodes.find((n) => n.name === 'node-1')!;
    agent = new AgentProcess({
      name: 'node-1', domain: scenario.policy.domain, mac: node.mac, peers: [{ host: '127.0.0.32', port }],
      endpoints: [...endpointFilesFor(node, scenario.policy.tenant)].map(([f, t]) => parseEndpointFile(t, f)),
      resetFile: join(resetDir, 'node-1', 'reset.conf'), timeScale: 20, prrS: 7200, resetWaitDelayS: 5, seed: 1,
      onEvent: (e) => events.push(e), onProblem: (p) => assert.fail(p.message),
    });
    agent.start();
  });

  after(async () => {
    await agent.stop();
    await emulator.stop();
  });

  it('moves the agent to the destination pair although the PlatformConfig delete is missed', async () => {
    await waitFor(() => emulator.twin.kube.annotation('node-1', 'opflex.cisco.com/node-aci-pod') === 'pod-1', 'the controller to see both ODevs', LIVENESS_MS);
    emulator.startMigration('node-1', 'esx-3');
    await waitFor(() => emulator.tracker.records[0]?.converged === true, 'the migration converges', LIVENESS_MS);
    const names = emulator.tracker.records[0]!.milestones.map((m) => m.name);
    assert.ok(names.includes('platform-config-delete-missed'));
    assert.ok(names.indexOf('annotation-none') < names.indexOf('reset-conf-written'));
    const reset = events.find((e) => e.event === 'agent-reset');
    assert.equal(reset?.data.path, 'reset-conf');
    const destination = emulator.twin.pairs.get('pair-b')!.map((l) => l.endpoint).sort();
    assert.deepEqual(agent.agent.readyPeers().sort(), destination);
  });
});
