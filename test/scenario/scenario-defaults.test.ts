import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseScenario } from '../../src/scenario/loader.ts';
import type { Latencies, Settings, Timers } from '../../src/scenario/types.ts';
import { tiny } from './fixtures.ts';

const u = (minMs: number, maxMs: number) => ({ kind: 'uniform' as const, minMs, maxMs });

describe('scenario defaults', { timeout: 120_000 }, () => {
  const s = parseScenario(tiny(), 'scenarios/tiny.yaml');

  it('applies the acc-provision setting defaults, in seconds', () => {
    const expected: Settings = {
      enable_opflex_agent_reconnect: false,
      opflex_agent_reset_wait_delay: 5,
      opflex_device_reconnect_wait_timeout: 25,
      opflex_device_delete_timeout: 1800,
      aci_multipod: false,
      dhcp_delay: 5,
      dhcp_renew_max_retry_count: 5,
      opflex_agent_policy_retry_delay_timer: 10,
      opflex_switch_sync_delay: 5,
      opflex_agent_statistics: true,
    };
    assert.deepEqual(s.settings, expected);
  });

  it('applies the timer defaults, in milliseconds', () => {
    const expected: Timers = {
      bounceAgingMs: 630_000,
      localAgingMs: 900_000,
      remoteAgingMs: 300_000,
      moveFrequencyPerS: 256,
      holdIntervalMs: 300_000,
      keepaliveFirstMs: 10_000,
      keepaliveRepeatMs: 15_000,
      keepaliveTimeoutMs: 120_000,
      handshakeTimeoutMs: 45_000,
      connectTimeoutMs: 30_000,
      reconnectPacingMs: 1250,
      controllerLoopMs: 1000,
      leafPolicyGcDelayMs: 60_000,
      prrIntervalMs: 60_000,
      prrMs: 7_200_000,
    };
    assert.deepEqual(s.timers, expected);
  });

  it('applies the latency defaults as uniform distributions in milliseconds', () => {
    const expected: Latencies = {
      preCopyMs: u(5000, 20_000),
      stunMs: u(200, 1000),
      garpMs: u(0, 5),
      epmLearnMs: u(10, 100),
      coopUpdateMs: u(10, 100),
      proxyReactionMs: u(50, 500),
      odevCreateMs: u(1000, 5000),
      odevDisconnectMs: u(10, 100),
      odevDeleteMs: u(500, 3000),
      opflexLinkMs: u(0.1, 0.5),
      connectMs: u(0.5, 1.5),
      leafServeMs: u(1, 5),
      apicFetchMs: u(100, 1000),
      apicEventMs: u(50, 500),
      k8sWatchMs: u(100, 1000),
      controllerResyncMs: u(5000, 30_000),
    };
    assert.deepEqual(s.latencies, expected);
  });

  it('applies leaf and fault defaults', () => {
    assert.deepEqual(s.leaf, { downloadConcurrency: 4 });
    assert.deepEqual(s.faults, {
      platformConfigDeleteMissed: false, platformConfigDeleteExtraDelayMs: 0, odevCreateExtraDelayMs: 0,
      dhcpOfferExtraDelayMs: 0, dhcpSilent: false, dhcpLeaseHeld: false, multicastRouteLost: false,
    });
  });

  it('applies fabric defaults: pod 1, anycast 10.0.0.30:8009, leaf port 8009, vPC "<hypervisor>-vpc"', () => {
    assert.equal(s.fabric.podId, 1);
    assert.deepEqual(s.fabric.anycast, { address: '10.0.0.30', port: 8009 });
    assert.deepEqual(s.fabric.leafPairs[0]!.leaves[0], { name: 'leaf-101', id: 101, address: '10.0.80.64', port: 8009 });
    assert.deepEqual(s.fabric.hypervisors[0], { name: 'esx-1', leafPair: 'pair-a', vpc: 'esx-1-vpc' });
  });

  it('applies policy defaults: domain, tenants, encapsulation, VRF tenant, EPG and filter fields', () => {
    assert.equal(s.policy.domain, 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid');
    assert.equal(s.policy.tenant, 'kube');
    assert.equal(s.policy.commonTenant, 'common');
    assert.equal(s.policy.encapType, 'vxlan');
    assert.deepEqual(s.policy.vrfs, [{ name: 'vrf', tenant: 'common' }]);
    assert.deepEqual(s.policy.epgs, [{ name: 'web', bd: 'bd', provides: [], consumes: [], intraGroupPolicy: 'allow' }]);
    assert.deepEqual(s.policy.filters, []);
    assert.deepEqual(s.policy.contracts, []);
    assert.equal('policyFile' in s.policy, false);
  });

  it('applies scenario defaults: description, controller on the first node, duration = last migration + 120s', () => {
    assert.equal(s.source, 'scenarios/tiny.yaml');
    assert.equal(s.description, '');
    assert.equal(s.seed, 7);
    assert.deepEqual(s.controller, { node: 'node-1' });
    assert.equal(s.durationMs, 20_000 + 120_000);
    assert.deepEqual(s.migrations, [{ atMs: 20_000, node: 'node-1', to: 'esx-2' }]);
  });

  it('applies flow defaults: interval 100ms, start 0, stop at the end of the scenario', () => {
    assert.deepEqual(s.flows, [{ name: 'web', from: 'web-2', to: 'web-1', intervalMs: 100, startMs: 0, stopMs: 140_000 }]);
  });

  it('uses seed 1 and a 120s duration when neither seed nor migrations are given', () => {
    const t = parseScenario(tiny({ 2: '', 38: '', 39: '', 40: '', 41: '' }), 'x.yaml');
    assert.equal(t.seed, 1);
    assert.deepEqual(t.migrations, []);
    assert.equal(t.durationMs, 120_000);
    assert.equal(t.flows[0]!.stopMs, 120_000);
  });

  it('normalises MAC addresses to lowercase colon form', () => {
    assert.equal(s.nodes[0]!.mac, '00:50:56:a1:00:01');
    const t = parseScenario(tiny({ 31: '        mac: 0A-58-0A-02-01-0A' }), 'x.yaml');
    assert.equal(t.nodes[0]!.pods[0]!.mac, '0a:58:0a:02:01:0a');
  });

  it('treats an empty key as absent, so a section with everything commented out is fine', () => {
    const t = parseScenario(tiny({}, ['settings:', '#  dhcp_delay: 5', 'latencies:', 'controller:']), 'x.yaml');
    assert.deepEqual(t.settings, s.settings);
    assert.deepEqual(t.controller, { node: 'node-1' });
  });

  it('keeps given values over defaults, converting units', () => {
    const t = parseScenario(
      tiny({ 19: '  bridgeDomains: [{ name: bd, vrf: vrf, subnets: [10.2.0.1/16] }]\n  filters:\n    - { name: https, protocol: tcp, ports: 443 }\n    - { name: high, protocol: udp, ports: [1024, 65535], etherType: ipv6 }' }, [
        'settings:',
        '  enable_opflex_agent_reconnect: True',
        '  opflex_device_delete_timeout: 600',
        'timers:',
        '  bounceAging: 150s',
        '  reconnectPacing: 1s',
        'latencies:',
        '  stun: { normal: { mean: 500ms, sd: 150ms, min: 100ms } }',
        '  apicFetch: { lognormal: { median: 300ms, sigma: 0.6, max: 5s } }',
        '  odevCreate: 2m',
        '  odevDelete: 4m..7m',
        '  k8sWatch: 250',
        'faults:',
        '  platformConfigDeleteMissed: true',
        '  odevCreateExtraDelay: 5m',
        'leaf:',
        '  downloadConcurrency: 8',
        'controller: { node: node-2 }',
        'description: a test',
      ]),
      'x.yaml',
    );
    assert.equal(t.settings.enable_opflex_agent_reconnect, true);
    assert.equal(t.settings.opflex_device_delete_timeout, 600);
    assert.equal(t.timers.bounceAgingMs, 150_000);
    assert.equal(t.timers.reconnectPacingMs, 1000);
    assert.deepEqual(t.latencies.stunMs, { kind: 'normal', meanMs: 500, sdMs: 150, minMs: 100 });
    assert.deepEqual(t.latencies.apicFetchMs, { kind: 'lognormal', medianMs: 300, sigma: 0.6, maxMs: 5000 });
    assert.deepEqual(t.latencies.odevCreateMs, { kind: 'fixed', valueMs: 120_000 });
    assert.deepEqual(t.latencies.odevDeleteMs, { kind: 'uniform', minMs: 240_000, maxMs: 420_000 });
    assert.deepEqual(t.latencies.k8sWatchMs, { kind: 'fixed', valueMs: 250 });
    assert.deepEqual(t.faults, {
      platformConfigDeleteMissed: true, platformConfigDeleteExtraDelayMs: 0, odevCreateExtraDelayMs: 300_000,
      dhcpOfferExtraDelayMs: 0, dhcpSilent: false, dhcpLeaseHeld: false, multicastRouteLost: false,
    });
    assert.deepEqual(t.leaf, { downloadConcurrency: 8 });
    assert.deepEqual(t.controller, { node: 'node-2' });
    assert.equal(t.description, 'a test');
    assert.deepEqual(t.policy.filters, [
      { name: 'https', etherType: 'ipv4', protocol: 'tcp', ports: [443, 443] },
      { name: 'high', etherType: 'ipv6', protocol: 'udp', ports: [1024, 65535] },
    ]);
  });

  it('accepts YAML anchors and merge keys', () => {
    const t = parseScenario(tiny({}, ['latencies:', '  epmLearn: &fast 1ms..2ms', '  coopUpdate: *fast', 'leaf:', '  <<: { downloadConcurrency: 2 }']), 'x.yaml');
    assert.deepEqual(t.latencies.coopUpdateMs, { kind: 'uniform', minMs: 1, maxMs: 2 });
    assert.equal(t.leaf.downloadConcurrency, 2);
  });

  it('resolves policy.policyFile against the scenario file\'s directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-policy-'));
    try {
      writeFileSync(join(dir, 'policy.json'), '[]');
      const t = parseScenario(tiny({ 18: '  policyFile: ./policy.json\n  vrfs: [{ name: vrf }]' }), join(dir, 'scenario.yaml'));
      assert.equal(t.policy.policyFile, join(dir, 'policy.json'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
