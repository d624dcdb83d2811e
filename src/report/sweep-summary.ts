/**
 * A sweep's figures: what one run (a scenario, a variant, a seed) is reduced to, and each variant's
 * row over its seeds: counts summed, outage percentiles over every move of every seed, the worst seed
 * named, and the best variant by a stated criterion.
 */
import type { ComparedMigration } from './comparison.ts';
import { percentiles } from './plan-summary.ts';

/** One run of a sweep, small and plain JSON so a queue job can carry it back. */
export interface CellFigures {
  seed: number;
  moves: number;
  converged: number;
  /** Each move's longest pod-traffic outage, in migration order. */
  outageMs: number[];
  /** Policy objects the destination leaves downloaded from APIC, over all moves. */
  downloaded: number;
  /** Agent resets (and multipod configuration reloads), over all moves. */
  resets: number;
}

export function cellFigures(seed: number, migrations: readonly ComparedMigration[]): CellFigures {
  return {
    seed,
    moves: migrations.length,
    converged: migrations.filter((m) => m.converged).length,
    outageMs: migrations.map((m) => m.outageMs),
    downloaded: migrations.reduce((sum, m) => sum + m.downloaded, 0),
    resets: migrations.reduce((sum, m) => sum + m.resets.length, 0),
  };
}

export interface OutagePercentiles {
  p50: number;
  p95: number;
  max: number;
}

/** A variant as the report names it. */
export interface SweepVariant {
  label: string;
  values: Record<string, string>;
  /** `KEY=VALUE` for each key the variant changes, as `simulate --set` takes them. */
  sets: string[];
}

export interface VariantRow {
  variant: SweepVariant;
  moves: number;
  converged: number;
  outageMs: OutagePercentiles;
  downloaded: number;
  resets: number;
  /** The seed to re-run: most moves not converged, then the longest outage, then the lowest seed. */
  worstSeed: number;
  cells: CellFigures[];
}

const unconverged = (c: { moves: number; converged: number }): number => c.moves - c.converged;

function worstCell(cells: readonly CellFigures[]): CellFigures {
  const maxOutage = (c: CellFigures): number => Math.max(0, ...c.outageMs);
  return cells.reduce((worst, c) => {
    const d = unconverged(c) - unconverged(worst) || maxOutage(c) - maxOutage(worst);
    return d > 0 ? c : worst;
  });
}

/** One variant over its seeds (given in seed order, at least one). */
export function variantRow(variant: SweepVariant, cells: CellFigures[]): VariantRow {
  return {
    variant,
    moves: cells.reduce((sum, c) => sum + c.moves, 0),
    converged: cells.reduce((sum, c) => sum + c.converged, 0),
    outageMs: percentiles(cells.flatMap((c) => c.outageMs)),
    downloaded: cells.reduce((sum, c) => sum + c.downloaded, 0),
    resets: cells.reduce((sum, c) => sum + c.resets, 0),
    worstSeed: worstCell(cells).seed,
    cells,
  };
}

export const bestCriterion = 'fewest moves not converged, then lowest outage p95, then lowest longest outage, then fewest objects downloaded';

function compareRows(a: VariantRow, b: VariantRow): number {
  return unconverged(a) - unconverged(b) || a.outageMs.p95 - b.outageMs.p95 || a.outageMs.max - b.outageMs.max || a.downloaded - b.downloaded;
}

/** The rows best by `bestCriterion`, in variant order: more than one when they tie on every part of it. */
export function bestRows(rows: readonly VariantRow[]): VariantRow[] {
  const best = rows.reduce((b, r) => (compareRows(r, b) < 0 ? r : b));
  return rows.filter((r) => compareRows(r, best) === 0);
}

/** One scenario of a sweep: its rows in variant order. */
export interface ScenarioRows {
  name: string;
  source: string;
  /** The arguments that name it to `simulate` (a file, --builtin NAME, --preset NAME). */
  simulateArgs: string[];
  rows: VariantRow[];
}

export interface SweepSummary {
  firstSeed: number;
  seeds: number;
  scenarios: ScenarioRows[];
}
