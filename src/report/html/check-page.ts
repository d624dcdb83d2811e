/**
 * The data of `check --html`: the exploration's summary, a table of the seeds with a finding, and for
 * every distinct violation and the first example of each known hazard its shrunk reproduction drawn
 * as the single-run report of its replay (the run `simulate FILE` would draw), with its fault windows
 * and the trace around the finding. `check --replay FILE --html` gives that one run with its verdict.
 *
 * Everything here but `timing` (wall-clock figures) depends only on the inputs, whatever --jobs.
 */
import { describeFault, formatTraceEvent } from '../../check/check-report.ts';
import type { CheckedRun } from '../../check/checked-run.ts';
import type { ExploreSummary } from '../../check/explorer.ts';
import type { HazardExample } from '../../check/hazard-examples.ts';
import { KNOWN_HAZARDS } from '../../check/hazards.ts';
import { invariantSpec, type Violation } from '../../check/invariants.ts';
import { scenarioForSeed, type ScheduleOptions } from '../../check/schedule-generator.ts';
import type { TraceEvent } from '../../kernel/trace.ts';
import { FAULT_KIND_NAMES } from '../../scenario/fault-schema.ts';
import type { Scenario } from '../../scenario/types.ts';
import { simulate } from '../../simulation.ts';
import { FaultWindowRecorder, type FaultWindow } from '../fault-windows.ts';
import { RunReportBuilder } from '../run-report.ts';
import { runView, type RunView } from './report-page.ts';

/** Seeds with a finding the page's table lists (the lowest ones); the rest are counted. */
const findingSeedsPerPageMax = 5_000;
/** Trace events shown around one finding (the last ones before it); the rest are counted. */
const traceAroundEventsPerPageMax = 200;

interface FindingView {
  kind: 'violation' | 'hazard';
  name: string;
  statement: string;
  /** Where a known hazard's behaviour is documented. */
  source: string | null;
  subject: string;
  detail: string;
  tMs: number;
}

interface TraceLine {
  tMs: number;
  event: string;
  text: string;
}

/** One run drawn with what the checker saw in it. */
interface CheckedRunView {
  finding: FindingView | null;
  faults: string[];
  faultWindows: FaultWindow[];
  faultWindowsOmitted: number;
  traceAround: TraceLine[];
  traceAroundOmitted: number;
  run: RunView;
}

interface ReproductionView extends CheckedRunView {
  finding: FindingView;
  /** The lowest seed that showed it, how many seeds did, and the runs shrinking took. */
  seed: number;
  seeds: number;
  shrinkRuns: number;
}

interface FindingRow {
  seed: number;
  verdict: 'violation' | 'hazard';
  /** Broken invariants no hazard explains, then the hazards. */
  names: string[];
  faults: string[];
  settled: boolean;
}

export interface CheckPage {
  kind: 'check';
  title: string;
  summary: {
    scenario: string;
    seedsRun: number;
    firstSeed: number;
    faultKinds: string[];
    swarm: boolean;
    unsettled: number;
    faultsInjected: [string, number][];
    violations: { invariant: string; statement: string; seeds: number }[];
    hazards: { name: string; statement: string; source: string; seeds: number }[];
  };
  /** Wall-clock figures: the only part of the page that differs from one run to the next. */
  timing: { wallMs: number; seedsPerS: number };
  findings: FindingRow[];
  findingsOmitted: number;
  reproductions: ReproductionView[];
}

export interface CheckReplayPage {
  kind: 'check-replay';
  title: string;
  source: string;
  seed: number;
  settled: boolean;
  violations: FindingView[];
  hazards: { name: string; node: string; invariants: string[] }[];
  view: CheckedRunView;
}

function violationFinding(v: Violation): FindingView {
  return { kind: 'violation', name: v.invariant, statement: invariantSpec(v.invariant)?.statement ?? '', source: null, subject: v.subject, detail: v.detail, tMs: v.tMs };
}

function hazardFinding(name: string, first: Violation): FindingView {
  const spec = KNOWN_HAZARDS.find((h) => h.name === name);
  return { kind: 'hazard', name, statement: spec?.statement ?? '', source: spec?.source ?? null, subject: first.subject, detail: `${first.invariant}: ${first.detail}`, tMs: first.tMs };
}

/** The run `simulate` draws of this scenario, with its fault windows and the trace around the finding. */
function checkedRunView(scenario: Scenario, finding: FindingView | null, around: readonly TraceEvent[]): CheckedRunView {
  const builder = new RunReportBuilder();
  const windows = new FaultWindowRecorder();
  simulate(scenario, {
    onTraceEvent: (e) => {
      builder.onEvent(e);
      windows.onEvent(e);
    },
  });
  const run = runView(builder.finish());
  const shown = around.slice(-traceAroundEventsPerPageMax);
  return {
    finding,
    faults: (scenario.faultSchedule ?? []).map(describeFault),
    faultWindows: windows.finish(run.durationMs),
    faultWindowsOmitted: windows.omitted,
    traceAround: shown.map((e) => ({ tMs: e.tMs, event: e.event, text: formatTraceEvent(e) })),
    traceAroundOmitted: around.length - shown.length,
    run,
  };
}

interface CheckPageInput {
  title: string;
  base: Scenario;
  schedule: ScheduleOptions;
  summary: ExploreSummary;
  hazards: readonly HazardExample[];
}

export function checkPage({ title, base, schedule, summary: s, hazards }: CheckPageInput): CheckPage {
  const withFinding = s.outcomes.filter((o) => o.violations.length > 0 || o.hazards.length > 0);
  const listed = withFinding.slice(0, findingSeedsPerPageMax);
  const reproductions: ReproductionView[] = [
    ...s.reproductions.map((r) => ({
      ...checkedRunView(r.scenario, violationFinding(r.violation), r.traceAround),
      finding: violationFinding(r.violation),
      seed: r.seed,
      seeds: r.seedsFailing,
      shrinkRuns: r.shrinkRuns,
    })),
    ...hazards.map((h) => ({
      ...checkedRunView(h.scenario, hazardFinding(h.hazard, h.first), h.traceAround),
      finding: hazardFinding(h.hazard, h.first),
      seed: h.seed,
      seeds: h.seeds,
      shrinkRuns: h.shrinkRuns,
    })),
  ];
  return {
    kind: 'check',
    title,
    summary: {
      scenario: base.name,
      seedsRun: s.seedsRun,
      firstSeed: s.firstSeed,
      faultKinds: [...schedule.kinds],
      swarm: schedule.swarm,
      unsettled: s.unsettled,
      faultsInjected: FAULT_KIND_NAMES.filter((k) => s.faultsInjected[k]).map((k) => [k, s.faultsInjected[k]!]),
      violations: Object.entries(s.violationsByInvariant).map(([invariant, seeds]) => ({ invariant, statement: invariantSpec(invariant)?.statement ?? '', seeds })),
      hazards: Object.entries(s.hazardsByName).map(([name, seeds]) => {
        const spec = KNOWN_HAZARDS.find((h) => h.name === name);
        return { name, statement: spec?.statement ?? '', source: spec?.source ?? '', seeds };
      }),
    },
    timing: { wallMs: s.wallMs, seedsPerS: s.seedsPerS },
    findings: listed.map((o) => ({
      seed: o.seed,
      verdict: o.violations.length > 0 ? 'violation' : 'hazard',
      names: [...new Set([...o.violations.map((v) => v.invariant), ...o.hazards.map((h) => h.hazard)])],
      faults: (scenarioForSeed(base, o.seed, schedule).faultSchedule ?? []).map(describeFault),
      settled: o.settled,
    })),
    findingsOmitted: withFinding.length - listed.length,
    reproductions,
  };
}

/** `check --replay FILE --html`: that run with its verdict. */
export function checkReplayPage(source: string, scenario: Scenario, run: CheckedRun, around: readonly TraceEvent[]): CheckReplayPage {
  const first = run.violations[0] ? violationFinding(run.violations[0]) : run.hazards[0] ? hazardFinding(run.hazards[0].hazard, run.hazards[0].first) : null;
  return {
    kind: 'check-replay',
    title: `opflex-twin check --replay ${source}`,
    source,
    seed: run.seed,
    settled: run.settled,
    violations: run.violations.map(violationFinding),
    hazards: run.hazards.map((h) => ({ name: h.hazard, node: h.node, invariants: h.invariants })),
    view: checkedRunView(scenario, first, around),
  };
}
