import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NODE_ACI_POD_ANNOTATION } from '../src/host/kube-api.ts';
import { MessageCounter } from '../src/report/message-counter.ts';
import { loadBuiltinScenario } from '../src/scenario/builtin-scenarios.ts';
import { parseScenario } from '../src/scenario/loader.ts';
import type { Scenario } from '../src/scenario/types.ts';
import { simulate } from '../src/simulation.ts';
import { simulatedTwin } from '../src/simulated-twin.ts';
import type { Twin } from '../src/twin.ts';

/** Starts a twin and runs it to `untilMs`; `messages` counts every OpFlex message sent, keepalive echoes too. */
function run(scenario: Scenario, untilMs: number) {
  const messages = new MessageCounter();
  const { twin, scheduler } = simulatedTwin(scenario, { observe: messages.observe, sendEchoes: true });
  twin.start();
  scheduler.runUntil(untilMs);
  return { twin, messages };
}

const sorted = <T>(items: Iterable<T>, key: (t: T) => string = String) => [...items].map(key).sort();

/** Everything a settled fabric holds, in a form two runs can be compared by. */
function stateOf(twin: Twin) {
  const s = twin.scenario;
  const leaves = [...twin.leaves.values()].map((leaf) => ({
    leaf: leaf.name,
    sessions: sorted(leaf.openSessions().filter((x) => x.state === 'ready'), (x) => `${x.agentName} ${sorted(x.subscriptions.keys()).join(' ')}`),
    policy: sorted(leaf.cache.presentUris()),
    endpoints: sorted(leaf.declaredEndpoints(), (e) => `${e.agent} ${e.subject} ${e.uri} ${e.ip}`),
    epm: sorted(leaf.epm.localEntries(), (e) => `${e.key} ${e.path} ${e.node}`),
    odevs: sorted(leaf.currentOdevs(), (o) => `${o.dn} ${o.hostName} ${o.fabricPathDn} ${o.isSecondary} ${o.state}`),
  }));
  const agents = [...twin.nodes.values()].map((vm) => ({
    node: vm.name,
    health: vm.agent.health,
    peers: sorted(vm.agent.peers(), (p) => `${p.peer} ${p.configured} ${p.state}`),
    wanted: sorted(vm.agent.processor.wantedUris(), (u) => `${u} ${vm.agent.processor.isResolved(u)}`),
    store: sorted(vm.agent.processor.store.uris()),
    declared: sorted(vm.agent.processor.declaredEndpoints(), (e) => e.uuid),
    controllerOdevs: sorted(twin.controller.cachedOdevs(vm.name), (o) => `${o.dn} ${o.state}`),
    annotation: twin.kube.annotation(vm.name, NODE_ACI_POD_ANNOTATION),
  }));
  const ips = [...s.nodes.map((n) => n.infraIp), ...s.nodes.flatMap((n) => n.pods.map((p) => p.ip))];
  const coop = ips.map((ip) => `${ip} ${twin.coop.owner(ip)}`);
  return { leaves, agents, coop };
}

const quiet = (s: Scenario): Scenario => ({ ...s, migrations: [], evacuations: [], flows: [] });
const steady = (s: Scenario): Scenario => ({ ...s, start: 'steady' });

const generated = parseScenario(
  'name: small\nsettings: { enable_opflex_agent_reconnect: true }\n' +
    'generated: { leafPairs: 3, hypervisorsPerPair: 2, nodes: 12, podsPerNode: 5, epgs: 10 }\n',
  'small.yaml',
);

describe('a steady start', { timeout: 120_000 }, () => {
  for (const [name, scenario] of [['the built-in default', loadBuiltinScenario('default')], ['a generated fabric with reconnect on', generated]] as const) {
    it(`holds the state a cold start of ${name} settles into`, () => {
      const cold = run(quiet(scenario), 90_000);
      const warm = run(steady(quiet(scenario)), 1);
      const expected = stateOf(cold.twin);
      assert.ok(expected.leaves.every((l) => l.sessions.length > 0 && l.endpoints.length > 0), 'the cold start settled');
      assert.deepEqual(stateOf(warm.twin), expected);
    });
  }

  it('sends no OpFlex message to build it, and spreads the keepalives over the period', () => {
    const scenario = steady(quiet(generated));
    const sessions = 2 * scenario.nodes.length;
    const echoes = (untilMs: number) => {
      const { twin, messages } = run(scenario, untilMs);
      const counts = messages.toJSON();
      for (const method of Object.keys(counts)) assert.equal(method, 'echo', `only keepalives were sent, not ${method}`);
      assert.ok([...twin.nodes.values()].every((vm) => vm.agent.health === 'HEALTHY'));
      // Each session's agent side sends one echo and answers one per period.
      return counts['echo']?.agentToLeaf ?? 0;
    };
    const half = echoes(scenario.timers.keepaliveRepeatMs / 2);
    assert.ok(half > 0 && half < 2 * sessions, `${half} of ${2 * sessions} agent echoes in the first half period: keepalives are not in step`);
    assert.equal(echoes(scenario.timers.keepaliveRepeatMs), 2 * sessions);
  });

  it('leaves a migration the same downloads as a cold start does', () => {
    const scenario = loadBuiltinScenario('default');
    const downloads = (s: Scenario) =>
      simulate(s).migrations.map((m) => ({ node: m.node, converged: m.converged, objects: sorted(m.downloadedObjects, (d) => `${d.leaf} ${d.uri}`) }));
    const cold = downloads(scenario);
    assert.ok(cold.some((m) => m.objects.length > 0), 'the plan downloads something');
    assert.deepEqual(downloads(steady(scenario)), cold);
  });

  it('is chosen by the scenario file and is what generated plans use', () => {
    assert.equal(parseScenario('start: steady\n' + 'generated: { leafPairs: 2, nodes: 4, podsPerNode: 2, epgs: 4 }\nname: x\n', 'x.yaml').start, 'steady');
    assert.equal(loadBuiltinScenario('default').start, 'cold');
    assert.throws(() => parseScenario('name: x\nstart: warm\ngenerated: { leafPairs: 2, nodes: 4, podsPerNode: 2, epgs: 4 }\n', 'x.yaml'), /x\.yaml:2:.*start/);
  });
});
