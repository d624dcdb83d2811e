import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadAccProvision, parseAccProvision } from '../../src/scenario/acc-provision.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import { runCli } from '../support/capture.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/acc-provision/acc-provision-input.yaml', import.meta.url));

describe('acc-provision input import', { timeout: 300_000 }, () => {
  const imp = loadAccProvision(FIXTURE);

  it('turns the modelled kube_config and aci_config keys into settings', () => {
    assert.deepEqual(imp.settings, {
      opflex_device_delete_timeout: 1200,
      enable_opflex_agent_reconnect: true,
      opflex_agent_reset_wait_delay: 10,
      opflex_agent_policy_retry_delay_timer: 60,
      dhcp_delay: 10,
      dhcp_renew_max_retry_count: 10,
      opflex_agent_statistics: false,
    });
  });

  it('reports unknown keys with their line, never ignoring them', () => {
    assert.deepEqual(imp.unknown.map((k) => k.key), ['kube_config.enable_opflex_agent_reconect']);
    assert.equal(imp.unknown[0]!.line, 40);
  });

  it('reports known keys it does not model', () => {
    const keys = imp.notModelled.map((k) => k.key);
    for (const k of ['aci_config.system_id', 'aci_config.vmm_domain', 'net_config.infra_vlan', 'registry', 'kube_config.hpp_optimization']) assert.ok(keys.includes(k), k);
  });

  it('names the file, line and key of a value of the wrong type', () => {
    assert.throws(
      () => parseAccProvision('kube_config:\n  enable_opflex_agent_reconnect: sometimes\n', 'acc.yaml'),
      (err: unknown) => err instanceof ScenarioError && /acc\.yaml:2:1: kube_config\.enable_opflex_agent_reconnect: must be true or false/.test(err.message),
    );
  });

  it('sets the scenario settings when simulate is given the file, and says what it applied and skipped', async () => {
    const { code, stdout, stderr } = await runCli(['simulate', '--acc-provision', FIXTURE, '--json']);
    assert.equal(code, 0);
    const settings = (JSON.parse(stdout) as { settings: Record<string, unknown> }).settings;
    assert.equal(settings.enable_opflex_agent_reconnect, true);
    assert.equal(settings.opflex_agent_reset_wait_delay, 10);
    assert.match(stderr, /applied: .*enable_opflex_agent_reconnect=true/);
    assert.match(stderr, /unknown keys .*kube_config\.enable_opflex_agent_reconect \(line 40\)/);
  });
});
