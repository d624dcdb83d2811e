import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { renderReplay, renderSummary, renderTiming } from '../check/check-report.ts';
import { runChecked } from '../check/checked-run.ts';
import { explore, traceAround, type ExploreSummary } from '../check/explorer.ts';
import { hazardExamples } from '../check/hazard-examples.ts';
import { scenarioYaml } from '../check/scenario-document.ts';
import { FAULT_KIND_NAMES, isFaultKind } from '../scenario/fault-schema.ts';
import { loadScenarioFile } from '../scenario/loader.ts';
import { PRESET_NAMES } from '../scenario/presets.ts';
import type { FaultKind } from '../scenario/types.ts';
import { scenarioWithOverrides } from '../scenario/variants.ts';
import { defineCommand, EXIT_FAILURE } from './command.ts';
import { queueAddressOption, rethrowSweepMismatch, sweepIdOption, sweepSubmittedLine } from './queue-option.ts';
import { assertQueueReachable } from '../distributed/queue-url.ts';
import { CheckJobsFailedError, queuedSeedSource } from '../distributed/queued-check.ts';
import { newSweepId } from '../distributed/sweep-submitter.ts';
import { scheduleKindsMax } from '../distributed/sweep-jobs.ts';
import { UsageError } from './usage-error.ts';
import { checkPage, checkReplayPage } from '../check/check-page-builder.ts';
import { ProgressBar } from './progress-bar.ts';
import { scenarioTextFor } from './scenario-argument.ts';
import { writePage } from './show.ts';
import { commandSummary } from './command-index.ts';

/** Most seeds one check may run. */
const checkSeedsMax = 10_000_000;
/** Most worker threads. */
const checkJobsMax = 64;

function faultKinds(value: string): FaultKind[] {
  if (value === 'all') return [...FAULT_KIND_NAMES];
  const words = value.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const kinds: FaultKind[] = [];
  const unknown: string[] = [];
  for (const word of words) {
    if (isFaultKind(word)) kinds.push(word);
    else unknown.push(word);
  }
  if (unknown.length > 0 || kinds.length === 0) throw new UsageError(`--faults: unknown fault kind ${unknown.map((k) => `"${k}"`).join(', ') || '(empty)'} (known: all, ${FAULT_KIND_NAMES.join(', ')})`);
  return kinds;
}

export const checkCommand = defineCommand({
  name: 'check',
  summary: commandSummary('check'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    preset: { kind: 'string', value: 'name', help: `Use a fabric-scale preset: ${PRESET_NAMES.join(', ')}` },
    builtin: { kind: 'string', value: 'name', help: 'Use a built-in scenario by name', default: 'default' },
    seeds: { kind: 'integer', value: 'n', help: 'How many seeds to run', default: '100' },
    'first-seed': { kind: 'integer', value: 'n', help: 'First seed', default: '1' },
    faults: { kind: 'string', value: 'list', help: 'Fault kinds to draw from, comma-separated, or all', default: 'all' },
    swarm: { kind: 'flag', help: 'Each seed also draws which fault kinds are enabled at all (swarm testing)' },
    jobs: { kind: 'integer', value: 'k', help: 'Worker threads (default: the core count)' },
    json: { kind: 'flag', help: 'Print the summary as JSON' },
    strict: { kind: 'flag', help: 'Known hazards fail the check too' },
    out: { kind: 'string', value: 'dir', help: 'Directory the shrunk reproductions are written to', default: 'check-reproductions' },
    replay: { kind: 'string', value: 'file', help: 'Re-check one scenario file (a shrunk reproduction) instead of exploring' },
    html: { kind: 'string', value: 'file', help: 'Also write an HTML report: the summary, the seeds with a finding, and each reproduction drawn as its run' },
    queue: { kind: 'string', value: 'redis://HOST:PORT[/DB]', help: 'Run the seeds as jobs on this Redis queue (opflex-twin worker runs them); prints the same as a local run' },
    sweep: { kind: 'text', value: 'id', help: 'With --queue: collect the outcomes of this check, submitted before with the same arguments' },
  },
  async run({ positionals, options }, io) {
    const { replay, html: htmlPath, strict, json } = options;
    const queue = queueAddressOption(options.queue, false);
    const sweepId = sweepIdOption(options.sweep, queue, 'check');
    if (queue && replay !== undefined) throw new UsageError('--replay runs one scenario here: give it without --queue');
    if (queue && options.jobs !== undefined) throw new UsageError('--jobs sets worker threads of a local check: give it without --queue (each worker takes one job at a time)');
    if (replay !== undefined) {
      if (positionals.length > 0 || options.preset !== undefined) throw new UsageError('--replay takes the scenario file itself: give no other scenario');
      const scenario = loadScenarioFile(replay);
      const run = runChecked(scenario, { recordTrace: true });
      // The trace around the first violation, or around what the first known hazard explains.
      const first = run.violations[0] ?? run.hazards[0]?.first;
      const around = first ? traceAround(run.trace ?? [], first) : [];
      if (htmlPath !== undefined) await writePage(checkReplayPage(replay, scenario, run, around), htmlPath);
      if (json) io.stdout.write(JSON.stringify({ source: replay, ...run, trace: undefined, traceAround: around }, null, 2) + '\n');
      else io.stdout.write(renderReplay(replay, run, around));
      return run.violations.length > 0 || (strict && run.hazards.length > 0) ? 1 : 0;
    }
    const { seeds, 'first-seed': firstSeed } = options;
    if (seeds < 1 || seeds > checkSeedsMax) throw new UsageError(`--seeds must be between 1 and ${checkSeedsMax}, got ${seeds}`);
    if (firstSeed < 0) throw new UsageError(`--first-seed must be 0 or more, got ${firstSeed}`);
    if (firstSeed > Number.MAX_SAFE_INTEGER - (seeds - 1)) throw new UsageError(`--first-seed ${firstSeed} with --seeds ${seeds} goes past the last seed, ${Number.MAX_SAFE_INTEGER}`);
    const jobs = options.jobs ?? availableParallelism();
    if (jobs < 1 || jobs > checkJobsMax) throw new UsageError(`--jobs must be between 1 and ${checkJobsMax}, got ${jobs}`);
    const kinds = faultKinds(options.faults);
    if (queue && kinds.length > scheduleKindsMax) throw new UsageError(`--faults: at most ${scheduleKindsMax} kinds with --queue, got ${kinds.length}`);
    const baseText = scenarioTextFor(positionals[0], options.builtin, options.preset);
    const base = scenarioWithOverrides(baseText, []);
    if (queue) await assertQueueReachable(queue);
    const progress = io.stderr.isTTY && !json ? new ProgressBar(io.stderr, 0) : undefined;
    let summary: ExploreSummary | undefined;
    let failedJobs: CheckJobsFailedError | undefined;
    try {
      summary = await explore({
        base, seeds, firstSeed, jobs, kinds, swarm: options.swarm,
        ...(queue ? { source: queuedSeedSource(queue, baseText, sweepId ?? newSweepId(), sweepSubmittedLine('check', queue, io, ` of seeds ${firstSeed}..${firstSeed + seeds - 1}`)) } : {}),
        ...(progress ? { onProgress: (done: number, total: number) => progress.update(done / total, `${done}/${total} seeds`) } : {}),
      });
    } catch (err) {
      rethrowSweepMismatch(err);
      if (!(err instanceof CheckJobsFailedError)) throw err;
      failedJobs = err;
    } finally {
      progress?.done();
    }
    if (!summary || failedJobs) {
      for (const line of failedJobs?.lines() ?? []) io.stderr.write(`opflex-twin check: ${line}\n`);
      return EXIT_FAILURE;
    }
    const written = new Map<string, string>();
    if (summary.reproductions.length > 0) {
      const dir = options.out;
      mkdirSync(dir, { recursive: true });
      for (const r of summary.reproductions) {
        const file = join(dir, `${r.invariant}-seed-${r.seed}.yaml`);
        writeFileSync(file, scenarioYaml(r.scenario, [`Shrunk reproduction of ${r.invariant} (${r.statement}), from seed ${r.seed} of ${base.source}.`, `Re-check: opflex-twin check --replay ${file}`]));
        written.set(r.invariant, file);
      }
    }
    if (json) {
      const { outcomes: _outcomes, ...rest } = summary;
      const doc = { ...rest, reproductions: summary.reproductions.map((r) => ({ ...r, scenario: undefined, file: written.get(r.invariant) })) };
      io.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    } else {
      io.stdout.write(renderSummary(summary, written));
      io.stderr.write(`opflex-twin check: ${renderTiming(summary)}\n`);
    }
    if (htmlPath !== undefined) {
      const schedule = { kinds, swarm: options.swarm };
      const title = `opflex-twin check: ${base.name}, seeds ${summary.firstSeed}..${summary.firstSeed + summary.seedsRun - 1}`;
      await writePage(checkPage({ title, base, schedule, summary, hazards: hazardExamples(base, summary.outcomes, schedule) }), htmlPath);
    }
    const unexplained = summary.reproductions.length > 0;
    const hazards = Object.keys(summary.hazardsByName).length > 0;
    return unexplained || (strict && hazards) ? 1 : 0;
  },
});
