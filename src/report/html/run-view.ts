/**
 * One run as a report page carries it. Large plans keep every move's figures and milestones but the
 * message exchange of only the slowest moves, so a page of 1,000 moves stays a few megabytes.
 */
import type { ReportMigration, RunReport } from '../run-report.ts';
import { switchoverExchange } from '../switchover-exchange.ts';

/** Past this many moves a run is shown as a plan (CDFs, table of moves) with one move's detail at a time. */
export const detailedMovesMax = 8;
/** Moves of a large plan whose message exchange the page carries: the slowest ones. */
export const pageExchangesMax = 12;

export interface RunView extends Omit<RunReport, 'migrations'> {
  migrations: (Omit<ReportMigration, 'exchange'> & { participants: string[] | null; exchange: ReportMigration['exchange'] | null })[];
}

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
