/** The built-in multipod scenario through the CLI: simulate and compare --vary dhcp_delay. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/capture.ts';

describe('multipod through the CLI', { timeout: 120_000 }, () => {
  it('simulate --builtin multipod shows the DHCP renew and the agent reload in the timeline of the cross-pod move', async () => {
    const { code, stdout, stderr } = await runCli(['simulate', '--builtin', 'multipod']);
    assert.equal(code, 0, stderr);
    const crossPod = stdout.slice(stdout.indexOf('Migration 1: node-1'), stdout.indexOf('Migration 2:'));
    assert.match(crossPod, /^Migration 1: node-1 .* to another ACI pod /m);
    for (const line of ['controller sets aci-pod to none', 'host-agent DHCP renew attempt', 'new infra address from the new pod', 'route 224.0.0.0/4 (metric 401) re-added', "opflex-agent reloads and connects to the new pod's anycast proxy (10.1.0.30:8009)", 'converged on the destination']) {
      assert.ok(crossPod.includes(line), `missing "${line}" in:\n${crossPod}`);
    }
  });

  it('compare --vary dhcp_delay=1s,5s,10s runs the three variants', async () => {
    const { code, stdout, stderr } = await runCli(['compare', '--builtin', 'multipod', '--vary', 'dhcp_delay=1s,5s,10s', '--json']);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as { variants: { values: { dhcp_delay: string }; migrations: { node: string; converged: boolean }[] }[] };
    assert.deepEqual(result.variants.map((v) => v.values.dhcp_delay), ['1s', '5s', '10s']);
    for (const v of result.variants) assert.ok(v.migrations.find((m) => m.node === 'node-1')!.converged, `node-1 did not converge with dhcp_delay ${v.values.dhcp_delay}`);
  });

  it('compare names the cross-pod move as such and counts the configuration reload with the agent resets', async () => {
    const { code, stdout, stderr } = await runCli(['compare', '--builtin', 'multipod', '--vary', 'dhcp_delay=5s']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /dhcp_delay=5s\s+1 node-1 cross-pod\s.*config-reload/);
    assert.match(stdout, /dhcp_delay=5s\s+2 node-2 cross-pair\s.*platform-config-delete/);
  });
});
