/**
 * Reproductions that `check` found (over 1,000 seeds of the default scenario with --faults all --swarm,
 * and over the multipod one), shrunk and kept: the model's or the checker's fix holds, and a known
 * hazard stays reported as one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runChecked } from '../../src/check/checked-run.ts';
import { loadScenarioFile } from '../../src/scenario/loader.ts';

const fixture = (name: string) => new URL(`../fixtures/check/${name}`, import.meta.url).pathname;

describe('reproductions found by check', { timeout: 30_000 }, () => {
  test("the controller's ODev events arrive in APIC's order, so a quick delete and re-create leaves the ODev cached", () => {
    const run = runChecked(loadScenarioFile(fixture('controller-events-out-of-order.yaml')), { recordTrace: true });
    assert.deepEqual(run.violations, []);
    const dn = 'topology/pod-1/node-102/sys/br-[esx-1-vpc]/odev-167772262';
    const sent = run.trace!.filter((e) => e.actor === 'apic' && e.data.dn === dn).map((e) => e.event.replace('odev-', ''));
    const received = run.trace!.filter((e) => e.actor === 'aci-controller' && e.event === 'odev-event' && e.data.dn === dn).map((e) => e.data.status);
    assert.ok(sent.join().includes('deleted,created'), `APIC deletes and re-creates the ODev: ${sent.join()}`);
    assert.deepEqual(received, sent.slice(-received.length));
  });

  test('a second vMotion of a VM that is already moving waits until the first has resumed, and both converge', () => {
    const run = runChecked(loadScenarioFile(fixture('second-vmotion-while-moving.yaml')), { recordTrace: true });
    assert.deepEqual(run.violations, []);
    const trace = run.trace!;
    const deferred = trace.filter((e) => e.event === 'migration-deferred');
    assert.deepEqual(deferred.map((e) => [e.data.node, e.data.behind]), [['node-1', 1]]);
    const firstResume = trace.find((e) => e.event === 'resume' && e.data.migration === 1)!;
    const secondStart = trace.find((e) => e.event === 'migration-start' && e.data.migration === 0)!;
    assert.ok(secondStart.tMs >= firstResume.tMs && trace.indexOf(secondStart) > trace.indexOf(firstResume));
  });

  test('an agent restarted during a move to another pod dials on the node\'s own links: no delete from the old pod reaches it, the address is renewed and the move converges', () => {
    const run = runChecked(loadScenarioFile(fixture('multipod-agent-restart-during-move.yaml')), { recordTrace: true });
    assert.deepEqual(run.violations, []);
    const trace = run.trace!;
    const resumed = trace.find((e) => e.event === 'resume' && e.data.node === 'node-1')!;
    assert.ok(!trace.some((e) => e.event === 'agent-reset' && e.actor === 'agent:node-1' && e.tMs > resumed.tMs && e.data.path === 'platform-config-delete'), 'no PlatformConfig delete crossed the pods');
    assert.ok(trace.some((e) => e.event === 'dhcp-address' && e.data.node === 'node-1'));
    // Convergence is an invariant of the run (migrations-converged), judged at its end: none broken, none a known hazard.
    assert.deepEqual(run.hazards, []);
  });

  test('a reload while the agent is down for a restart stands: the restart\'s end starts no second process', () => {
    const run = runChecked(loadScenarioFile(fixture('multipod-reload-while-restarting.yaml')), { recordTrace: true });
    assert.deepEqual(run.violations, []);
    const starts = run.trace!.filter((e) => e.event === 'agent-start' && e.actor === 'agent:node-1').map((e) => e.data.peers);
    assert.equal(starts.at(-1), '10.1.0.30:8009', `the last process dials pod 2's anycast proxy: ${starts.join(' | ')}`);
  });

  test('a keepalive timeout is no bound broken, and policy a leaf is about to collect is no leak', () => {
    const run = runChecked(loadScenarioFile(fixture('multipod-keepalive-timeout-then-gc.yaml')), { recordTrace: true });
    assert.deepEqual(run.violations, []);
    assert.ok(run.trace!.some((e) => e.event === 'session-closed' && String(e.data.reason).startsWith('nothing heard for more than')), 'a session ended by keepalive');
    // node-3 runs the controller: its own move across pods drops the stream its ODevs' deletes would come on.
    assert.deepEqual(run.hazards.map((h) => [h.hazard, h.node]), [['controller-stream-gap', 'node-3']]);
  });

  test('a node moved to another pod while the controller\'s own node moves: its old ODevs\' deletes fall in the controller\'s stream gap, the known hazard', () => {
    const run = runChecked(loadScenarioFile(fixture('multipod-controller-node-moves-too.yaml')));
    assert.deepEqual(run.violations, []);
    assert.deepEqual(run.hazards.map((h) => [h.hazard, h.node]).sort(), [['controller-stream-gap', 'node-1'], ['controller-stream-gap', 'node-3']]);
  });

  test('an evacuation that moves a node back, with the second PlatformConfig delete lost: the known hazard, not a bug', () => {
    const run = runChecked(loadScenarioFile(fixture('evacuation-then-lost-delete.yaml')));
    assert.deepEqual(run.violations, []);
    assert.deepEqual(run.hazards.map((h) => [h.hazard, h.node]), [['reconnect-disabled-reset-lost', 'node-1']]);
  });
});
