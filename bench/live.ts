/**
 * Live load: an emulator process, a load process beside it on loopback. policy_resolve replies per
 * second at realistic reply sizes (bench/realistic-policy.json) and for the preset's first EPG,
 * 8 sessions x 32 in flight, with MiB/s and p50/p99 latency; with OPFLEX_SERVER_BIN set, the
 * reference opflex_server serves the same file to the same client in the same run. Then sessions
 * held with keepalive and a storm of full agents that bootstrap through the anycast proxy and all
 * reset at once. Reports the emulator's RSS as the kernel sees it (/proc/<pid>/status).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePolicyFile } from '../src/scenario/policy-file.ts';
import { REALISTIC_POLICY_FILE, replySizes } from './realistic-policy.ts';
import type { FloodFigures } from '../src/live/load-client.ts';
import { SuiteFailure, type BenchOptions, type BenchRow, type BenchSuite } from './suite.ts';

const CLI = fileURLToPath(new URL('../bin/opflex-twin.mjs', import.meta.url));
const PORT = 18_009;
const LEAF_BASE = '127.0.0.151';
const ANYCAST = `127.0.0.35:${PORT}`;
/** Where the reference opflex_server listens (it binds every address; the port is its --server_port). */
const REFERENCE_PORT = 18_019;
/** Flood shape the targets are stated for. */
const FLOOD_SESSIONS = 8;
const FLOOD_IN_FLIGHT = 32;
const REALISTIC_TARGET_PER_S = 100_000;
const SMALL_TARGET_PER_S = 250_000;
const P99_TARGET_MS = 5;

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function canConnect(host: string, port: number): boolean {
  const probe = spawnSync(process.execPath, ['-e', `require('net').connect(${port}, '${host}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`]);
  return probe.status === 0;
}

async function waitListening(child: ChildProcess, host: string, port: number, what: string, stderr: () => string): Promise<void> {
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const deadline = Date.now() + 120_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    if (spawnError) throw new Error(`${what} could not start: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited: ${stderr().trim().split('\n').slice(-3).join(' / ')}`);
    if (canConnect(host, port)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start listening on ${host}:${port} in 120 s`);
  }
}

async function startEmulator(args: string[], log: BenchOptions['log']): Promise<ChildProcess> {
  // Objects are served at once (leafServe=0) and fetched from APIC at once (apicFetch=0): the warm-up
  // then fills every leaf's cache and the measurement is of serving.
  const child = spawn(process.execPath, [CLI, 'emulate', '--set', 'leafServe=0', '--set', 'apicFetch=0', '--port', String(PORT), '--leaf-base', LEAF_BASE, '--anycast', ANYCAST, '--control', '127.0.0.1:0', '--json', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await waitListening(child, LEAF_BASE, PORT, 'emulator', () => stderr);
  log(`live: emulator pid ${child.pid} listening (${args.join(' ')})`);
  return child;
}

async function startReference(bin: string, policyFile: string, log: BenchOptions['log']): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'opflex-ref-'));
  const child = spawn(bin, ['--policy', policyFile, '--server_port', String(REFERENCE_PORT), '--disable-prometheus', '--level', 'error', '--gbp_sock', join(dir, 'inspect.sock'), '--log', join(dir, 'server.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const stop = async () => {
    await stopProcess(child, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitListening(child, '127.0.0.1', REFERENCE_PORT, `reference server ${bin}`, () => stderr || (readLog(join(dir, 'server.log'))));
  } catch (err) {
    await stop();
    throw err;
  }
  log(`live: reference opflex_server pid ${child.pid} listening on port ${REFERENCE_PORT}`);
  return { child, stop };
}

/** Ends a server process and waits for it to be gone, so the next one can bind its addresses. */
async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await gone;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** What the load client prints for a resolve flood (its JSON line). */
type Flood = FloodFigures;

function load(args: string[], timeoutMs: number): Record<string, number> {
  const child = spawnSync(process.execPath, [CLI, 'load', ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`load ${args.join(' ')} failed: ${(child.stderr || child.error?.message || '').trim()}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

function flood(serverPid: number, leafArgs: string[], quick: boolean, extra: string[] = []): Flood {
  const args = ['--server-pid', String(serverPid), '--preset', 'M', '--mode', 'resolve', '--sessions', String(FLOOD_SESSIONS), '--in-flight', String(FLOOD_IN_FLIGHT), '--seconds', quick ? '2' : '10', ...leafArgs, ...extra];
  return load(args, 120_000) as unknown as Flood;
}

function floodFields(test: string, f: Flood, rss: number | null): BenchRow['fields'] {
  return {
    test,
    count: f.replies,
    rate: f.repliesPerS,
    mibPerS: f.replyBytesPerS,
    replyBytes: f.replies + f.errors > 0 ? f.replyBytes / (f.replies + f.errors) : null,
    p50: f.latencyP50Ms,
    p99: f.latencyP99Ms,
    cpuPerReply: f.serverCpuUsPerReply ?? null,
    emulatorRss: rss,
    loadAverage: os.loadavg()[0]!,
  };
}

function verdict(f: Flood, targetPerS: number): string {
  const rate = f.repliesPerS >= targetPerS ? `>= ${targetPerS.toLocaleString('en-US')}/s met` : `>= ${targetPerS.toLocaleString('en-US')}/s MISSED`;
  const p99 = f.latencyP99Ms < P99_TARGET_MS ? `p99 < ${P99_TARGET_MS} ms met` : `p99 < ${P99_TARGET_MS} ms MISSED`;
  return `${f.errors} errors; ${rate}, ${p99}`;
}

const leaves = [0, 1, 2, 3].map((i) => `--leaf=127.0.0.${151 + i}:${PORT}`);

export const liveSuite: BenchSuite = {
  name: 'live',
  description: 'Emulator over loopback: policy_resolve replies per second (realistic and small replies, reference server beside), sessions held, reset storm',
  columns: [
    { key: 'test', header: 'test' },
    { key: 'count', header: 'count' },
    { key: 'rate', header: 'rate', unit: '/s', digits: 0 },
    { key: 'mibPerS', header: 'bytes', unit: 'MiB/s', scale: 1 / 1048576, digits: 1 },
    { key: 'replyBytes', header: 'reply', unit: 'B', digits: 0 },
    { key: 'p50', header: 'p50', unit: 'ms', digits: 2 },
    { key: 'p99', header: 'p99', unit: 'ms', digits: 2 },
    { key: 'cpuPerReply', header: 'server CPU', unit: 'us/reply', digits: 2 },
    { key: 'seconds', header: 'time', unit: 's', digits: 2 },
    { key: 'emulatorRss', header: 'emulator RSS', unit: 'MiB', scale: 1 / 1048576 },
    { key: 'loadAverage', header: 'load avg', digits: 1 },
  ],
  async run(options) {
    const rows: BenchRow[] = [];
    try {
      const sizes = replySizes(parsePolicyFile(readFileSync(REALISTIC_POLICY_FILE, 'utf8'), REALISTIC_POLICY_FILE));
      const sizeNote = `${sizes.objects} objects resolved in turn, replies mean ${sizes.meanBytes} B, p50 ${sizes.p50Bytes} B, p99 ${sizes.p99Bytes} B`;
      const policyArgs = ['--policy', REALISTIC_POLICY_FILE];

      options.log('live: realistic replies (bench/realistic-policy.json)');
      let realistic: Flood;
      const fileEmulator = await startEmulator(['--preset', 'M', ...policyArgs], options.log);
      try {
        realistic = flood(fileEmulator.pid!, leaves, options.quick, policyArgs);
        rows.push({ fields: floodFields('policy_resolve, realistic replies (8 x 32)', realistic, rssOf(fileEmulator.pid!).rss), note: `${verdict(realistic, REALISTIC_TARGET_PER_S)}; ${sizeNote}` });
      } finally {
        await stopProcess(fileEmulator);
      }
      const referenceBin = process.env.OPFLEX_SERVER_BIN;
      if (referenceBin) {
        options.log(`live: the reference server ${referenceBin} on the same file`);
        const reference = await startReference(referenceBin, REALISTIC_POLICY_FILE, options.log);
        try {
          const ref = flood(reference.child.pid!, [`--leaf=127.0.0.1:${REFERENCE_PORT}`], options.quick, policyArgs);
          const ratio = ref.repliesPerS > 0 ? realistic.repliesPerS / ref.repliesPerS : NaN;
          rows.push({
            fields: floodFields('  reference opflex_server, same file', ref, null),
            note: `${ref.errors} errors; emulator / reference: ${ratio.toFixed(2)}x (target 2x)`,
          });
        } finally {
          await reference.stop();
        }
      }

      const emulator = await startEmulator(['--preset', 'M'], options.log);
      try {
        options.log("live: small replies (the preset's first EPG)");
        const small = flood(emulator.pid!, leaves, options.quick);
        rows.push({ fields: floodFields("policy_resolve, preset M's first EPG (8 x 32)", small, rssOf(emulator.pid!).rss), note: verdict(small, SMALL_TARGET_PER_S) });
        const sessions = options.quick ? 1000 : 10_000;
        const stormAgents = options.quick ? 50 : 1000;
        options.log(`live: holding ${sessions} sessions`);
        const held = load(['--preset', 'M', '--mode', 'hold', '--sessions', String(sessions), '--seconds', options.quick ? '2' : '20', ...leaves], 300_000);
        rows.push({
          fields: { test: 'sessions held with keepalive', count: held.held!, seconds: held.openMs! / 1000, emulatorRss: rssOf(emulator.pid!).rss },
          note: `${held.failed} failed; ${held.held! >= 10_000 ? '>= 10,000 target met' : options.quick ? 'quick run' : '>= 10,000 target MISSED'}`,
        });
        options.log(`live: reset storm with ${stormAgents} agents`);
        const storm = load(['--preset', 'M', '--mode', 'storm', '--anycast', ANYCAST, '--agents', String(stormAgents)], 900_000);
        rows.push({ fields: { test: 'agents bootstrap through anycast', count: storm.agents!, seconds: storm.bootstrapMs! / 1000, emulatorRss: rssOf(emulator.pid!).rss } });
        rows.push({
          fields: { test: 'all agents reset at once: settled', count: storm.agents!, seconds: storm.stormMs! / 1000, emulatorRss: rssOf(emulator.pid!).peak },
          note: 'RSS column: emulator peak',
        });
      } finally {
        await stopProcess(emulator);
      }
    } catch (err) {
      throw new SuiteFailure(err, rows);
    }
    return rows;
  },
};
