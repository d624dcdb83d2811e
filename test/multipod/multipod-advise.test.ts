/** advise and compare on the built-in multipod scenario: each multipod risk, measured by simulating. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advise } from '../../src/advise/advise.ts';
import { crossPodMoves } from '../../src/advise/multipod-risks.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { readScenarioText, scenarioWithOverrides } from '../../src/scenario/variants.ts';

const text = readScenarioText(undefined, 'multipod');
const ids = (overrides: { path: string[]; value: unknown }[]) => advise(text, overrides).risks.map((r) => r.id);

describe('advise on multipod moves', { timeout: 120_000 }, () => {
  it('finds the cross-pod move and only it', () => {
    assert.deepEqual(crossPodMoves(loadBuiltinScenario('multipod')).map((m) => m.node), ['node-1']);
    assert.deepEqual(crossPodMoves(loadBuiltinScenario('default')), []);
  });

  it('warns about a cross-pod move with aci_multipod off, measuring the stranded node against the setting on', () => {
    const advice = advise(text, [{ path: ['settings', 'aci_multipod'], value: false }]);
    const risk = advice.risks.find((r) => r.id === 'multipod-disabled');
    assert.ok(risk, 'no multipod-disabled risk');
    assert.equal(risk.severity, 'high');
    assert.match(risk.effect, /node-1 \(esx-1 -> esx-3\): with aci_multipod off it does not converge/);
  });

  it('warns about a long reconnect-wait timeout or dhcp_delay, and not about the defaults', () => {
    assert.ok(!ids([]).includes('multipod-outage-long'));
    const risk = advise(text, [{ path: ['settings', 'opflex_device_reconnect_wait_timeout'], value: 300 }]).risks.find((r) => r.id === 'multipod-outage-long');
    assert.ok(risk, 'no multipod-outage-long risk');
    assert.match(risk.title, /300 s/);
  });

  it('warns about the controller on a node that changes pods', () => {
    assert.ok(!ids([]).includes('controller-on-pod-changing-node'));
    assert.ok(ids([{ path: ['controller', 'node'], value: 'node-1' }]).includes('controller-on-pod-changing-node'));
  });

  it('compare can vary dhcp_delay as a duration: 1s, 5s and 10s are whole seconds', () => {
    const delays = ['1s', '5s', '10s'].map((v) => scenarioWithOverrides(text, [{ path: ['settings', 'dhcp_delay'], value: v }]).settings.dhcp_delay);
    assert.deepEqual(delays, [1, 5, 10]);
    assert.throws(() => scenarioWithOverrides(text, [{ path: ['settings', 'dhcp_delay'], value: '1500ms' }]), /settings\.dhcp_delay: expected a number/);
  });
});
