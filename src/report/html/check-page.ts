/**
 * The data of `check --html`: the exploration's summary, the seeds with a finding, and each finding's
 * reproduction as its replayed run (src/check/check-page-builder.ts builds it by replaying).
 */
import type { FaultWindow } from '../fault-windows.ts';
import type { RunView } from './run-view.ts';

export interface FindingView {
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
export interface CheckedRunView {
  finding: FindingView | null;
  faults: string[];
  faultWindows: FaultWindow[];
  faultWindowsOmitted: number;
  traceAround: TraceLine[];
  traceAroundOmitted: number;
  run: RunView;
}

export interface ReproductionView extends CheckedRunView {
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
