/**
 * One variant of a scenario run at a range of seeds: the local sweep (in its threads) and a queue
 * worker both run a unit of a sweep through runSeedRange, so their figures cannot differ.
 */
import { comparedMigrations } from '../report/comparison.ts';
import { cellFigures, type CellFigures } from '../report/sweep-summary.ts';
import { scenarioWithOverrides, type ScenarioText } from '../scenario/variants.ts';
import { simulate } from '../simulation.ts';
import { errorMessage } from '../error-details.ts';
import type { SeedRange } from './sweep-chunks.ts';

export function runSeedRange(base: ScenarioText, range: SeedRange): CellFigures[] {
  const scenario = scenarioWithOverrides(base, range.overrides, range.label || undefined);
  return Array.from({ length: range.seeds }, (_, i) => {
    const seed = range.firstSeed + i;
    let result;
    try {
      result = simulate(scenario, { seed, ...(range.maxEvents !== undefined ? { maxEvents: range.maxEvents } : {}) });
    } catch (err) {
      // A range that fails is reported whole: the message names the seed that failed.
      throw new Error(`seed ${seed}: ${errorMessage(err)}`);
    }
    return cellFigures(seed, comparedMigrations(result));
  });
}
