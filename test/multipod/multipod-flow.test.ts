/**
 * The multipod flow, derived from the built-in `multipod` scenario (docs/multipod.md): node-1 moves
 * from pod 1 to pod 2 at 20 s, node-2 moves between pod 1's leaf pairs at 40 s.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import { ipv4ToUint32 } from '../../src/fabric/odev.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import type { Faults, Scenario, Settings } from '../../src/scenario/types.ts';
import { simulate } from '../../src/simulation.ts';
import type { SimulationResult } from '../../src/simulation-result.ts';

const base = loadBuiltinScenario('multipod');

function variant(changes: { settings?: Partial<Settings>; faults?: Partial<Faults>; crossPodFaults?: Partial<Faults> }): Scenario {
  return {
    ...base,
    settings: { ...base.settings, ...changes.settings },
    faults: { ...base.faults, ...changes.faults },
    migrations: base.migrations.map((m) => (m.node === 'node-1' && changes.crossPodFaults ? { ...m, faults: changes.crossPodFaults } : m)),
  };
}

function run(s: Scenario): SimulationResult {
  return simulate(s, { recordTrace: true });
}

const of = (r: SimulationResult, event: string, node: string): TraceEvent[] => r.trace.filter((e) => e.event === event && e.data.node === node);
const migration = (r: SimulationResult, node: string) => r.migrations.find((m) => m.node === node)!;
const milestoneNames = (r: SimulationResult, node: string) => migration(r, node).milestones.map((m) => m.name);

function lastAciPod(r: SimulationResult, node: string): string | undefined {
  const sets = r.trace.filter((e) => e.event === 'annotation-set' && e.data.node === node && e.data.key === 'opflex.cisco.com/aci-pod');
  return sets.at(-1)?.data.value as string | undefined;
}

describe('multipod: a cross-pod move with aci_multipod on', { timeout: 60_000 }, () => {
  const r = run(base);

  it('converges after one DHCP cycle, with an address from the new pod pool', () => {
    assert.equal(migration(r, 'node-1').converged, true);
    assert.equal(of(r, 'dhcp-attempt', 'node-1').length, 1);
    const [changed] = of(r, 'infra-address-changed', 'node-1');
    assert.equal(changed!.data.from, '10.0.176.71');
    assert.match(String(changed!.data.to), /^10\.1\./);
  });

  it('follows the documented order: disconnect stamp, annotation none, DHCP, route, config rewrite, reload, new ODevs, annotation for pod 2', () => {
    const names = milestoneNames(r, 'node-1');
    const order = ['pod-changed', 'odev-disconnect-stamped', 'aci-pod-none', 'dhcp-attempt', 'new-infra-address', 'multicast-route-added', 'agent-config-rewritten', 'agent-reload', 'session-ready-1', 'policy-ready', 'destination-odev-2', 'converged', 'aci-pod-annotated'];
    const positions = order.map((n) => names.indexOf(n));
    assert.ok(positions.every((p) => p >= 0), `missing milestones: ${order.filter((_, i) => positions[i]! < 0).join(', ')}`);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions);
  });

  it('waits opflex_device_reconnect_wait_timeout between the disconnect stamp and the annotation none', () => {
    const stamped = of(r, 'odev-disconnect-stamped', 'node-1')[0]!.tMs;
    const expired = of(r, 'odev-reconnect-wait-expired', 'node-1')[0]!.tMs;
    assert.ok(expired - stamped >= base.settings.opflex_device_reconnect_wait_timeout * 1000);
    assert.ok(expired - stamped < base.settings.opflex_device_reconnect_wait_timeout * 1000 + 2 * base.timers.controllerLoopMs);
  });

  it('takes dhcp_delay twice before the link comes up', () => {
    const released = of(r, 'dhcp-released', 'node-1')[0]!.tMs;
    const up = of(r, 'infra-link-up', 'node-1')[0]!.tMs;
    assert.ok(Math.abs(up - released - 2 * base.settings.dhcp_delay * 1000) < 1e-6, `${up - released} ms`);
  });

  it('connects the reloaded agent to pod 2 anycast (pool base .30) and creates ODevs with the new devId', () => {
    assert.equal(of(r, 'agent-reload', 'node-1')[0]!.data.peers, '10.1.0.30:8009');
    const newIp = String(of(r, 'infra-address-changed', 'node-1')[0]!.data.to);
    const odevs = r.trace.filter((e) => e.event === 'odev-connected' && e.data.node === 'node-1' && (e.actor === 'leaf-201' || e.actor === 'leaf-202'));
    assert.equal(odevs.length, 2);
    for (const o of odevs) assert.match(String(o.data.dn), new RegExp(`^topology/pod-2/node-20[12]/.*/odev-${ipv4ToUint32(newIp)}$`));
  });

  it('sets the aci-pod annotation to the new pod', () => {
    assert.equal(lastAciPod(r, 'node-1'), 'pod-2-10.1.0.0/16');
  });

  it('moves the old address between the pods over the inter-pod network: the old pod learns it, the old leaf gets its bounce entry', () => {
    const remote = r.trace.find((e) => e.event === 'coop-update' && e.actor === 'coop:pod-1' && e.data.key === '10.0.176.71' && e.data.to === 'pair-c');
    assert.ok(remote, 'pod 1 COOP never learned the move');
    assert.equal(remote.data.interPod, true);
    assert.ok(r.trace.some((e) => e.event === 'bounce-installed' && e.actor === 'leaf-101' && e.data.key === '10.0.176.71' && e.tMs >= remote.tMs));
  });

  it('gets nowhere with the old address: the old pod anycast and leaves are unreachable from pod 2', () => {
    const stunEnd = of(r, 'pod-changed', 'node-1')[0]!.tMs;
    const reload = of(r, 'agent-reload', 'node-1')[0]!.tMs;
    const served = r.trace.filter((e) => e.tMs > stunEnd && e.tMs < reload && (e.event === 'session-ready' || e.event === 'redirect') && (e.data.agent === 'node-1'));
    assert.deepEqual(served, []);
    // The old leaf's PlatformConfig delete is sent, but never reaches the agent.
    assert.ok(r.trace.some((e) => e.event === 'platform-config-delete-sent' && e.data.agent === 'node-1' && e.tMs > stunEnd));
    assert.deepEqual(r.trace.filter((e) => e.actor === 'agent:node-1' && e.event === 'agent-reset' && e.tMs > stunEnd), []);
  });
});

describe('multipod: an intra-pod move in a multipod fabric', { timeout: 60_000 }, () => {
  it('skips DHCP: the node converges on the new pair and keeps its address', () => {
    const r = run(base);
    assert.equal(migration(r, 'node-2').converged, true);
    assert.deepEqual(of(r, 'dhcp-attempt', 'node-2'), []);
    assert.deepEqual(of(r, 'infra-address-changed', 'node-2'), []);
    assert.equal(lastAciPod(r, 'node-2'), 'pod-1-10.0.0.0/16');
  });

  it('when its ODevs are late and the annotation goes to none, the host-agent sees the fresh PlatformConfig delete and skips DHCP', () => {
    const r = run(variant({ faults: { odevCreateExtraDelayMs: 40_000 } }));
    const none = r.trace.find((e) => e.event === 'annotation-set' && e.data.node === 'node-2' && e.data.key === 'opflex.cisco.com/aci-pod' && e.data.value === 'none');
    assert.ok(none, 'the annotation never went to none');
    const [skipped] = of(r, 'dhcp-skipped', 'node-2');
    assert.ok(skipped, 'no dhcp-skipped');
    assert.ok((skipped.data.platformConfigDeleteAgeMs as number) < 120_000);
    assert.deepEqual(of(r, 'dhcp-attempt', 'node-2'), []);
    assert.equal(migration(r, 'node-2').converged, true);
  });
});

describe('multipod: aci_multipod off', { timeout: 60_000 }, () => {
  const r = run(variant({ settings: { aci_multipod: false } }));

  it('strands the cross-pod node: it never converges and the run says why', () => {
    assert.equal(migration(r, 'node-1').converged, false);
    const [stranded] = of(r, 'infra-address-stranded', 'node-1');
    assert.match(String(stranded!.data.why), /aci_multipod is off/);
    assert.ok(milestoneNames(r, 'node-1').includes('infra-address-stranded'));
    assert.deepEqual(of(r, 'dhcp-attempt', 'node-1'), []);
    assert.deepEqual(of(r, 'agent-reload', 'node-1'), []);
  });

  it('still converges the intra-pod move', () => {
    assert.equal(migration(r, 'node-2').converged, true);
  });
});

describe('multipod: DHCP faults', { timeout: 120_000 }, () => {
  it('a silent server: every attempt times out, the renew fails after dhcp_renew_max_retry_count attempts, the node never converges', () => {
    const r = run(variant({ settings: { dhcp_renew_max_retry_count: 3 }, crossPodFaults: { dhcpSilent: true } }));
    assert.equal(of(r, 'dhcp-attempt', 'node-1').length, 3);
    assert.equal(of(r, 'dhcp-attempt-failed', 'node-1').length, 3);
    const [failed] = of(r, 'dhcp-renew-failed', 'node-1');
    assert.equal(failed!.data.attempts, 3);
    assert.ok(milestoneNames(r, 'node-1').includes('dhcp-renew-failed'));
    assert.equal(migration(r, 'node-1').converged, false);
    assert.deepEqual(of(r, 'agent-reload', 'node-1'), []);
  });

  it('a slow server: the address comes later, within the same attempt while the delay is under the 15 s poll', () => {
    const r = run(variant({ crossPodFaults: { dhcpOfferExtraDelayMs: 8000 } }));
    const up = of(r, 'infra-link-up', 'node-1')[0]!.tMs;
    const address = of(r, 'dhcp-address', 'node-1')[0]!.tMs;
    assert.ok(address - up >= 8000);
    assert.equal(of(r, 'dhcp-attempt', 'node-1').length, 1);
    assert.equal(migration(r, 'node-1').converged, true);
  });

  it('a slow server past the poll window: every attempt fails', () => {
    const r = run(variant({ settings: { dhcp_renew_max_retry_count: 2 }, crossPodFaults: { dhcpOfferExtraDelayMs: 20_000 } }));
    assert.equal(of(r, 'dhcp-attempt-failed', 'node-1').length, 2);
    assert.equal(migration(r, 'node-1').converged, false);
  });

  it('a lease still held by another node: the client declines, the next attempt after dhcp_delay gets a free address', () => {
    const r = run(variant({ crossPodFaults: { dhcpLeaseHeld: true } }));
    const [declined] = of(r, 'dhcp-declined', 'node-1');
    assert.equal(declined!.data.ip, '10.1.176.73', 'the offer was node-3 address');
    assert.equal(of(r, 'dhcp-attempt', 'node-1').length, 2);
    const changed = of(r, 'infra-address-changed', 'node-1')[0]!;
    assert.notEqual(changed.data.to, '10.1.176.73');
    assert.equal(migration(r, 'node-1').converged, true);
  });

  it('the multicast route not re-added: the run shows it missing, the node converges for unicast', () => {
    const r = run(variant({ crossPodFaults: { multicastRouteLost: true } }));
    const names = milestoneNames(r, 'node-1');
    assert.ok(names.includes('multicast-route-missing'));
    assert.ok(!names.includes('multicast-route-added'));
    assert.equal(migration(r, 'node-1').converged, true);
  });
});

describe('multipod: the single-pod scenario is untouched', { timeout: 60_000 }, () => {
  it('emits none of the multipod events', () => {
    const r = simulate(loadBuiltinScenario('default'), { recordTrace: true });
    const multipodKinds = new Set(['pod-changed', 'ipn-endpoint-announce', 'odev-disconnect-stamped', 'dhcp-attempt', 'agent-reload', 'infra-address-stranded']);
    assert.deepEqual(r.trace.filter((e) => multipodKinds.has(e.event)), []);
    assert.ok(r.trace.every((e) => !(e.event === 'annotation-set' && e.data.key === 'opflex.cisco.com/aci-pod')));
  });
});

describe('multipod: a steady start', { timeout: 60_000 }, () => {
  it('gates the seeded sessions like any other: the cross-pod node renews by DHCP and converges, the intra-pod one does not renew', () => {
    const r = run({ ...base, start: 'steady' });
    assert.equal(of(r, 'dhcp-attempt', 'node-1').length, 1);
    assert.equal(migration(r, 'node-1').converged, true);
    assert.deepEqual(of(r, 'dhcp-attempt', 'node-2'), []);
    assert.equal(migration(r, 'node-2').converged, true);
  });
});
