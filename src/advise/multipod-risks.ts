/**
 * advise's multipod risks (docs/multipod.md): a move to another ACI pod with aci_multipod off, a
 * reconnect-wait timeout or DHCP delay longer than the code defaults, and the controller on a node
 * that changes pods. Each effect is measured by simulating the plan both ways.
 */
import { AciPods } from '../fabric/aci-pods.ts';
import type { Override } from '../scenario/variants.ts';
import type { MigrationSpec, Scenario } from '../scenario/types.ts';
import type { SimulationResult } from '../simulation-result.ts';
import { describeRuns } from './measured-effects.ts';
import type { Risk } from './risk.ts';

/** The controller's code default for opflex_device_reconnect_wait_timeout (aci-fabric-behavior.md section 0). */
const reconnectWaitDefaultS = 25;
/** The host-agent's default dhcp_delay. */
const dhcpDelayDefaultS = 5;

/** The planned migrations that take a node to another pod (placements replayed in time order). */
export function crossPodMoves(s: Scenario): MigrationSpec[] {
  if (!s.fabric.pods) return [];
  const pods = new AciPods(s.fabric);
  const at = new Map(s.nodes.map((n) => [n.name, n.hypervisor]));
  const moves: MigrationSpec[] = [];
  for (const m of [...s.migrations].sort((a, b) => a.atMs - b.atMs)) {
    const from = at.get(m.node);
    if (from !== undefined && pods.podOfHypervisor(from) !== pods.podOfHypervisor(m.to)) moves.push(m);
    at.set(m.node, m.to);
  }
  return moves;
}

export function multipodRisks(s: Scenario, run: (extra: Override[], label: string) => SimulationResult, measured: (...labels: string[]) => void): Risk[] {
  const moves = crossPodMoves(s);
  if (moves.length === 0) return [];
  const risks: Risk[] = [];
  const movers = [...new Set(moves.map((m) => m.node))];
  const ON: Override = { path: ['settings', 'aci_multipod'], value: true };

  if (!s.settings.aci_multipod) {
    const off = run([], 'as planned (aci_multipod off)');
    const on = run([ON], 'aci_multipod on');
    risks.push({
      id: 'multipod-disabled',
      severity: 'high',
      title: `aci_multipod is off and ${movers.join(', ')} ${movers.length > 1 ? 'move' : 'moves'} to another ACI pod`,
      reason:
        "The node keeps its infra address from the old pod's TEP pool; in the new pod nothing answers it, and without aci_multipod " +
        'the host-agent never renews it by DHCP nor points the agent at the new pod anycast proxy: the node is stranded.',
      effect: `${describeRuns(off, on, 'with aci_multipod off', 'with it on')}.`,
    });
    measured('as planned (aci_multipod off)', 'aci_multipod on');
    return risks;
  }

  const wait = s.settings.opflex_device_reconnect_wait_timeout;
  const delay = s.settings.dhcp_delay;
  if (wait > reconnectWaitDefaultS || delay > dhcpDelayDefaultS) {
    const asSet = run([], 'multipod timers as set');
    const defaults = run(
      [
        { path: ['settings', 'opflex_device_reconnect_wait_timeout'], value: Math.min(wait, reconnectWaitDefaultS) },
        { path: ['settings', 'dhcp_delay'], value: Math.min(delay, dhcpDelayDefaultS) },
      ],
      'multipod timers at code defaults',
    );
    risks.push({
      id: 'multipod-outage-long',
      severity: 'medium',
      title: `opflex_device_reconnect_wait_timeout ${wait} s and dhcp_delay ${delay} s lengthen every cross-pod move`,
      reason:
        'A node that changed pods has no working OpFlex session until the controller gives up waiting (the reconnect-wait ' +
        'timeout), the host-agent renews its address (two dhcp_delay waits per attempt) and the next config rediscovery ' +
        `(every 30 s) points its agent at the new pod. The code defaults are ${reconnectWaitDefaultS} s and ${dhcpDelayDefaultS} s.`,
      effect: `${describeRuns(asSet, defaults, 'as set', `with ${Math.min(wait, reconnectWaitDefaultS)} s and ${Math.min(delay, dhcpDelayDefaultS)} s`)}.`,
    });
    measured('multipod timers as set', 'multipod timers at code defaults');
  }

  if (movers.includes(s.controller.node)) {
    const stable = s.nodes.find((n) => !s.migrations.some((m) => m.node === n.name));
    const asPlanned = run([], 'controller changes pods');
    const moved = stable ? run([{ path: ['controller', 'node'], value: stable.name }], `controller on ${stable.name} (multipod)`) : undefined;
    risks.push({
      id: 'controller-on-pod-changing-node',
      severity: 'high',
      title: `the aci-containers-controller pod runs on ${s.controller.node}, which moves to another ACI pod`,
      reason:
        'The controller is the one that stamps the disconnect and sets the aci-pod annotation to none: while its node is stunned ' +
        'and its APIC event stream resyncs, nothing drives the DHCP renew of any node. Move the controller pod to a node that stays put first.',
      effect: moved
        ? `${describeRuns(asPlanned, moved, 'with the controller as planned', `with it on ${stable!.name}`)}.`
        : 'Every node moves, so there is no stable node to compare with.',
    });
    measured('controller changes pods', ...(stable ? [`controller on ${stable.name} (multipod)`] : []));
  }
  return risks;
}
