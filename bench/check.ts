/**
 * Fault exploration throughput: seeds of the default scenario, each with a schedule drawn from every
 * fault kind in swarm mode, run to quiescence and checked, with one worker thread and with as many
 * as the machine has cores. Reports seeds/s, the faults injected and what was found; shrinking is
 * left out (it runs only for what was found, once per broken invariant).
 */
import { availableParallelism } from 'node:os';
import { explore } from '../src/check/explorer.ts';
import { FAULT_KIND_NAMES } from '../src/scenario/fault-schema.ts';
import { loadBuiltinScenario } from '../src/scenario/builtin-scenarios.ts';
import type { BenchRow, BenchSuite } from './suite.ts';

export const checkSuite: BenchSuite = {
  name: 'check',
  description: 'opflex-twin check: seeds/s of the default scenario with --faults all --swarm (1,000 seeds; 50 with --quick)',
  columns: [
    { key: 'jobs', header: 'jobs' },
    { key: 'seeds', header: 'seeds' },
    { key: 'wallMs', header: 'wall', unit: 's', scale: 1 / 1000, digits: 1 },
    { key: 'seedsPerS', header: 'throughput', unit: 'seeds/s', digits: 1 },
    { key: 'faults', header: 'faults injected' },
    { key: 'hazardSeeds', header: 'seeds with a known hazard' },
    { key: 'violationSeeds', header: 'seeds with a violation' },
  ],
  async run({ quick, log }) {
    const base = loadBuiltinScenario();
    const seeds = quick ? 50 : 1000;
    const rows: BenchRow[] = [];
    for (const jobs of [...new Set([1, availableParallelism()])]) {
      log(`check: ${seeds} seeds with ${jobs} job${jobs > 1 ? 's' : ''}`);
      const s = await explore({ base, seeds, jobs, kinds: FAULT_KIND_NAMES, swarm: true, shrink: false });
      const sum = (record: Record<string, number | undefined>) => Object.values(record).reduce<number>((a, b) => a + (b ?? 0), 0);
      rows.push({
        fields: {
          jobs,
          seeds: s.seedsRun,
          wallMs: s.wallMs,
          seedsPerS: s.seedsPerS,
          faults: sum(s.faultsInjected),
          hazardSeeds: s.outcomes.filter((o) => o.hazards.length > 0).length,
          violationSeeds: s.outcomes.filter((o) => o.violations.length > 0).length,
        },
        note: seeds >= 1000 ? (s.wallMs < 60_000 ? 'under 60 s' : 'over 60 s') : 'smoke run',
      });
    }
    return rows;
  },
};
