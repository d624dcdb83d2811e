/**
 * The measured effect of a risk in words: how each move of a run ends (converges how fast, or not),
 * side by side for the two runs that differ only by the setting or fault, or in aggregate for a
 * large plan.
 */
import { percentiles } from '../report/plan-summary.ts';
import { seconds } from '../report/terminal-report.ts';
import type { MigrationSummary, SimulationResult } from '../simulation-result.ts';

/** Moves described one by one up to this many; beyond, in aggregate. */
const describedMovesMax = 8;

/** How one move ended, as the end of a sentence ("converges 1.2 s after the switch-over ..."). */
function outcome(m: MigrationSummary): string {
  if (!m.converged) {
    const down = m.flows.some((f) => f.downAtEnd);
    return `does not converge before the end of the run${down ? ' and its pods lose traffic until then' : ''}`;
  }
  return `converges ${seconds(m.switchoverToConvergedMs!, 1)} after the switch-over (longest outage ${seconds(m.outageMs, 1)})`;
}

/** The same moves in two runs, each labelled ("with the setting off", "with it on"). */
export function describeRuns(a: SimulationResult, b: SimulationResult, aLabel: string, bLabel: string): string {
  if (a.migrations.length > describedMovesMax) return `${aLabel}, ${aggregate(a.migrations)}; ${bLabel}, ${aggregate(b.migrations)}`;
  return a.migrations
    .map((m, i) => {
      const other = b.migrations[i]!;
      return `${m.node} (${m.from} -> ${m.to}): ${aLabel} it ${outcome(m)}; ${bLabel} it ${outcome(other)}`;
    })
    .join('. ');
}

/** Moves of one run: each one's outcome, or their aggregate past `describedMovesMax`. */
export function describeMoves(moves: readonly MigrationSummary[]): string {
  return moves.length > describedMovesMax ? aggregate(moves) : moves.map((m) => `${m.node} ${outcome(m)}`).join('; ');
}

/** Moves' outcome in a sentence: how many converge, how fast, the longest outage. */
function aggregate(moves: readonly MigrationSummary[]): string {
  const converged = moves.filter((m) => m.converged);
  const stuck = moves.filter((m) => !m.converged).map((m) => m.node);
  const speed = converged.length > 0 ? percentiles(converged.map((m) => m.switchoverToConvergedMs!)) : undefined;
  return (
    `${converged.length} of ${moves.length} moves converge` +
    (speed ? ` (switch-over to converged p50 ${seconds(speed.p50, 1)}, p95 ${seconds(speed.p95, 1)})` : '') +
    (stuck.length > 0 ? `; ${stuck.length} do not (${listed(stuck)})` : '') +
    `, longest outage ${seconds(Math.max(0, ...moves.map((m) => m.outageMs)), 1)}`
  );
}

/** Names in a sentence: all of them up to `max`, then "and N more". */
export function listed(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
