/**
 * One cell of a compare: the scenario with one variant's overrides, run at one seed. The local compare
 * and a queue worker both run a cell through runCompareCell, so their results cannot differ.
 */
import { comparedMigrations, type VariantResult } from '../report/comparison.ts';
import type { TraceEvent } from '../kernel/trace.ts';
import { scenarioWithOverrides, type Override, type ScenarioText } from '../scenario/variants.ts';
import { simulate } from '../simulation.ts';

export interface CompareCell {
  label: string;
  values: Record<string, string>;
  /** The --acc-provision overrides first, then the variant's. */
  overrides: Override[];
  seed: number;
  maxEvents?: number;
}

export function runCompareCell(base: ScenarioText, cell: CompareCell, onTraceEvent?: (event: TraceEvent) => void): VariantResult {
  const scenario = scenarioWithOverrides(base, cell.overrides, cell.label);
  const result = simulate(scenario, {
    seed: cell.seed,
    ...(cell.maxEvents !== undefined ? { maxEvents: cell.maxEvents } : {}),
    ...(onTraceEvent ? { onTraceEvent } : {}),
  });
  return { label: cell.label, values: cell.values, migrations: comparedMigrations(result) };
}
