/** The same plan and seed under several values of some keys: outage and convergence side by side. */
import type { SimulationResult } from '../simulation-result.ts';
import { seconds, type Style } from './terminal-report.ts';

type Migration = SimulationResult['migrations'][number];

/** A move to another ACI pod is told by its pod-changed milestone; other moves by their leaf pairs. */
function moveKind(m: Migration): string {
  if (m.milestones.some((s) => s.name === 'pod-changed')) return 'cross-pod';
  return m.crossLeafPair ? 'cross-pair' : 'same pair';
}

/** How the agent came back: its resets (by what), and a multipod configuration reload. */
function agentRestarts(m: Migration): string[] {
  return m.milestones.flatMap((s) => (s.name === 'agent-reset' ? [(s.detail ?? '').replace(/^by /, '')] : s.name === 'agent-reload' ? ['config-reload'] : []));
}

export interface VariantResult {
  label: string;
  values: Record<string, string>;
  result: SimulationResult;
}

export function comparisonJson(scenario: string, seed: number, keys: string[], variants: VariantResult[]): unknown {
  return {
    scenario,
    seed,
    vary: keys,
    variants: variants.map((v) => ({
      values: v.values,
      migrations: v.result.migrations.map((m) => ({
        index: m.index,
        node: m.node,
        crossLeafPair: m.crossLeafPair,
        crossPod: moveKind(m) === 'cross-pod',
        converged: m.converged,
        switchoverToConvergedMs: m.switchoverToConvergedMs,
        outageMs: m.outageMs,
        resets: agentRestarts(m),
        resetsSuppressed: m.milestones.filter((s) => s.name === 'agent-reset-suppressed').length,
        downloaded: m.downloadedObjects.length,
      })),
    })),
  };
}

export function renderComparison(scenario: string, seed: number, keys: string[], variants: VariantResult[], style: Style): string {
  const out: string[] = [style.bold(`opflex-twin compare: ${scenario}, seed ${seed}, varying ${keys.join(', ')}`), ''];
  const rows: string[][] = [['variant', 'migration', 'converged after switch-over', 'longest outage', 'agent resets', 'downloads']];
  for (const v of variants) {
    for (const m of v.result.migrations) {
      const resets = agentRestarts(m);
      const suppressed = m.milestones.filter((s) => s.name === 'agent-reset-suppressed').length;
      rows.push([
        v.label,
        `${m.index + 1} ${m.node} ${moveKind(m)}`,
        m.converged ? seconds(m.switchoverToConvergedMs!) : 'not converged',
        seconds(m.outageMs) + (m.flows.some((f) => f.downAtEnd) ? ' (still down)' : ''),
        (resets.join(' + ') || 'none') + (suppressed ? `, ${suppressed} suppressed` : ''),
        String(m.downloadedObjects.length),
      ]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  rows.forEach((r, i) => {
    const line = r.map((c, j) => c.padEnd(widths[j]!)).join('  ').trimEnd();
    out.push(i === 0 ? style.dim(line) : line);
  });
  return out.join('\n') + '\n';
}
