import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import { AgentProcess } from '../../src/live/agent-process.ts';
import type { Emulator } from '../../src/live/emulator.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { endpointFilesFor, parseEndpointFile } from '../../src/live/endpoint-files.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { expectedDownloads } from '../support/expectations.ts';
import { testCertificates, waitFor } from '../transport/socket-helpers.ts';

const TIME_SCALE = 20;
/** A bound on how long a stuck run may hang, not a performance assertion. */
const LIVENESS_MS = 90_000;

for (const mode of ['tcp', 'tls'] as const) {
  describe(`a live migration over ${mode.toUpperCase()}`, { timeout: 300_000 }, () => {
    const scenario = loadBuiltinScenario('default');
    const port = testPort();
    let emulator: Emulator;
    const agents = new Map<string, AgentProcess>();
    const agentEvents = new Map<string, TraceEvent[]>();
    let controlUrl = '';

    before(async () => {
      const certs = mode === 'tls' ? await testCertificates() : undefined;
      emulator = testEmulator({
        scenario,
        leafBase: '127.0.0.101',
        port,
        anycastHost: '127.0.0.30',
        timeScale: TIME_SCALE,
        agents: false,
        ...(certs ? { tls: { key: certs.server.key, cert: certs.server.cert } } : {}),
      });
      const { control } = await emulator.start();
      controlUrl = `http://${control.host}:${control.port}`;
      for (const node of scenario.nodes) {
        const events: TraceEvent[] = [];
        agentEvents.set(node.name, events);
        const endpoints = [...endpointFilesFor(node, scenario.policy.tenant)].map(([file, text]) => parseEndpointFile(text, file));
        const proc = new AgentProcess({
          name: node.name,
          domain: scenario.policy.domain,
          mac: node.mac,
          peers: [{ host: '127.0.0.30', port }],
          endpoints,
          timeScale: TIME_SCALE,
          prrS: 7200,
          resetWaitDelayS: 5,
          seed: 1,
          ...(certs ? { clientTls: { ca: certs.ca } } : {}),
          onEvent: (e) => events.push(e),
          onProblem: (p) => assert.fail(`${p.file}: ${p.message}`),
        });
        agents.set(node.name, proc);
        proc.start();
      }
    });

    after(async () => {
      for (const a of agents.values()) await a.stop();
      await emulator.stop();
    });

    const allHealthy = () => waitFor(() => [...agents.values()].every((a) => a.agent.health === 'HEALTHY'), 'all agents HEALTHY', LIVENESS_MS);

    /** Every agent has resolved its closure and declared its pods, and every leaf registered its residents' endpoints. */
    async function steadyState(): Promise<void> {
      for (const node of scenario.nodes) {
        const needed = new Set(node.pods.flatMap((p) => emulator.twin.policyNeeded(p.epg)));
        await waitFor(() => [...needed].every((uri) => agents.get(node.name)!.agent.processor.isResolved(uri)), `${node.name} resolves its closure`, LIVENESS_MS);
        await waitFor(() => agents.get(node.name)!.agent.processor.declaredEndpoints().length === node.pods.length, `${node.name} declares its pods`, LIVENESS_MS);
      }
      for (const leaf of emulator.twin.leaves.values()) {
        const residents = scenario.nodes.filter((n) => scenario.fabric.hypervisors.find((h) => h.name === n.hypervisor)!.leafPair === leaf.pair);
        const expected = residents.reduce((sum, n) => sum + 2 * n.pods.length, 0);
        await waitFor(() => leaf.declaredEndpoints().length === expected, `${leaf.name} registers ${expected} endpoints`, LIVENESS_MS);
      }
    }

    it('redirects every agent through the anycast proxy to its own leaf pair', async () => {
      await allHealthy();
      for (const node of scenario.nodes) {
        const pair = scenario.fabric.hypervisors.find((h) => h.name === node.hypervisor)!.leafPair;
        const expected = emulator.twin.pairs.get(pair)!.map((l) => l.endpoint).sort();
        assert.deepEqual(agents.get(node.name)!.agent.readyPeers().sort(), expected, `${node.name} on ${pair}`);
        const events = agentEvents.get(node.name)!;
        assert.ok(events.some((e) => e.event === 'peer-not-in-list' && e.data.peer === `127.0.0.30:${port}`), 'the anycast session was closed');
      }
    });

    it('resolves the full EPG closure and declares every endpoint on both leaves', async () => {
      await steadyState();
    });

    it('takes node-1 through a migration started from the control API, as on a fabric', async () => {
      // From a steady fabric (what the tests above wait for), whichever tests run before this one.
      await allHealthy();
      await steadyState();
      const migration = { atMs: 0, node: 'node-1', to: 'esx-3' };
      const expected = expectedDownloads(scenario, { ...migration, atMs: 1 });
      const response = await fetch(`${controlUrl}/migrations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ node: migration.node, to: migration.to }) });
      assert.equal(response.status, 202);
      await waitFor(() => emulator.tracker.records[0]?.converged === true, 'the migration converges', LIVENESS_MS);
      const record = emulator.tracker.records[0]!;
      const names = record.milestones.map((m) => m.name);
      const order = ['migration-start', 'stun-start', 'resume', 'garp', 'destination-learn', 'coop-update', 'bounce-installed',
        'platform-config-delete-sent', 'source-session-closed', 'session-ready-1', 'session-ready-2', 'policy-ready', 'converged'];
      let last = -1;
      for (const name of order) {
        const i = names.indexOf(name);
        assert.ok(i > last, `${name} after the previous milestones in ${names.join(', ')}`);
        last = i;
      }
      assert.ok(names.includes('endpoints-declared'));

      const events = agentEvents.get('node-1')!;
      const reset = events.find((e) => e.event === 'agent-reset');
      assert.equal(reset?.data.path, 'platform-config-delete');
      const afterReset = events.filter((e) => e.tMs >= reset!.tMs);
      assert.ok(afterReset.some((e) => e.event === 'peer-not-in-list'), 'reconnected through the anycast proxy');
      const destination = emulator.twin.pairs.get('pair-b')!.map((l) => l.endpoint).sort();
      assert.deepEqual(agents.get('node-1')!.agent.readyPeers().sort(), destination);

      for (const leaf of emulator.twin.pairs.get('pair-b')!) {
        const downloaded = record.downloads.filter((d) => d.leaf === leaf.name).map((d) => d.uri);
        assert.deepEqual(new Set(downloaded), expected, `${leaf.name} downloads exactly what its pair lacked`);
      }
      const nodes = (await (await fetch(`${controlUrl}/nodes`)).json()) as { name: string; hypervisor: string }[];
      assert.equal(nodes.find((n) => n.name === 'node-1')!.hypervisor, 'esx-3');
    });

    it('refuses a migration the fabric cannot do, naming the problem', async () => {
      const response = await fetch(`${controlUrl}/migrations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ node: 'node-9', to: 'esx-1' }) });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: string }).error, /Unknown node "node-9"/);
    });
  });
}
