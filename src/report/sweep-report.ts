/** A sweep as a person reads it (a table per scenario) and as JSON (every run's figures). */
import { printable } from '../printable.ts';
import { bestCriterion, bestRows, type SweepSummary, type VariantRow } from './sweep-summary.ts';
import { seconds, type Style } from './terminal-report.ts';

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** The command that replays a row's worst seed. */
export function rerunCommand(simulateArgs: readonly string[], row: VariantRow): string {
  const quote = (arg: string): string => (/^[\w./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  const args = [...simulateArgs, '--seed', String(row.worstSeed), ...row.variant.sets.flatMap((s) => ['--set', s])];
  return printable(['opflex-twin simulate', ...args.map(quote)].join(' '));
}

export function renderSweep(summary: SweepSummary, style: Style): string {
  const variants = summary.scenarios[0]?.rows.length ?? 0;
  const last = summary.firstSeed + summary.seeds - 1;
  const runs = summary.scenarios.length * variants * summary.seeds;
  const out: string[] = [
    style.bold(`opflex-twin sweep: ${plural(summary.scenarios.length, 'scenario')} x ${plural(variants, 'variant')} x ${plural(summary.seeds, 'seed')} (${summary.firstSeed}..${last}), ${plural(runs, 'run')}`),
    style.dim('Each row sums its seeds; the outage percentiles are over every move of every seed.'),
  ];
  for (const scenario of summary.scenarios) {
    out.push('', style.bold(`${printable(scenario.name)} (${printable(scenario.source)})`));
    const table: string[][] = [['variant', 'moves', 'converged', 'outage p50', 'outage p95', 'longest outage', 'downloaded', 'agent resets', 'worst seed']];
    for (const row of scenario.rows) {
      table.push([
        printable(row.variant.label) || '(as written)',
        String(row.moves),
        String(row.converged),
        seconds(row.outageMs.p50),
        seconds(row.outageMs.p95),
        seconds(row.outageMs.max),
        String(row.downloaded),
        String(row.resets),
        String(row.worstSeed),
      ]);
    }
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    table.forEach((r, i) => {
      const line = r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ').trimEnd();
      out.push(i === 0 ? style.dim(line) : line);
    });
    const best = bestRows(scenario.rows);
    const label = (row: VariantRow): string => printable(row.variant.label) || '(as written)';
    if (best.length === 1) out.push(`best: ${label(best[0]!)} (${bestCriterion})`);
    else if (best.length === scenario.rows.length) out.push(`best: none, every variant ties (${bestCriterion})`);
    else out.push(`best: ${best.map(label).join(', ')} tie (${bestCriterion})`);
    out.push(`${best.length === 1 ? 'its' : `${label(best[0]!)}'s`} worst seed: ${rerunCommand(scenario.simulateArgs, best[0]!)}`);
  }
  return out.join('\n') + '\n';
}

export function sweepJson(summary: SweepSummary): unknown {
  return {
    firstSeed: summary.firstSeed,
    seeds: summary.seeds,
    bestCriterion,
    scenarios: summary.scenarios.map((s) => ({
      name: s.name,
      source: s.source,
      best: bestRows(s.rows).map((r) => r.variant.label),
      variants: s.rows.map((r) => ({
        label: r.variant.label,
        values: r.variant.values,
        sets: r.variant.sets,
        moves: r.moves,
        converged: r.converged,
        outageMs: r.outageMs,
        downloaded: r.downloaded,
        resets: r.resets,
        worstSeed: r.worstSeed,
        rerun: rerunCommand(s.simulateArgs, r),
        runs: r.cells.map((c) => ({
          seed: c.seed,
          moves: c.moves,
          converged: c.converged,
          outageMs: c.outageMs,
          downloaded: c.downloaded,
          resets: c.resets,
        })),
      })),
    })),
  };
}
