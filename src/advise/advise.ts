/**
 * Risks in a migration plan, each with the reason and the expected effect measured by simulating the
 * plan under the fault that makes the risk bite (same seed, so the runs differ only where the
 * setting or fault does).
 */
import { scenarioWithOverrides, type Override, type ScenarioText } from '../scenario/variants.ts';
import type { Scenario } from '../scenario/types.ts';
import type { TraceEvent } from '../kernel/trace.ts';
import { seconds } from '../report/terminal-report.ts';
import { simulate } from '../simulation.ts';
import type { SimulationResult } from '../simulation-result.ts';
import { downloadStorms } from './download-storms.ts';
import { describeMoves, describeRuns, listed } from './measured-effects.ts';
import { multipodRisks } from './multipod-risks.ts';
import type { Risk } from './risk.ts';

/** Objects one leaf may download within the storm window before it counts as a storm, unless told. */
export const stormObjectsDefault = 20;
/** The storm window, unless told. */
export const stormWindowMsDefault = 10_000;

export interface AdviceOptions {
  seed?: number;
  /** Hears the trace of each run advise makes, by the run's label (for the HTML report). */
  traceListenerFor?: (label: string) => ((e: TraceEvent) => void) | undefined;
  /** Objects one leaf may download within `stormWindowMs` before it counts as a storm. */
  stormObjects?: number;
  stormWindowMs?: number;
  /** Event budget of each simulation (default: the scenario's, see `defaultEventBudget`). */
  maxEvents?: number;
}

export interface Advice {
  scenario: Scenario;
  risks: Risk[];
  simulations: number;
  /** For each risk (same order), the labels of the runs that measured its effect. */
  measuredBy: string[][];
}

const MISSED: Override = { path: ['faults', 'platformConfigDeleteMissed'], value: true };
const RECONNECT_ON: Override = { path: ['settings', 'enable_opflex_agent_reconnect'], value: true };

/** Nodes the plan moves: its migrations' and every VM on an evacuated hypervisor. */
function movingNodesOf(s: Scenario): Set<string> {
  const evacuated = new Set((s.evacuations ?? []).map((e) => e.hypervisor));
  return new Set([...s.migrations.map((m) => m.node), ...s.nodes.filter((n) => evacuated.has(n.hypervisor)).map((n) => n.name)]);
}

export function advise(base: ScenarioText, overrides: Override[], options: AdviceOptions = {}): Advice {
  const scenario = scenarioWithOverrides(base, overrides);
  const seed = options.seed ?? scenario.seed;
  let simulations = 0;
  const run = (extra: Override[], label: string): SimulationResult => {
    simulations++;
    const listener = options.traceListenerFor?.(label);
    return simulate(scenarioWithOverrides(base, [...overrides, ...extra], label), {
      seed,
      ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
      ...(listener ? { onTraceEvent: listener } : {}),
    });
  };
  const risks: Risk[] = [];
  const measuredBy: string[][] = [];
  const measured = (...labels: string[]) => measuredBy.push(labels);
  const s = scenario;
  const movingNodes = movingNodesOf(s);
  if (movingNodes.size === 0) return { scenario, risks, simulations, measuredBy };

  if (!s.settings.enable_opflex_agent_reconnect) {
    const off = run([MISSED], 'platform-config delete missed');
    const on = run([MISSED, RECONNECT_ON], 'platform-config delete missed, reconnect on');
    const stuck = off.migrations.filter((m) => !m.converged).length;
    risks.push({
      id: 'reconnect-disabled',
      severity: stuck > 0 ? 'high' : 'medium',
      title: 'enable_opflex_agent_reconnect is off',
      reason:
        'When the source leaf misses or delays the PlatformConfig delete (opflex issue #589), nothing else tells the agent to ' +
        'leave the old leaf pair: it keeps its sessions there, the destination never gets its endpoints and policy, and pod ' +
        'traffic through the destination is dropped. With the setting on, the controller sees the old ODev deleted and the ' +
        'host-agent resets the agent through reset.conf.',
      effect: `If the PlatformConfig delete is missed: ${describeRuns(off, on, 'with the setting off', 'with it on')}.`,
    });
    measured('platform-config delete missed', 'platform-config delete missed, reconnect on');
  }

  if (movingNodes.has(s.controller.node)) {
    const stable = s.nodes.find((n) => !movingNodes.has(n.name));
    const asPlanned = run([MISSED, RECONNECT_ON], 'controller as planned');
    const moved = stable
      ? run([MISSED, RECONNECT_ON, { path: ['controller', 'node'], value: stable.name }], `controller on ${stable.name}`)
      : undefined;
    risks.push({
      id: 'controller-on-migrating-node',
      severity: 'high',
      title: `the aci-containers-controller pod runs on ${s.controller.node}, which this plan migrates`,
      reason:
        "While its node is stunned the controller's APIC event stream is down; after it resumes it resyncs the current ODevs, " +
        'but an ODev delete that happened in between is never replayed as an event, so the reconnect trigger for the moving ' +
        'node can be missed. Move the controller pod to a node that stays put before the migration.',
      effect: moved
        ? `If the PlatformConfig delete is missed (reconnect on): ${describeRuns(asPlanned, moved, 'with the controller as planned', `with it moved to ${stable!.name}`)}.`
        : `Every node in the scenario migrates, so there is no stable node to compare with. As planned, if the PlatformConfig delete is missed: ${describeMoves(asPlanned.migrations)}.`,
    });
    measured('controller as planned', ...(stable ? [`controller on ${stable.name}`] : []));
  }

  const repeated = s.migrations.filter((m, i) => s.migrations.findIndex((o) => o.node === m.node) < i);
  if (repeated.length > 0) {
    const laterMissed: Override = {
      path: ['migrations'],
      value: s.migrations.map((m) => ({
        at: m.atMs,
        node: m.node,
        to: m.to,
        ...(repeated.includes(m) ? { faults: { platformConfigDeleteMissed: true } } : {}),
      })),
    };
    const asSet = run([RECONNECT_ON, laterMissed], 'later moves miss the delete');
    const suppressedAndStuck = asSet.migrations.filter(
      (m) => m.milestones.some((x) => x.name === 'agent-reset-suppressed') && (!m.converged || (m.switchoverToConvergedMs ?? 0) > 30_000),
    );
    if (suppressedAndStuck.length > 0) {
      const short = run([RECONNECT_ON, laterMissed, { path: ['settings', 'opflex_agent_reset_wait_delay'], value: 1 }], 'reset-wait-delay 1');
      risks.push({
        id: 'reset-wait-delay-suppresses-reset',
        severity: 'high',
        title: `opflex_agent_reset_wait_delay (${s.settings.opflex_agent_reset_wait_delay} s) can suppress a reset that is needed`,
        reason:
          `${suppressedAndStuck.map((m) => m.node).join(', ')} moves again soon after a PlatformConfig-delete reset. If that move's ` +
          'delete is missed, the reset.conf written for it falls inside reset-wait-delay and the agent skips it without a log ' +
          'line, staying on the old leaf pair.',
        effect: `If the later move's PlatformConfig delete is missed: ${describeRuns(asSet, short, `with ${s.settings.opflex_agent_reset_wait_delay} s`, 'with 1 s')}.`,
      });
      measured('later moves miss the delete', 'reset-wait-delay 1');
    }
  }

  risks.push(...multipodRisks(s, run, measured));

  const planned = run([], 'as planned');
  const windowMs = options.stormWindowMs ?? stormWindowMsDefault;
  for (const { leaves, count, nodes } of downloadStorms(planned, options.stormObjects ?? stormObjectsDefault, windowMs)) {
    const affected = planned.migrations.filter((m) => nodes.includes(m.node));
    const who = leaves.join(' and ');
    risks.push({
      id: 'download-storm',
      severity: 'medium',
      title: `${who} ${leaves.length > 1 ? 'each download' : 'downloads'} up to ${count} objects within ${seconds(windowMs, 0)}`,
      reason:
        `Moves of ${listed(nodes)} land on the pair of ${who} together and it holds little of their policy; downloads queue ` +
        `behind ${s.leaf.downloadConcurrency} concurrent APIC fetches per leaf while their pods' traffic waits. Stagger these moves or pre-warm the pair.`,
      effect: `As planned: ${describeMoves(affected)}.`,
    });
    measured();
  }
  return { scenario, risks, simulations, measuredBy };
}
