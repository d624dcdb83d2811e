/**
 * Whole-model benchmark: each fabric-scale preset simulated in its own process (scenario load,
 * bootstrap of every agent, the plan's migrations and evacuations). Reports events per second of
 * wall time and peak RSS; two sizes side by side show how memory grows with pods.
 */
import { spawnSync } from 'node:child_process';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchRow, BenchSuite } from './suite.ts';

const CHILD = fileURLToPath(new URL('./model-child.ts', import.meta.url));

interface ChildResult {
  preset: string;
  nodes: number;
  pods: number;
  leafPairs: number;
  hypervisors: number;
  migrations: number;
  converged: number;
  events: number;
  loadMs: number;
  simulateMs: number;
  peakRssBytes: number;
}

function runPreset(name: string, timeoutMs: number): ChildResult | { error: string } {
  // Node's default heap limit (about 4 GB) is below what the largest presets need today; peak RSS is reported either way.
  const heapMb = Math.floor((totalmem() * 0.75) / 1048576);
  const child = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', CHILD, name], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 20 });
  if (child.error) return { error: child.error.message };
  if (child.status !== 0) return { error: (child.stderr || `exit ${child.status}`).trim().split('\n').slice(-1)[0]! };
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildResult;
}

export const modelSuite: BenchSuite = {
  name: 'model',
  description: 'Whole model per preset: load, bootstrap, plan; events/s and peak RSS (each preset in its own process)',
  columns: [
    { key: 'preset', header: 'preset' },
    { key: 'leafPairs', header: 'leaf pairs' },
    { key: 'nodes', header: 'nodes' },
    { key: 'pods', header: 'pods' },
    { key: 'migrations', header: 'moves' },
    { key: 'events', header: 'events' },
    { key: 'wallS', header: 'wall', unit: 's', digits: 1 },
    { key: 'eventsPerS', header: 'rate', unit: 'M events/s', scale: 1e-6, digits: 2 },
    { key: 'peakRssBytes', header: 'peak RSS', unit: 'MiB', scale: 1 / 1048576 },
    { key: 'bytesPerPod', header: 'RSS per pod', unit: 'KiB', scale: 1 / 1024, digits: 1 },
  ],
  async run(options) {
    const presets = options.quick ? ['S'] : process.argv.includes('--xl') ? ['S', 'M', 'L', 'XL'] : ['S', 'M', 'L'];
    const rows: BenchRow[] = [];
    for (const name of presets) {
      options.log(`model: preset ${name}`);
      const r = runPreset(name, 30 * 60_000);
      if ('error' in r) {
        rows.push({ fields: { preset: name }, note: `failed: ${r.error}` });
        continue;
      }
      const wallS = (r.loadMs + r.simulateMs) / 1000;
      const notes: string[] = [`${r.converged}/${r.migrations} converged`];
      if (name === 'L') notes.push(r.events / (r.simulateMs / 1000) >= 1e6 ? '>= 1M events/s target met' : '>= 1M events/s target MISSED');
      if (name === 'XL') notes.push(wallS < 60 && r.peakRssBytes < 4 * 1024 ** 3 ? '< 60 s and < 4 GB target met' : '< 60 s / < 4 GB target MISSED');
      rows.push({
        fields: {
          preset: name, leafPairs: r.leafPairs, nodes: r.nodes, pods: r.pods, migrations: r.migrations, events: r.events,
          wallS, eventsPerS: r.events / (r.simulateMs / 1000), peakRssBytes: r.peakRssBytes, bytesPerPod: r.peakRssBytes / r.pods,
        },
        note: notes.join('; '),
      });
    }
    if (!presets.includes('XL')) rows.push({ fields: { preset: 'XL' }, note: 'not run by default (1M pods): npm run bench -- --only model --xl' });
    return rows;
  },
};
