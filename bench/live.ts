/**
 * Live load: one emulator process, a load process beside it on loopback. Sessions held with
 * keepalive, policy_resolve replies per second (8 sessions x 32 in flight), and a storm of full
 * agents that bootstrap through the anycast proxy and then all reset at once. Reports the
 * emulator's RSS as the kernel sees it (/proc/<pid>/status).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, BenchRow, BenchSuite } from './suite.ts';

const CLI = fileURLToPath(new URL('../bin/opflex-twin.mjs', import.meta.url));
const PORT = 18_009;
const LEAF_BASE = '127.0.0.151';
const ANYCAST = `127.0.0.35:${PORT}`;

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function startEmulator(args: string[], log: BenchOptions['log']): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'emulate', '--set', 'leafServe=0', '--port', String(PORT), '--leaf-base', LEAF_BASE, '--anycast', ANYCAST, '--control', '127.0.0.1:18080', '--json', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // The leaves are bound once the control API answers; poll its port range cheaply via the process being alive.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`emulator exited: ${stderr.trim()}`);
    const probe = spawnSync(process.execPath, ['-e', `require('net').connect(${PORT}, '${LEAF_BASE}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`]);
    if (probe.status === 0) break;
    if (Date.now() > deadline) throw new Error('emulator did not start listening in 120 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`live: emulator pid ${child.pid} listening`);
  return child;
}

function load(args: string[], timeoutMs: number): Record<string, number> {
  const child = spawnSync(process.execPath, [CLI, 'load', ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`load ${args.join(' ')} failed: ${(child.stderr || child.error?.message || '').trim()}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

const leaves = [0, 1, 2, 3].map((i) => `--leaf=127.0.0.${151 + i}:${PORT}`);

export const liveSuite: BenchSuite = {
  name: 'live',
  description: 'Emulator over loopback: sessions held, policy_resolve replies per second, reset storm',
  columns: [
    { key: 'test', header: 'test' },
    { key: 'count', header: 'count' },
    { key: 'rate', header: 'rate', unit: '/s' },
    { key: 'seconds', header: 'time', unit: 's', digits: 2 },
    { key: 'emulatorRss', header: 'emulator RSS', unit: 'MiB', scale: 1 / 1048576 },
  ],
  async run(options) {
    const rows: BenchRow[] = [];
    const sessions = options.quick ? 1000 : 10_000;
    const stormAgents = options.quick ? 50 : 1000;
    const emulator = await startEmulator(['--preset', 'M'], options.log);
    try {
      options.log(`live: holding ${sessions} sessions`);
      const held = load(['--preset', 'M', '--mode', 'hold', '--sessions', String(sessions), '--seconds', options.quick ? '2' : '20', ...leaves], 300_000);
      rows.push({
        fields: { test: 'sessions held with keepalive', count: held.held!, seconds: held.openMs! / 1000, emulatorRss: rssOf(emulator.pid!).rss },
        note: `${held.failed} failed; ${held.held! >= 10_000 ? '>= 10,000 target met' : options.quick ? 'quick run' : '>= 10,000 target MISSED'}`,
      });
      options.log('live: policy_resolve flood');
      const flood = load(['--preset', 'M', '--mode', 'resolve', '--sessions', '8', '--in-flight', '32', '--seconds', options.quick ? '2' : '10', ...leaves], 120_000);
      rows.push({
        fields: { test: 'policy_resolve replies (8 x 32 in flight)', count: flood.replies!, rate: flood.repliesPerS!, emulatorRss: rssOf(emulator.pid!).rss },
        note: `${flood.errors} errors; ${flood.repliesPerS! >= 100_000 ? '>= 100,000/s target met' : '>= 100,000/s target MISSED'} (reference C++ server: about 50,000/s)`,
      });
      options.log(`live: reset storm with ${stormAgents} agents`);
      const storm = load(['--preset', 'M', '--mode', 'storm', '--anycast', ANYCAST, '--agents', String(stormAgents)], 900_000);
      rows.push({ fields: { test: 'agents bootstrap through anycast', count: storm.agents!, seconds: storm.bootstrapMs! / 1000, emulatorRss: rssOf(emulator.pid!).rss } });
      rows.push({
        fields: { test: 'all agents reset at once: settled', count: storm.agents!, seconds: storm.stormMs! / 1000, emulatorRss: rssOf(emulator.pid!).peak },
        note: 'RSS column: emulator peak',
      });
    } finally {
      emulator.kill('SIGTERM');
    }
    return rows;
  },
};
