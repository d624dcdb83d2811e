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

/** What compare shows of one migration: small and plain JSON, so a queued run can carry it back. */
export interface ComparedMigration {
  index: number;
  node: string;
  crossLeafPair: boolean;
  crossPod: boolean;
  converged: boolean;
  switchoverToConvergedMs: number | null;
  outageMs: number;
  stillDown: boolean;
  resets: string[];
  resetsSuppressed: number;
  downloaded: number;
}

export function comparedMigrations(result: SimulationResult): ComparedMigration[] {
  return result.migrations.map((m) => ({
    index: m.index,
    node: m.node,
    crossLeafPair: m.crossLeafPair,
    crossPod: moveKind(m) === 'cross-pod',
    converged: m.converged,
    switchoverToConvergedMs: m.switchoverToConvergedMs,
    outageMs: m.outageMs,
    stillDown: m.flows.some((f) => f.downAtEnd),
    resets: agentRestarts(m),
    resetsSuppressed: m.milestones.filter((s) => s.name === 'agent-reset-suppressed').length,
    downloaded: m.downloadedObjects.length,
  }));
}

export interface VariantResult {
  label: string;
  values: Record<string, string>;
  migrations: ComparedMigration[];
}

export function comparisonJson(scenario: string, seed: number, keys: string[], variants: VariantResult[]): unknown {
  return {
    scenario,
    seed,
    vary: keys,
    variants: variants.map((v) => ({
      values: v.values,
      migrations: v.migrations.map((m) => ({
        index: m.index,
        node: m.node,
        crossLeafPair: m.crossLeafPair,
        crossPod: m.crossPod,
        converged: m.converged,
        switchoverToConvergedMs: m.switchoverToConvergedMs,
        outageMs: m.outageMs,
        resets: m.resets,
        resetsSuppressed: m.resetsSuppressed,
        downloaded: m.downloaded,
      })),
    })),
  };
}

export function renderComparison(scenario: string, seed: number, keys: string[], variants: VariantResult[], style: Style): string {
  const out: string[] = [style.bold(`opflex-twin compare: ${scenario}, seed ${seed}, varying ${keys.join(', ')}`), ''];
  const rows: string[][] = [['variant', 'migration', 'converged after switch-over', 'longest outage', 'agent resets', 'downloads']];
  for (const v of variants) {
    for (const m of v.migrations) {
      const kind = m.crossPod ? 'cross-pod' : m.crossLeafPair ? 'cross-pair' : 'same pair';
      rows.push([
        v.label,
        `${m.index + 1} ${m.node} ${kind}`,
        m.converged ? seconds(m.switchoverToConvergedMs!) : 'not converged',
        seconds(m.outageMs) + (m.stillDown ? ' (still down)' : ''),
        (m.resets.join(' + ') || 'none') + (m.resetsSuppressed ? `, ${m.resetsSuppressed} suppressed` : ''),
        String(m.downloaded),
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
