/**
 * Reproductions that `check --faults all --swarm` found over 1,000 seeds of the default scenario,
 * shrunk and kept: the model's fix holds, and a known hazard stays reported as one.
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

  test('an evacuation that moves a node back, with the second PlatformConfig delete lost: the known hazard, not a bug', () => {
    const run = runChecked(loadScenarioFile(fixture('evacuation-then-lost-delete.yaml')));
    assert.deepEqual(run.violations, []);
    assert.deepEqual(run.hazards.map((h) => [h.hazard, h.node]), [['reconnect-disabled-reset-lost', 'node-1']]);
  });
});
