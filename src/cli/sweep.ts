import { availableParallelism } from 'node:os';
import { printable } from '../printable.ts';
import { errorMessage } from '../error-details.ts';
import { renderSweep, sweepJson } from '../report/sweep-report.ts';
import { variantRow, type CellFigures, type SweepSummary } from '../report/sweep-summary.ts';
import { styleFor } from '../report/terminal-report.ts';
import { parseVary } from '../scenario/variants.ts';
import { PRESET_NAMES } from '../scenario/presets.ts';
import { boundProblems, plannedVariants, type NamedVariant, type SweepDefinition, type SweepPart } from '../sweep/sweep-definition.ts';
import { defaultFirstSeed, defaultSweepSeeds, loadSweepFile } from '../sweep/sweep-file.ts';
import { sweepScenario, type SweepScenario } from '../sweep/sweep-scenarios.ts';
import { sweepChunks } from '../sweep/sweep-chunks.ts';
import { runRangesLocally, type RangeTask } from '../sweep/local-sweep.ts';
import { assertQueueReachable, type QueueAddress } from '../distributed/queue-url.ts';
import { runQueuedSweep } from '../distributed/queued-sweep.ts';
import { newSweepId } from '../distributed/sweep-submitter.ts';
import { defineCommand, EXIT_FAILURE, type CommandIO } from './command.ts';
import { commandSummary } from './command-index.ts';
import { MAX_EVENTS_OPTION } from './run-options.ts';
import { ProgressBar } from './progress-bar.ts';
import { queueAddressOption, rethrowSweepMismatch, sweepIdOption, sweepSubmittedLine } from './queue-option.ts';
import { UsageError } from './usage-error.ts';

/** Most worker threads of a local sweep. */
const sweepThreadsMax = 64;

/** The options that say what a sweep runs; a sweep file says it instead. */
const DEFINING_OPTIONS = ['scenario', 'vary', 'variant', 'seeds', 'first-seed', 'max-events'] as const;

/** Which option to name when a bound is passed. */
const OPTION_FOR: Record<SweepPart, string> = { scenarios: '--scenario', vary: '--vary', variants: '--variant', seeds: '--seeds' };

export const sweepCommand = defineCommand({
  name: 'sweep',
  summary: commandSummary('sweep'),
  positionals: '[sweep.yaml]',
  maxPositionals: 1,
  options: {
    scenario: { kind: 'repeatable', value: 'FILE|builtin:NAME|preset:NAME', help: `A scenario to run (repeat for several; default builtin:default); presets: ${PRESET_NAMES.join(', ')}` },
    vary: { kind: 'repeatable', value: 'KEY=V1,V2', help: 'A key and the values to try, as compare takes it; several run every combination' },
    variant: { kind: 'repeatable', value: 'NAME[:KEY=V,KEY=V]', help: 'A named variant: keys set together (repeat for several; each runs under every --vary combination)' },
    seeds: { kind: 'integer', min: 1, value: 'n', help: `Seeds per scenario and variant (default ${defaultSweepSeeds})` },
    'first-seed': { kind: 'integer', min: 0, value: 'n', help: `First seed (default ${defaultFirstSeed})` },
    'max-events': MAX_EVENTS_OPTION,
    jobs: { kind: 'integer', value: 'k', help: 'Worker threads of a local sweep (default: the core count)' },
    json: { kind: 'flag', help: 'Print every run\'s figures as JSON' },
    queue: { kind: 'string', value: 'redis://HOST:PORT[/DB]', help: 'Run the sweep as jobs on this Redis queue (opflex-twin worker runs them); prints the same as a local run' },
    sweep: { kind: 'text', value: 'id', help: 'With --queue: collect the results of this sweep, submitted before with the same arguments' },
  },
  async run({ positionals, options }, io) {
    const queue = queueAddressOption(options.queue, false);
    const sweepId = sweepIdOption(options.sweep, queue, 'sweep');
    const jobs = options.jobs ?? availableParallelism();
    if (jobs < 1 || jobs > sweepThreadsMax) throw new UsageError(`--jobs must be between 1 and ${sweepThreadsMax}, got ${jobs}`);
    if (queue && options.jobs !== undefined) throw new UsageError('--jobs is for a local sweep: with --queue, start as many workers as you like');

    const definition = positionals[0] !== undefined ? fileDefinition(positionals[0], options) : optionsDefinition(options);
    const scenarios = definition.scenarios.map((ref, i) => sweepScenario(ref, definition.baseDir, definition.scenarioPlaces?.[i]));
    const variants = plannedVariants(definition);
    const chunks = sweepChunks(scenarios.map((s) => s.endpoints), variants.length, definition.firstSeed, definition.seeds);
    const tasks: RangeTask[] = chunks.map((chunk) => {
      const { label, values, overrides } = variants[chunk.variant]!;
      return {
        scenario: chunk.scenario,
        range: { label, values, overrides, firstSeed: chunk.firstSeed, seeds: chunk.seeds, ...(definition.maxEvents !== undefined ? { maxEvents: definition.maxEvents } : {}) },
      };
    });

    let figures: CellFigures[][];
    if (queue) {
      const outcome = await runQueued(queue, scenarios, tasks, sweepId, io);
      if (outcome === undefined) return EXIT_FAILURE;
      figures = outcome;
    } else {
      const progress = io.stderr.isTTY ? new ProgressBar(io.stderr) : undefined;
      const outcomes = await runRangesLocally(scenarios.map((s) => s.text), tasks, jobs, progress && ((done, total) => progress.update(done / total, `${done}/${total} seed ranges`)));
      progress?.done();
      const failed = outcomes.flatMap((o, i) => ('error' in o ? [{ i, reason: o.error }] : []));
      for (const f of failed) io.stderr.write(`opflex-twin sweep: ${describeRange(scenarios, tasks[f.i]!)} failed: ${printable(f.reason.split('\n')[0]!)}\n`);
      if (failed.length > 0) return EXIT_FAILURE;
      figures = outcomes.map((o) => ('figures' in o ? o.figures : []));
    }

    const summary = summarise(definition, scenarios, variants, chunks, figures);
    if (options.json) io.stdout.write(JSON.stringify(sweepJson(summary), null, 2) + '\n');
    else io.stdout.write(renderSweep(summary, styleFor(io.stdout)));
    return 0;
  },
});

/** A seed range as failure lines name it: scenario, variant, seeds. */
function describeRange(scenarios: readonly SweepScenario[], task: RangeTask): string {
  const { firstSeed, seeds, label } = task.range;
  return `${printable(scenarios[task.scenario]!.source)}, ${printable(label) || 'as written'}, ${seeds === 1 ? `seed ${firstSeed}` : `seeds ${firstSeed}..${firstSeed + seeds - 1}`}`;
}

/** The ranges as queue jobs; their figures in range order, or undefined once each failed job has its line on stderr. */
async function runQueued(address: QueueAddress, scenarios: SweepScenario[], tasks: RangeTask[], sweepGiven: string | undefined, io: CommandIO): Promise<CellFigures[][] | undefined> {
  await assertQueueReachable(address);
  const progress = io.stderr.isTTY ? new ProgressBar(io.stderr, 0) : undefined;
  let outcome;
  try {
    outcome = await runQueuedSweep(address, scenarios.map((s) => s.text), tasks, sweepGiven ?? newSweepId(), {
      onSubmitted: sweepSubmittedLine('sweep', address, io),
      onProgress: (finished, count) => progress?.update(finished / count, `${finished}/${count} jobs`),
    });
  } catch (err) {
    rethrowSweepMismatch(err);
    throw err;
  } finally {
    progress?.done();
  }
  for (const f of outcome.failures) {
    io.stderr.write(`opflex-twin sweep: job ${f.index + 1} of ${tasks.length} (${describeRange(scenarios, tasks[f.index]!)}) failed: ${printable(f.reason.split('\n')[0]!)}\n`);
  }
  return outcome.failures.length > 0 ? undefined : outcome.results;
}

/** The options that say what a sweep runs, as the command reads them. */
interface SweepOptions {
  scenario: string[];
  vary: string[];
  variant: string[];
  seeds: number | undefined;
  'first-seed': number | undefined;
  'max-events': number | undefined;
}

function fileDefinition(path: string, options: SweepOptions): SweepDefinition {
  const given = DEFINING_OPTIONS.filter((name) => {
    const value = options[name];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  });
  if (given.length > 0) throw new UsageError(`give the sweep file or ${given.map((name) => `--${name}`).join(', ')}, not both: the file says what the sweep runs`);
  return loadSweepFile(path);
}

function optionsDefinition(options: SweepOptions): SweepDefinition {
  let vary;
  try {
    vary = options.vary.map(parseVary);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  const twice = vary.find((v, i) => vary.findIndex((w) => w.key === v.key) !== i);
  if (twice) throw new UsageError(`--vary ${twice.key} is given twice: list all its values in one --vary`);
  const variants = options.variant.map(namedVariant);
  const named = variants.find((v, i) => variants.findIndex((w) => w.name === v.name) !== i);
  if (named) throw new UsageError(`--variant ${named.name} is given twice`);
  const definition: SweepDefinition = {
    scenarios: options.scenario.length > 0 ? options.scenario : ['builtin:default'],
    baseDir: process.cwd(),
    vary,
    variants,
    seeds: options.seeds ?? defaultSweepSeeds,
    firstSeed: options['first-seed'] ?? defaultFirstSeed,
    ...(options['max-events'] !== undefined ? { maxEvents: options['max-events'] } : {}),
  };
  const problem = boundProblems(definition)[0];
  if (problem) throw new UsageError(`${OPTION_FOR[problem.part]}: ${problem.message}`);
  return definition;
}

/** `NAME[:KEY=VALUE,KEY=VALUE...]`: the keys `compare --vary` takes, one value each. */
function namedVariant(spec: string): NamedVariant {
  const colon = spec.indexOf(':');
  const name = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (name === '') throw new UsageError(`--variant takes NAME[:KEY=VALUE,...], got "${spec}"`);
  const pieces = colon < 0 ? [] : spec.slice(colon + 1).split(',').map((p) => p.trim()).filter((p) => p !== '');
  const sets = pieces.map((piece) => {
    let vary;
    try {
      vary = parseVary(piece);
    } catch (err) {
      throw new UsageError(`--variant ${name}: ${errorMessage(err).replace('--vary takes KEY=V1,V2[,...]', 'takes KEY=VALUE')}`);
    }
    return { key: vary.key, path: vary.path, text: vary.texts[0]!, value: vary.values[0] };
  });
  return { name, sets };
}

/** The figures in report order: per scenario, per variant, seeds ascending (the chunks are in that order). */
function summarise(definition: SweepDefinition, scenarios: SweepScenario[], variants: ReturnType<typeof plannedVariants>, chunks: ReturnType<typeof sweepChunks>, figures: CellFigures[][]): SweepSummary {
  const cells = scenarios.map(() => variants.map((): CellFigures[] => []));
  chunks.forEach((chunk, i) => cells[chunk.scenario]![chunk.variant]!.push(...figures[i]!));
  return {
    firstSeed: definition.firstSeed,
    seeds: definition.seeds,
    scenarios: scenarios.map((s, si) => ({
      name: s.name,
      source: s.source,
      simulateArgs: s.simulateArgs,
      rows: variants.map((v, vi) => variantRow({ label: v.label, values: v.values, sets: v.sets }, cells[si]![vi]!)),
    })),
  };
}
