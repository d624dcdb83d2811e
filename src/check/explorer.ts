/**
 * Fault exploration over many seeds: each seed's schedule is drawn, run and checked, here, in worker
 * threads when `jobs` > 1, or wherever a given outcome source runs them (a job queue); outcomes are
 * gathered by seed, so the summary is the same whatever the source and job count. For every invariant
 * found broken, the lowest failing seed is shrunk to its smallest reproduction and re-run with its
 * trace, to show the events around the violation.
 */
import { Stopwatch } from '../report/stopwatch.ts';
import type { Worker } from 'node:worker_threads';
import { startModuleThread } from '../module-thread.ts';
import type { TraceEvent } from '../kernel/trace.ts';
import type { FaultKind, Scenario } from '../scenario/types.ts';
import type { Twin } from '../twin.ts';
import { runChecked } from './checked-run.ts';
import { invariantSpec, type Violation } from './invariants.ts';
import { scenarioForSeed, type ScheduleOptions } from './schedule-generator.ts';
import { runSeed, type SeedOutcome } from './seed-outcome.ts';
import { shrink } from './shrink.ts';
import { isFaultKind } from '../scenario/fault-schema.ts';

/**
 * Where the seeds' outcomes come from: this thread, worker threads, or a job queue. It returns one
 * outcome per seed asked for, in any order; everything after it is the same for every source.
 */
export type SeedOutcomeSource = (seeds: readonly number[], schedule: ScheduleOptions, onProgress?: (done: number, total: number) => void) => Promise<SeedOutcome[]>;

interface ExploreOptions extends ScheduleOptions {
  base: Scenario;
  seeds: number;
  /** First seed (default 1): seeds run are firstSeed .. firstSeed + seeds - 1. */
  firstSeed?: number;
  /** Worker threads of the local source (ignored when `source` is given). */
  jobs: number;
  /** Where the seeds run (default: here, or in `jobs` worker threads). */
  source?: SeedOutcomeSource;
  /** Shrink one reproduction per broken invariant (default true). */
  shrink?: boolean;
  /** Runs in this thread with the twin handed to it before each start (tests plant defects so). */
  prepare?: (twin: Twin) => void;
  onProgress?: (done: number, total: number) => void;
}

interface Reproduction {
  invariant: string;
  statement: string;
  /** The lowest failing seed, and how many seeds failed this invariant. */
  seed: number;
  seedsFailing: number;
  violation: Violation;
  scenario: Scenario;
  shrinkRuns: number;
  /** Trace lines around the violation in the shrunk run. */
  traceAround: TraceEvent[];
}

export interface ExploreSummary {
  seedsRun: number;
  firstSeed: number;
  faultsInjected: Partial<Record<FaultKind, number>>;
  violationsByInvariant: Record<string, number>;
  hazardsByName: Record<string, number>;
  /** Seeds whose run could not judge liveness (it did not settle). */
  unsettled: number;
  wallMs: number;
  seedsPerS: number;
  reproductions: Reproduction[];
  outcomes: SeedOutcome[];
}

/** Events shown around a violation. */
const traceAroundEventsMax = 16;

export async function explore(o: ExploreOptions): Promise<ExploreSummary> {
  const stopwatch = new Stopwatch();
  const firstSeed = o.firstSeed ?? 1;
  const seeds = Array.from({ length: o.seeds }, (_, i) => firstSeed + i);
  const schedule: ScheduleOptions = { kinds: o.kinds, swarm: o.swarm };
  const source = o.source ?? localSeedSource(o.base, o.jobs, o.prepare);
  const outcomes = await source(seeds, schedule, o.onProgress);
  outcomes.sort((a, b) => a.seed - b.seed);
  const wallMs = stopwatch.elapsedMs;

  const faultsInjected: Partial<Record<FaultKind, number>> = {};
  const violationsByInvariant: Record<string, number> = {};
  const hazardsByName: Record<string, number> = {};
  const firstFailing = new Map<string, { outcome: SeedOutcome; violation: Violation }>();
  let unsettled = 0;
  for (const out of outcomes) {
    for (const [kind, n] of Object.entries(out.faultsInjected)) if (isFaultKind(kind)) faultsInjected[kind] = (faultsInjected[kind] ?? 0) + n;
    for (const name of new Set(out.violations.map((v) => v.invariant))) {
      violationsByInvariant[name] = (violationsByInvariant[name] ?? 0) + 1;
      if (!firstFailing.has(name)) firstFailing.set(name, { outcome: out, violation: out.violations.find((v) => v.invariant === name)! });
    }
    for (const name of new Set(out.hazards.map((h) => h.hazard))) hazardsByName[name] = (hazardsByName[name] ?? 0) + 1;
    if (!out.settled) unsettled++;
  }
  const reproductions: Reproduction[] = [];
  for (const [name, { outcome, violation }] of [...firstFailing].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const failing = scenarioForSeed(o.base, outcome.seed, schedule);
    const shrunk = o.shrink === false ? { scenario: failing, runs: 0 } : shrink(failing, name, o.prepare ? { prepare: o.prepare } : {});
    const rerun = runChecked(shrunk.scenario, { recordTrace: true, ...(o.prepare ? { prepare: o.prepare } : {}) });
    const seen = rerun.violations.find((v) => v.invariant === name) ?? violation;
    reproductions.push({
      invariant: name,
      statement: invariantSpec(name)?.statement ?? '',
      seed: outcome.seed,
      seedsFailing: violationsByInvariant[name]!,
      violation: seen,
      scenario: shrunk.scenario,
      shrinkRuns: shrunk.runs,
      traceAround: traceAround(rerun.trace ?? [], seen),
    });
  }
  return {
    seedsRun: outcomes.length,
    firstSeed,
    faultsInjected,
    violationsByInvariant,
    hazardsByName,
    unsettled,
    wallMs,
    seedsPerS: outcomes.length / (wallMs / 1000),
    reproductions,
    outcomes,
  };
}

/**
 * What led to a violation: every fault's start and end, every move's start and resume, and the last
 * `traceAroundEventsMax` other events before it that can break its invariant or name its subject.
 */
export function traceAround(trace: readonly TraceEvent[], v: Violation): TraceEvent[] {
  const spec = invariantSpec(v.invariant);
  const mentions = (e: TraceEvent): boolean => e.actor.includes(v.subject) || Object.values(e.data).some((x) => x === v.subject);
  const frame = (e: TraceEvent): boolean => e.event === 'fault-start' || e.event === 'fault-end' || e.event === 'migration-start' || e.event === 'resume';
  const before = trace.filter((e) => e.tMs <= v.tMs);
  const near = new Set(before.filter((e) => !frame(e) && (e.actor === 'fault' || (spec?.brokenBy.includes(e.event) ?? false) || mentions(e))).slice(-traceAroundEventsMax));
  return before.filter((e) => frame(e) || near.has(e));
}

/** The seeds run on this machine: in `jobs` worker threads, or here with one job or a `prepare` hook (which cannot cross to a thread). */
export function localSeedSource(base: Scenario, jobs: number, prepare?: (twin: Twin) => void): SeedOutcomeSource {
  return async (seeds, schedule, onProgress) => (jobs > 1 && !prepare ? runInWorkers(base, seeds, schedule, jobs, onProgress) : runHere(base, seeds, schedule, prepare, onProgress));
}

function runHere(base: Scenario, seeds: readonly number[], schedule: ScheduleOptions, prepare?: (twin: Twin) => void, onProgress?: (done: number, total: number) => void): SeedOutcome[] {
  const out: SeedOutcome[] = [];
  for (const seed of seeds) {
    out.push(runSeed(base, seed, schedule, prepare));
    onProgress?.(out.length, seeds.length);
  }
  return out;
}

/** A worker thread running seed-worker.ts (seed-worker.js once compiled). */
function startSeedWorker(workerData: { base: Scenario; schedule: ScheduleOptions }): Worker {
  return startModuleThread(new URL('./seed-worker.ts', import.meta.url), { workerData });
}

function runInWorkers(base: Scenario, seeds: readonly number[], schedule: ScheduleOptions, jobs: number, onProgress?: (done: number, total: number) => void): Promise<SeedOutcome[]> {
  return new Promise((resolve, reject) => {
    const outcomes: SeedOutcome[] = [];
    let next = 0;
    let live = 0;
    let failed = false;
    const workers: Worker[] = [];
    const feed = (w: Worker): void => {
      if (next < seeds.length) w.postMessage({ seed: seeds[next++] });
      else {
        w.postMessage({ stop: true });
        if (--live === 0 && !failed) resolve(outcomes);
      }
    };
    for (let i = 0; i < Math.min(jobs, seeds.length); i++) {
      const w = startSeedWorker({ base, schedule });
      workers.push(w);
      live++;
      w.on('message', (outcome: SeedOutcome) => {
        outcomes.push(outcome);
        onProgress?.(outcomes.length, seeds.length);
        feed(w);
      });
      w.on('error', (err) => {
        failed = true;
        for (const other of workers) void other.terminate();
        reject(err);
      });
      w.on('online', () => feed(w));
    }
    if (live === 0) resolve(outcomes);
  });
}
