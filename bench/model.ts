/**
 * Whole-model benchmark: each fabric-scale preset simulated in its own process (scenario load, the
 * steady start, the plan's migrations and evacuations; M also from a cold start, its bootstrap
 * simulated). Reports events per second of wall time and peak RSS; the sizes side by side show how
 * memory grows with pods. Node runs with its default heap limit, as `npx opflex-twin` does.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchRow, BenchSuite } from './suite.ts';

const CHILD = fileURLToPath(new URL('./model-child.ts', import.meta.url));

interface ChildResult {
  preset: string;
  start: 'cold' | 'steady';
  nodes: number;
  pods: number;
  leafPairs: number;
  hypervisors: number;
  migrations: number;
  converged: number;
  events: number;
  loadMs: number;
  simulateMs: number;
  /** Of simulateMs, building the starting state. */
  startMs: number;
  peakRssBytes: number;
}

function runPreset(name: string, start: 'cold' | 'steady', timeoutMs: number): ChildResult | { error: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, name, start], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 20 });
  if (child.error) return { error: child.error.message };
  if (child.status !== 0) return { error: (child.stderr || `exit ${child.status}`).trim().split('\n').slice(-1)[0]! };
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildResult;
}

export const modelSuite: BenchSuite = {
  name: 'model',
  description: 'Whole model per preset: load, start, plan; events/s and peak RSS (each preset in its own process)',
  columns: [
    { key: 'preset', header: 'preset' },
    { key: 'start', header: 'start' },
    { key: 'leafPairs', header: 'leaf pairs' },
    { key: 'nodes', header: 'nodes' },
    { key: 'pods', header: 'pods' },
    { key: 'migrations', header: 'moves' },
    { key: 'events', header: 'events' },
    { key: 'startS', header: 'start time', unit: 's', digits: 1 },
    { key: 'wallS', header: 'wall', unit: 's', digits: 1 },
    { key: 'eventsPerS', header: 'rate', unit: 'M events/s', scale: 1e-6, digits: 2 },
    { key: 'planEventsPerS', header: 'plan rate', unit: 'M events/s', scale: 1e-6, digits: 2 },
    { key: 'peakRssBytes', header: 'peak RSS', unit: 'MiB', scale: 1 / 1048576 },
    { key: 'bytesPerPod', header: 'RSS per pod', unit: 'KiB', scale: 1 / 1024, digits: 1 },
    { key: 'bytesPerAddedPod', header: 'RSS per added pod', unit: 'KiB', scale: 1 / 1024, digits: 1 },
  ],
  async run(options) {
    const runs: [string, 'cold' | 'steady'][] = options.quick
      ? [['S', 'steady']]
      : [['S', 'steady'], ['M', 'steady'], ['M', 'cold'], ['L', 'steady'], ['XL', 'steady']];
    const rows: BenchRow[] = [];
    // Memory is linear in pods when each step up in size costs the same per added pod.
    let previous: { pods: number; rss: number } | undefined;
    for (const [name, start] of runs) {
      options.log(`model: preset ${name}, ${start} start`);
      const r = runPreset(name, start, 30 * 60_000);
      if ('error' in r) {
        rows.push({ fields: { preset: name, start }, note: `failed: ${r.error}` });
        continue;
      }
      const wallS = (r.loadMs + r.simulateMs) / 1000;
      const eventsPerS = r.events / (r.simulateMs / 1000);
      const notes: string[] = [`${r.converged}/${r.migrations} converged`];
      if (name === 'L') notes.push(eventsPerS >= 1e6 ? '>= 1M events/s target met' : '>= 1M events/s target MISSED');
      if (name === 'XL') notes.push(wallS < 60 && r.peakRssBytes < 4 * 1024 ** 3 ? '< 60 s and < 4 GB target met' : '< 60 s / < 4 GB target MISSED');
      const bytesPerAddedPod = start === 'steady' && previous && r.pods > previous.pods ? (r.peakRssBytes - previous.rss) / (r.pods - previous.pods) : undefined;
      if (start === 'steady') previous = { pods: r.pods, rss: r.peakRssBytes };
      rows.push({
        fields: {
          preset: name, start, leafPairs: r.leafPairs, nodes: r.nodes, pods: r.pods, migrations: r.migrations, events: r.events,
          startS: r.startMs / 1000, wallS, eventsPerS, planEventsPerS: r.events / ((r.simulateMs - r.startMs) / 1000),
          peakRssBytes: r.peakRssBytes, bytesPerPod: r.peakRssBytes / r.pods,
          ...(bytesPerAddedPod !== undefined ? { bytesPerAddedPod } : {}),
        },
        note: notes.join('; '),
      });
    }
    return rows;
  },
};
