import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import { readScenarioText, scenarioWithOverrides, type Override } from '../../src/scenario/variants.ts';
import { simulate } from '../../src/simulation.ts';
import type { SimulationResult } from '../../src/simulation-result.ts';

const base = readScenarioText(undefined, 'default');
const MOVE = 0; // node-1 to the other leaf pair

function run(overrides: Override[]): SimulationResult {
  return simulate(scenarioWithOverrides(base, overrides, 'test'), { recordTrace: true });
}

const reconnect = (on: boolean): Override => ({ path: ['settings', 'enable_opflex_agent_reconnect'], value: on });
const missed: Override = { path: ['faults', 'platformConfigDeleteMissed'], value: true };
const slowDelete: Override = { path: ['faults', 'platformConfigDeleteExtraDelay'], value: '30s' };
/** Pins the race: the source ODevs go away quickly, the destination's appear late. */
const pinnedRace: Override[] = [
  { path: ['latencies', 'odevDelete'], value: '1s' },
  { path: ['latencies', 'odevCreate'], value: '3s' },
];

function agentEvents(r: SimulationResult, node: string, event: string): TraceEvent[] {
  return r.trace.filter((e) => e.actor === `agent:${node}` && e.event === event);
}

function after(r: SimulationResult, events: TraceEvent[]): TraceEvent[] {
  return events.filter((e) => e.tMs >= r.migrations[MOVE]!.startMs);
}

describe('enable_opflex_agent_reconnect', { timeout: 120_000 }, () => {
  it('converges a move whose PlatformConfig delete is missed; without it the node stays on the old pair', () => {
    const off = run([missed, reconnect(false)]);
    const on = run([missed, reconnect(true)]);
    assert.equal(off.migrations[MOVE]!.converged, false);
    assert.equal(after(off, agentEvents(off, 'node-1', 'agent-reset')).length, 0, 'nothing resets the agent');
    assert.ok(off.migrations[MOVE]!.flows.some((f) => f.downAtEnd), 'pod traffic is still dropped at the end');

    assert.equal(on.migrations[MOVE]!.converged, true);
    const resets = after(on, agentEvents(on, 'node-1', 'agent-reset'));
    assert.deepEqual(resets.map((e) => e.data.path), ['reset-conf']);
    const chain = ['odev-deleted', 'annotation-set', 'reset-conf-written'].map((name) =>
      on.trace.find((e) => e.event === name && e.tMs >= on.migrations[MOVE]!.startMs && (e.data.node === 'node-1' || e.data.hostName === 'node-1')),
    );
    for (const [i, e] of chain.entries()) assert.ok(e, `step ${i} of the reconnect chain happened`);
    assert.ok(chain[0]!.tMs <= chain[1]!.tMs && chain[1]!.tMs <= chain[2]!.tMs && chain[2]!.tMs <= resets[0]!.tMs, 'ODev delete -> annotation -> reset.conf -> reset');
  });

  it('converges sooner than the slowed PlatformConfig delete would', () => {
    const off = run([slowDelete, reconnect(false)]);
    const on = run([slowDelete, reconnect(true)]);
    const offMs = off.migrations[MOVE]!.switchoverToConvergedMs!;
    const onMs = on.migrations[MOVE]!.switchoverToConvergedMs!;
    assert.ok(off.migrations[MOVE]!.converged && on.migrations[MOVE]!.converged);
    assert.ok(onMs < offMs, `with reconnect ${onMs} ms, without ${offMs} ms`);
    assert.equal(after(on, agentEvents(on, 'node-1', 'agent-reset'))[0]!.data.path, 'reset-conf', 'the reset.conf path wins the race');
    assert.equal(after(off, agentEvents(off, 'node-1', 'agent-reset'))[0]!.data.path, 'platform-config-delete');
    assert.ok(on.migrations[MOVE]!.outageMs < off.migrations[MOVE]!.outageMs);
  });

  it('changes nothing on the normal path: the reset.conf reset comes inside reset-wait-delay and is suppressed', () => {
    const off = run([...pinnedRace, reconnect(false)]);
    const on = run([...pinnedRace, reconnect(true)]);
    assert.equal(on.migrations[MOVE]!.switchoverToConvergedMs, off.migrations[MOVE]!.switchoverToConvergedMs);
    assert.equal(on.migrations[MOVE]!.outageMs, off.migrations[MOVE]!.outageMs);
    const resets = after(on, agentEvents(on, 'node-1', 'agent-reset'));
    const suppressed = after(on, agentEvents(on, 'node-1', 'agent-reset-suppressed'));
    assert.deepEqual(resets.map((e) => e.data.path), ['platform-config-delete']);
    assert.equal(suppressed.length, 1);
    assert.equal(suppressed[0]!.data.path, 'reset-conf');
    assert.ok((suppressed[0]!.data.sinceLastResetMs as number) <= 5000, 'inside the default reset-wait-delay of 5 s');
    assert.equal(after(off, agentEvents(off, 'node-1', 'reset-conf-changed')).length, 0, 'without the setting no reset.conf is written');
  });

  it('does not suppress the reset.conf reset once reset-wait-delay has passed', () => {
    const on = run([...pinnedRace, reconnect(true), { path: ['settings', 'opflex_agent_reset_wait_delay'], value: 1 }]);
    const resets = after(on, agentEvents(on, 'node-1', 'agent-reset'));
    assert.deepEqual(resets.map((e) => e.data.path), ['platform-config-delete', 'reset-conf']);
  });
});

describe('the controller pod on the migrating node', { timeout: 120_000 }, () => {
  const controllerOnNode1: Override = { path: ['controller', 'node'], value: 'node-1' };

  it('misses the reconnect trigger: the ODev deletes happen while its event stream is down', () => {
    const r = run([missed, reconnect(true), controllerOnNode1]);
    const m = r.migrations[MOVE]!;
    assert.equal(m.converged, false);
    const down = r.trace.find((e) => e.event === 'event-stream-down' && e.tMs >= m.startMs)!;
    const resynced = r.trace.find((e) => e.event === 'event-stream-resynced' && e.tMs >= m.startMs)!;
    const deletes = r.trace.filter((e) => e.actor === 'apic' && e.event === 'odev-deleted' && e.data.hostName === 'node-1' && e.tMs >= m.startMs);
    assert.ok(down && resynced && deletes.length > 0);
    assert.ok(deletes.every((e) => e.tMs > down.tMs && e.tMs < resynced.tMs), 'every delete falls in the gap');
    assert.ok(!r.trace.some((e) => e.event === 'annotation-set' && e.data.node === 'node-1' && e.data.value === 'none'), 'no reconnect trigger');
    assert.equal(after(r, agentEvents(r, 'node-1', 'agent-reset')).length, 0);
  });

  it('does not miss it once the controller runs on a node that stays put', () => {
    const r = run([missed, reconnect(true), { path: ['controller', 'node'], value: 'node-4' }]);
    assert.equal(r.migrations[MOVE]!.converged, true);
  });
});
