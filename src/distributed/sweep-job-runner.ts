/**
 * What a queue worker does with one job: its data checked, then run with the local command's code.
 * Apart from the queue (no BullMQ here), so a worker thread can import it.
 */
import type { VariantResult } from '../report/comparison.ts';
import type { CellFigures } from '../report/sweep-summary.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import { runSeedRange } from '../sweep/seed-range.ts';
import { runCheckSeeds, type CheckSeedsResult } from './check-seeds.ts';
import { runCompareCell } from './compare-cell.ts';
import { parseSweepJob } from './sweep-jobs.ts';

/** What a job posts back: a compare cell's variant result, a sweep range's figures per seed, or a check range's seed outcomes. */
export type SweepJobResult = VariantResult | CellFigures[] | CheckSeedsResult;

/** One job's data, checked, run with the local command's code. */
export async function runSweepJob(data: unknown, scenarioFor: (hash: string) => Promise<ScenarioText>): Promise<SweepJobResult> {
  const job = parseSweepJob(data);
  switch (job.kind) {
    case 'compare-cell':
      return runCompareCell(await scenarioFor(job.scenario), job.cell);
    case 'sweep-cells':
      return runSeedRange(await scenarioFor(job.scenario), job.range);
    case 'check-seeds':
      return runCheckSeeds(await scenarioFor(job.scenario), job);
  }
}
