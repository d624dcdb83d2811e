/**
 * The first events of a simulation's trace: what was run (scenario, seed, duration, settings), the
 * leaf pairs and their leaves, and each probe flow with the nodes its pods run on. With these and the
 * milestones, a saved trace alone is enough to draw the report (`opflex-twin show`).
 */
import type { Trace } from '../kernel/trace.ts';
import type { Scenario } from '../scenario/types.ts';

/** The actor of the events the simulation itself adds to the trace. */
const SIMULATION_ACTOR = 'simulation';

export function emitRunHeader(trace: Trace, scenario: Scenario, seed: number, nodeOfPod: ReadonlyMap<string, string>): void {
  trace.emit(SIMULATION_ACTOR, 'run', { scenario: scenario.name, seed, durationMs: scenario.durationMs, start: scenario.start });
  trace.emit(SIMULATION_ACTOR, 'settings', { ...scenario.settings });
  for (const pair of scenario.fabric.leafPairs) {
    trace.emit(SIMULATION_ACTOR, 'leaf-pair', { pair: pair.name, leaves: pair.leaves.map((l) => l.name).join(',') });
  }
  for (const f of scenario.flows) {
    trace.emit(SIMULATION_ACTOR, 'flow', {
      flow: f.name,
      from: f.from,
      to: f.to,
      fromNode: nodeOfPod.get(f.from),
      toNode: nodeOfPod.get(f.to),
      intervalMs: f.intervalMs,
    });
  }
}

/** "host:port" of every leaf and of the anycast proxy, to the name the report shows. */
export function listenerNames(scenario: Scenario): Map<string, string> {
  const names = new Map<string, string>();
  for (const pair of scenario.fabric.leafPairs) for (const l of pair.leaves) names.set(`${l.address}:${l.port}`, l.name);
  names.set(`${scenario.fabric.anycast.address}:${scenario.fabric.anycast.port}`, 'anycast');
  return names;
}
