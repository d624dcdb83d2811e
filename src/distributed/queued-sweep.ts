/** A sweep's seed ranges as sweep-cells jobs on the queue, one job per range (src/sweep/sweep-chunks.ts cuts them). */
import type { CellFigures } from '../report/sweep-summary.ts';
import type { ScenarioText } from '../scenario/variants.ts';
import type { RangeTask } from '../sweep/local-sweep.ts';
import type { QueueAddress } from './queue-url.ts';
import { scenarioHash } from './scenario-store.ts';
import { parseSweepCellsResult, type SweepCellsJob } from './sweep-jobs.ts';
import { runQueuedJobs, type QueuedOutcome, type SweepProgress } from './sweep-submitter.ts';

export function runQueuedSweep(address: QueueAddress, scenarios: readonly ScenarioText[], tasks: readonly RangeTask[], sweepId: string, progress: SweepProgress = {}): Promise<QueuedOutcome<CellFigures[], SweepCellsJob>> {
  const hashes = scenarios.map(scenarioHash);
  return runQueuedJobs(address, {
    scenarios,
    jobs: tasks.map((task) => ({ kind: 'sweep-cells' as const, scenario: hashes[task.scenario]!, range: task.range })),
    parseResult: parseSweepCellsResult,
  }, sweepId, progress);
}
