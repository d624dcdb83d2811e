import { comparisonJson, renderComparison, type VariantResult } from '../report/comparison.ts';
import { styleFor } from '../report/terminal-report.ts';
import { parseScenario } from '../scenario/loader.ts';
import { parseVary, type Override } from '../scenario/variants.ts';
import { PRESET_NAMES } from '../scenario/presets.ts';
import { scenarioTextFor } from './scenario-argument.ts';
import { runCompareCell, type CompareCell } from '../distributed/compare-cell.ts';
import { errorMessage } from '../error-details.ts';
import { defineCommand, EXIT_FAILURE, type CommandIO } from './command.ts';
import { MAX_EVENTS_OPTION } from './run-options.ts';
import { UsageError } from './usage-error.ts';
import { accProvisionOverrides } from './acc-provision-option.ts';
import { RunReportBuilder } from '../report/run-report.ts';
import { runView } from '../report/html/run-view.ts';
import { writePage } from './show.ts';
import { commandSummary } from './command-index.ts';
import { queueAddressOption, rethrowSweepMismatch, sweepIdOption, sweepSubmittedLine } from './queue-option.ts';
import { ProgressBar } from './progress-bar.ts';
import { assertQueueReachable, type QueueAddress } from '../distributed/queue-url.ts';
import { newSweepId, runQueuedCompare, type SweepOutcome } from '../distributed/sweep-submitter.ts';
import type { ScenarioText } from '../scenario/variants.ts';

/** Most variants one compare runs (every combination of the --vary values). */
const variantsMax = 64;

export const compareCommand = defineCommand({
  name: 'compare',
  summary: commandSummary('compare'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    vary: { kind: 'repeatable', value: 'KEY=V1,V2', help: 'A key and the values to try, e.g. enable_opflex_agent_reconnect=false,true' },
    seed: { kind: 'integer', min: 0, value: 'n', help: "Seed for every variant (default: the scenario's)" },
    'acc-provision': { kind: 'string', value: 'file', help: 'Take settings from an acc-provision input file first' },
    json: { kind: 'flag', help: 'Print the comparison as JSON' },
    html: { kind: 'string', value: 'file', help: 'Also write an HTML report: the variants side by side on the same axes' },
    builtin: { kind: 'string', value: 'name', help: 'Use a built-in scenario by name', default: 'default' },
    preset: { kind: 'string', value: 'name', help: `Use a fabric-scale preset: ${PRESET_NAMES.join(', ')}` },
    'max-events': MAX_EVENTS_OPTION,
    queue: { kind: 'string', value: 'redis://HOST:PORT[/DB]', help: 'Run the variants as jobs on this Redis queue (opflex-twin worker runs them); prints the same as a local run' },
    sweep: { kind: 'text', value: 'id', help: 'With --queue: collect the results of this sweep, submitted before with the same arguments' },
  },
  async run({ positionals, options }, io) {
    const { vary: specs, seed: seedGiven, 'max-events': maxEvents, html: htmlPath } = options;
    if (specs.length === 0) throw new UsageError('give at least one --vary KEY=V1,V2');
    const queue = queueAddressOption(options.queue, false);
    if (queue && htmlPath !== undefined) throw new UsageError('--html needs the trace of every run: give it without --queue');
    const sweepId = sweepIdOption(options.sweep, queue, 'compare');
    let varies;
    try {
      varies = specs.map(parseVary);
    } catch (err) {
      throw new UsageError(errorMessage(err));
    }
    const base = scenarioTextFor(positionals[0], options.builtin, options.preset);
    const scenario = parseScenario(base.text, base.source, { baseDir: base.baseDir });
    const fromAcc = accProvisionOverrides(options['acc-provision'], io);
    const seed = seedGiven ?? scenario.seed;

    let combos: { overrides: Override[]; values: Record<string, string> }[] = [{ overrides: [], values: {} }];
    for (const v of varies) {
      combos = combos.flatMap((c) => v.texts.map((text, i) => ({
        overrides: [...c.overrides, { path: v.path, value: v.values[i] }],
        values: { ...c.values, [v.key]: text },
      })));
    }
    if (combos.length > variantsMax) throw new UsageError(`${combos.length} combinations; at most ${variantsMax} run at once`);

    const cells: CompareCell[] = combos.map((c) => ({
      label: Object.entries(c.values).map(([k, v]) => `${k}=${v}`).join(' '),
      values: c.values,
      overrides: [...fromAcc, ...c.overrides],
      seed,
      ...(maxEvents !== undefined ? { maxEvents } : {}),
    }));
    let variants: VariantResult[];
    const reports: { label: string; builder: RunReportBuilder }[] = [];
    if (queue) {
      const outcome = await runQueuedCompareWithProgress(queue, base, cells, sweepId, io);
      if (outcome.failures.length > 0) {
        for (const f of outcome.failures) io.stderr.write(`opflex-twin compare: job ${f.index + 1} of ${cells.length} (${f.cell.label}, seed ${f.cell.seed}) failed: ${f.reason.split('\n')[0]}\n`);
        return EXIT_FAILURE;
      }
      variants = outcome.results;
    } else {
      variants = cells.map((cell) => {
        const builder = htmlPath !== undefined ? new RunReportBuilder() : undefined;
        if (builder) reports.push({ label: cell.label, builder });
        return runCompareCell(base, cell, builder?.onEvent);
      });
    }
    const keys = varies.map((v) => v.key);
    if (htmlPath !== undefined) {
      const title = `opflex-twin compare: ${scenario.name}, seed ${seed}`;
      await writePage({ kind: 'compare', title, keys, variants: reports.map((r) => ({ label: r.label, run: runView(r.builder.finish()) })) }, htmlPath);
    }
    if (options.json) io.stdout.write(JSON.stringify(comparisonJson(scenario.name, seed, keys, variants), null, 2) + '\n');
    else io.stdout.write(renderComparison(scenario.name, seed, keys, variants, styleFor(io.stdout)));
    return 0;
  },
});

async function runQueuedCompareWithProgress(queue: QueueAddress, base: ScenarioText, cells: CompareCell[], sweepGiven: string | undefined, io: CommandIO): Promise<SweepOutcome> {
  await assertQueueReachable(queue);
  const progress = io.stderr.isTTY ? new ProgressBar(io.stderr, 0) : undefined;
  try {
    return await runQueuedCompare(queue, base, cells, sweepGiven ?? newSweepId(), {
      onSubmitted: sweepSubmittedLine('compare', queue, io),
      onProgress: (finished, jobs) => progress?.update(finished / jobs, `${finished}/${jobs} jobs`),
    });
  } catch (err) {
    rethrowSweepMismatch(err);
    throw err;
  } finally {
    progress?.done();
  }
}
