/**
 * What a queue worker does with one job: its data checked, then run with the local command's code.
 * Apart from the queue (no BullMQ here), so a worker thread can import it.
 */
import type { VariantResult } from '../report/comparison.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import { runCompareCell } from './compare-cell.ts';
import { parseSweepJob } from './sweep-jobs.ts';

/** One job's data, checked, run with the local command's code. */
export async function runSweepJob(data: unknown, scenarioFor: (hash: string) => Promise<ScenarioText>): Promise<VariantResult> {
  const job = parseSweepJob(data);
  return runCompareCell(await scenarioFor(job.scenario), job.cell);
}

/** What runSweepJob resolves with, whatever the job's kind. */
export type SweepJobResult = Awaited<ReturnType<typeof runSweepJob>>;
