/**
 * The first example of each known hazard an exploration met, shrunk as a violation is (while the run
 * still shows that hazard) and re-run with its trace, so a report can draw it beside the violations.
 * The explorer itself does not shrink hazards: they are expected, and shrinking costs runs.
 */
import type { TraceEvent } from '../kernel/trace.ts';
import type { Scenario } from '../scenario/types.ts';
import { runChecked } from './checked-run.ts';
import { traceAround } from './explorer.ts';
import { KNOWN_HAZARDS, type HazardName } from './hazards.ts';
import type { Violation } from './invariants.ts';
import { scenarioForSeed, type ScheduleOptions } from './schedule-generator.ts';
import type { SeedOutcome } from './seed-outcome.ts';
import { shrinkWhile } from './shrink.ts';

export interface HazardExample {
  hazard: HazardName;
  statement: string;
  source: string;
  /** The lowest seed that met it, and how many seeds did. */
  seed: number;
  seeds: number;
  scenario: Scenario;
  shrinkRuns: number;
  node: string;
  invariants: string[];
  /** The first violation it explains in the shrunk run. */
  first: Violation;
  traceAround: TraceEvent[];
}

/** One example per hazard met in `outcomes` (sorted by seed), in the order of the hazard names. */
export function hazardExamples(base: Scenario, outcomes: readonly SeedOutcome[], schedule: ScheduleOptions): HazardExample[] {
  const firstSeen = new Map<HazardName, SeedOutcome>();
  const seeds = new Map<HazardName, number>();
  for (const out of outcomes) {
    for (const name of new Set(out.hazards.map((h) => h.hazard))) {
      if (!firstSeen.has(name)) firstSeen.set(name, out);
      seeds.set(name, (seeds.get(name) ?? 0) + 1);
    }
  }
  const examples: HazardExample[] = [];
  for (const [name, outcome] of [...firstSeen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const shows = (hazards: readonly { hazard: string }[]): boolean => hazards.some((h) => h.hazard === name);
    const shrunk = shrinkWhile(scenarioForSeed(base, outcome.seed, schedule), (run) => shows(run.hazards));
    const rerun = runChecked(shrunk.scenario, { recordTrace: true });
    // Shrinking keeps only candidates that still show the hazard, so the re-run shows it too.
    const found = rerun.hazards.find((h) => h.hazard === name) ?? outcome.hazards.find((h) => h.hazard === name)!;
    const spec = KNOWN_HAZARDS.find((h) => h.name === name)!;
    examples.push({
      hazard: name,
      statement: spec.statement,
      source: spec.source,
      seed: outcome.seed,
      seeds: seeds.get(name)!,
      scenario: shrunk.scenario,
      shrinkRuns: shrunk.runs,
      node: found.node,
      invariants: found.invariants,
      first: found.first,
      traceAround: traceAround(rerun.trace ?? [], found.first),
    });
  }
  return examples;
}
