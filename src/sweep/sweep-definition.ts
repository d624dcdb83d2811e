/**
 * What a sweep runs, as validated data: scenarios x variants x seeds. A sweep file and the command's
 * options both come to this; its variants are every combination of the grid (`vary`), each under every
 * named variant when there are some.
 */
import { parseVary, type Override } from '../scenario/variants.ts';
import type { SweepVariant } from '../report/sweep-summary.ts';
import type { ScenarioIssue } from '../scenario/scenario-error.ts';

/** Scenarios one sweep runs. */
export const sweepScenariosMax = 16;
/** Variants one sweep runs (named variants times grid combinations). */
export const sweepVariantsMax = 256;
/** Seeds each (scenario, variant) runs. */
export const sweepSeedsMax = 10_000;
/** Runs in one sweep: scenarios x variants x seeds. */
export const sweepRunsMax = 100_000;
/** Keys one variant changes (its named settings and the grid's keys). */
export const variantKeysMax = 64;
/** Characters in a variant's name, a key, a value or a scenario reference. */
export const sweepTextCharsMax = 1_024;

/** One grid key and the values it takes, as `--vary KEY=V1,V2` gives them. */
export type VaryKey = ReturnType<typeof parseVary>;

export interface KeySetting {
  key: string;
  path: string[];
  /** As written: the label and `simulate --set` show it. */
  text: string;
  value: unknown;
}

export interface NamedVariant {
  name: string;
  sets: KeySetting[];
}

export interface SweepDefinition {
  /** A scenario file (relative to `baseDir`), `builtin:NAME` or `preset:NAME`. */
  scenarios: string[];
  /** From a sweep file: where each scenario is named in it, to place a scenario that cannot be read. */
  scenarioPlaces?: ScenarioIssue[];
  baseDir: string;
  vary: VaryKey[];
  variants: NamedVariant[];
  seeds: number;
  firstSeed: number;
  maxEvents?: number;
}

/** A variant with the overrides it applies (named settings first, then the grid's). */
export interface PlannedVariant extends SweepVariant {
  overrides: Override[];
}

/** Which part of the definition a bound is about, for the caller to name (a file's key, an option). */
export type SweepPart = 'scenarios' | 'vary' | 'variants' | 'seeds';

export interface BoundProblem {
  part: SweepPart;
  message: string;
}

export function gridSize(vary: readonly VaryKey[]): number {
  return vary.reduce((n, v) => n * v.texts.length, 1);
}

/** Every bound the definition is past, each with the part to blame. */
export function boundProblems(def: SweepDefinition): BoundProblem[] {
  const problems: BoundProblem[] = [];
  if (def.scenarios.length > sweepScenariosMax) problems.push({ part: 'scenarios', message: `${def.scenarios.length} scenarios; at most ${sweepScenariosMax} run in one sweep` });
  const grid = gridSize(def.vary);
  const variants = Math.max(1, def.variants.length) * grid;
  const blame: SweepPart = def.vary.length > 0 ? 'vary' : 'variants';
  if (variants > sweepVariantsMax) problems.push({ part: blame, message: `${variants} variants; at most ${sweepVariantsMax} run in one sweep` });
  const widest = Math.max(0, ...def.variants.map((v) => v.sets.length)) + def.vary.length;
  if (widest > variantKeysMax) problems.push({ part: blame, message: `a variant changes ${widest} keys; at most ${variantKeysMax}` });
  if (def.seeds > sweepSeedsMax) problems.push({ part: 'seeds', message: `${def.seeds} seeds; at most ${sweepSeedsMax}` });
  const runs = def.scenarios.length * variants * def.seeds;
  if (problems.length === 0 && runs > sweepRunsMax) problems.push({ part: 'seeds', message: `${def.scenarios.length} scenarios x ${variants} variants x ${def.seeds} seeds = ${runs} runs; at most ${sweepRunsMax}` });
  return problems;
}

/** The variants in order: each named variant (or the scenario as written) under each grid combination. */
export function plannedVariants(def: SweepDefinition): PlannedVariant[] {
  let combos: KeySetting[][] = [[]];
  for (const v of def.vary) combos = combos.flatMap((c) => v.texts.map((text, i) => [...c, { key: v.key, path: v.path, text, value: v.values[i] }]));
  const named: NamedVariant[] = def.variants.length > 0 ? def.variants : [{ name: '', sets: [] }];
  return named.flatMap((n) =>
    combos.map((combo) => {
      const settings = [...n.sets, ...combo];
      return {
        label: [n.name, ...combo.map((s) => `${s.key}=${s.text}`)].filter((part) => part !== '').join(' '),
        values: Object.fromEntries(settings.map((s) => [s.key, s.text])),
        sets: settings.map((s) => `${s.key}=${s.text}`),
        overrides: settings.map((s) => ({ path: s.path, value: s.value })),
      };
    }),
  );
}
