/**
 * The data an HTML report page carries: one run (simulate, show), the variants of a comparison, the
 * findings of `advise` with the runs that measured them, or what `check` found (check-page.ts). Large
 * plans keep every move's figures and milestones but the message exchange of only the slowest moves,
 * so a page of 1,000 moves stays a few megabytes.
 */
import { DROP_REASONS } from '../../fabric/data-plane.ts';
import type { Risk } from '../advice.ts';
import type { CheckPage, CheckReplayPage } from './check-page.ts';
import { MILESTONE_TEXT } from '../terminal-report.ts';
import type { ReportMigration, RunReport } from '../run-report.ts';
import { switchoverExchange } from '../switchover-exchange.ts';

/** Past this many moves a run is shown as a plan (CDFs, table of moves) with one move's detail at a time. */
export const detailedMovesMax = 8;
/** Moves of a large plan whose message exchange the page carries: the slowest ones. */
const pageExchangesMax = 12;

export interface RunView extends Omit<RunReport, 'migrations'> {
  migrations: (Omit<ReportMigration, 'exchange'> & { participants: string[] | null; exchange: ReportMigration['exchange'] | null })[];
}

export type ReportPage =
  | { kind: 'run'; title: string; run: RunView }
  | { kind: 'compare'; title: string; keys: string[]; variants: { label: string; run: RunView }[] }
  | { kind: 'advise'; title: string; clean: RunView | null; findings: { risk: Risk; runs: { label: string; run: RunView }[] }[] }
  | CheckPage
  | CheckReplayPage;

/** Texts the page needs: what each milestone and drop reason means. */
export const PAGE_TEXTS = { milestones: MILESTONE_TEXT, dropReasons: DROP_REASONS };

/** Slowest first: not converged, then by switch-over to converged, then by outage. */
export function slowestFirst(a: ReportMigration, b: ReportMigration): number {
  const rank = (m: ReportMigration) => (m.converged ? (m.switchoverToConvergedMs ?? 0) : Infinity);
  return rank(b) - rank(a) || b.outageMs - a.outageMs || a.index - b.index;
}

export function runView(report: RunReport): RunView {
  const keep = new Set<ReportMigration>(
    report.migrations.length <= detailedMovesMax ? report.migrations : [...report.migrations].sort(slowestFirst).slice(0, pageExchangesMax),
  );
  return {
    ...report,
    migrations: report.migrations.map((m) => {
      const exchange = keep.has(m) ? switchoverExchange(m) : undefined;
      return { ...m, participants: exchange?.participants ?? null, exchange: exchange?.messages ?? null };
    }),
  };
}
