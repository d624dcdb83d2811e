/**
 * Suite "kernel": the classic HOLD model on the simulation's event queue.
 *
 * Pre-fill N pending events at times drawn from Exp(1), then repeatedly pop the minimum and push one
 * new event at (popped time + Exp(1)), so the queue stays at N. The timed quantity is pops per
 * second with the push included. The same model runs three ways, each in its own process so peak RSS
 * and JIT state belong to that row alone:
 *   - C++ std::priority_queue of (time, seq) pairs (bench/native/hold.cpp, `g++ -O2` at bench time),
 *   - our EventQueue driven through popAndRun with a pre-bound callback,
 *   - our VirtualScheduler (after + runUntil), to show what the scheduler adds on top of the queue.
 * Both sides draw increments from the same xorshift32 stream in the same order (through the same
 * table of Exp(1) quantiles), so the workloads are the same event for event; the `clock` field (JSON
 * only) is the last popped time on each side, and a row says so if they differ.
 *
 * A second workload, "model mix", draws the increments from the model's own schedule offsets
 * instead (1024 quantiles recorded from preset M into bench/kernel-model-delays.txt by
 * bench/kernel-record-delays.ts: network latencies under a millisecond, keepalive at 15 s, 100 ms
 * and 630 s timers, a tail of long ones), run by the native heap and the EventQueue.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EventQueue } from '../src/kernel/event-queue.ts';
import { VirtualScheduler } from '../src/kernel/virtual-scheduler.ts';
import type { BenchOptions, BenchRow, BenchSuite } from './suite.ts';

const run = promisify(execFile);
const THIS_FILE = fileURLToPath(import.meta.url);
const NATIVE_SOURCE = join(dirname(THIS_FILE), 'native', 'hold.cpp');
const MODEL_DELAYS = join(dirname(THIS_FILE), 'kernel-model-delays.txt');
const WORKER_FLAG = '--kernel-worker';
const SEED = 0x2545f491;

/** Targets from bench/README.md. */
const TARGET_RATE_100K = 3_000_000;
const TARGET_NATIVE_RATIO = 0.7;

type Impl = 'queue' | 'scheduler';
/** Where the increments come from: Exp(1) quantiles, or the model's recorded schedule offsets. */
type Workload = 'exp' | 'model';

interface HoldParams {
  impl: Impl;
  workload: Workload;
  pending: number;
  ops: number;
  runs: number;
  warmup: number;
  seed: number;
}

interface HoldResult {
  pending: number;
  ops: number;
  runs: number;
  bestNs: number;
  eventsPerSec: number;
  nsPerEvent: number;
  /** Pops per second of CPU time (best run): on a loaded machine, the rate while the run had a core. */
  cpuEventsPerSec: number;
  peakRssBytes: number;
  clock: number;
}

interface Plan {
  sizes: { workload: Workload; pending: number; ops: number }[];
  runs: number;
  warmup: number;
}

function plan(quick: boolean): Plan {
  if (quick) {
    return {
      sizes: [
        { workload: 'exp', pending: 1_000, ops: 300_000 },
        { workload: 'exp', pending: 100_000, ops: 300_000 },
        { workload: 'model', pending: 100_000, ops: 300_000 },
      ],
      runs: 1,
      warmup: 100_000,
    };
  }
  return {
    sizes: [
      { workload: 'exp', pending: 1_000, ops: 5_000_000 },
      { workload: 'exp', pending: 100_000, ops: 5_000_000 },
      { workload: 'exp', pending: 1_000_000, ops: 3_000_000 },
      { workload: 'model', pending: 1_000, ops: 5_000_000 },
      { workload: 'model', pending: 100_000, ops: 5_000_000 },
      { workload: 'model', pending: 1_000_000, ops: 3_000_000 },
    ],
    runs: 3,
    warmup: 1_000_000,
  };
}

/**
 * Exp(1) increments: the 1024 quantiles -ln(1 - (k + 0.5) / 1024), picked by the top 10 bits of a
 * xorshift32 draw; bit-for-bit the same as bench/native/hold.cpp. The table keeps the logarithm out
 * of the timed loop (V8's Math.log costs about three times glibc's), so the rows compare queues.
 */
const TABLE_BITS = 10;
const EXP_INCREMENTS = new Float64Array(1 << TABLE_BITS);
for (let k = 0; k < EXP_INCREMENTS.length; k++) EXP_INCREMENTS[k] = -Math.log(1 - (k + 0.5) / EXP_INCREMENTS.length);

/** The model's 1024 recorded offsets; lines starting with '#' are comments (as hold.cpp reads them). */
function modelIncrements(): Float64Array {
  const values: number[] = [];
  readFileSync(MODEL_DELAYS, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line === '' || line.startsWith('#')) return;
      const value = Number(line);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${MODEL_DELAYS}:${i + 1}: not a non-negative number: ${line.slice(0, 40)}`);
      values.push(value);
    });
  if (values.length !== 1 << TABLE_BITS) throw new Error(`${MODEL_DELAYS}: ${values.length} numbers, expected ${1 << TABLE_BITS}`);
  return Float64Array.from(values);
}

function incrementsFor(workload: Workload): Float64Array {
  return workload === 'model' ? modelIncrements() : EXP_INCREMENTS;
}

class XorShift32 {
  private s: number;

  constructor(
    seed: number,
    private readonly increments: Float64Array,
  ) {
    this.s = seed | 0 || 1;
  }

  /** The next increment: the table entry picked by the top bits of the next draw. */
  exp(): number {
    let s = this.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.s = s;
    return this.increments[s >>> (32 - TABLE_BITS)]!;
  }
}

interface HoldModel {
  run(count: number): void;
  readonly clock: number;
}

/** HOLD on the bare EventQueue: popAndRun sets the clock, the pre-bound callback pushes the next. */
class QueueHold implements HoldModel {
  private readonly queue = new EventQueue();
  private readonly rng: XorShift32;
  private now = 0;
  private readonly onTime = (time: number): void => {
    this.now = time;
  };
  private readonly fire = (): void => {
    this.queue.push(this.now + this.rng.exp(), this.fire);
  };

  constructor(pending: number, seed: number, increments: Float64Array) {
    this.rng = new XorShift32(seed, increments);
    for (let i = 0; i < pending; i++) this.queue.push(this.rng.exp(), this.fire);
  }

  run(count: number): void {
    const queue = this.queue;
    const onTime = this.onTime;
    for (let i = 0; i < count; i++) queue.popAndRun(onTime);
  }

  get clock(): number {
    return this.now;
  }
}

/** HOLD through the VirtualScheduler: `after` from inside the callback, `runUntil` as the loop. */
class SchedulerHold implements HoldModel {
  private readonly scheduler = new VirtualScheduler();
  private readonly rng: XorShift32;
  private readonly fire = (): void => {
    this.scheduler.after(this.rng.exp(), this.fire);
  };

  constructor(pending: number, seed: number, increments: Float64Array) {
    this.rng = new XorShift32(seed, increments);
    for (let i = 0; i < pending; i++) this.scheduler.after(this.rng.exp(), this.fire);
  }

  run(count: number): void {
    this.scheduler.runUntil(Infinity, count);
  }

  get clock(): number {
    return this.scheduler.now();
  }
}

/**
 * Linux VmHWM of this process image. Not process.resourceUsage().maxRSS: ru_maxrss survives execve,
 * so a spawned worker would report its parent's RSS.
 */
function highWaterRss(): number | undefined {
  try {
    const m = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs in the worker process: warm up, then the best of `runs` timed runs. */
function measureHold(p: HoldParams): HoldResult {
  let peakRss = process.memoryUsage().rss;
  const increments = incrementsFor(p.workload);
  const model: HoldModel = p.impl === 'queue' ? new QueueHold(p.pending, p.seed, increments) : new SchedulerHold(p.pending, p.seed, increments);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  model.run(p.warmup);
  let bestMs = Infinity;
  let bestCpuUs = Infinity;
  for (let r = 0; r < p.runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    model.run(p.ops);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    if (ms < bestMs) bestMs = ms;
    bestCpuUs = Math.min(bestCpuUs, cpu.user + cpu.system);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  // The kernel's high-water mark catches growth peaks between the samples above.
  peakRss = Math.max(peakRss, highWaterRss() ?? 0);
  const bestNs = bestMs * 1e6;
  return {
    pending: p.pending,
    ops: p.ops,
    runs: p.runs,
    bestNs,
    eventsPerSec: p.ops / (bestNs * 1e-9),
    nsPerEvent: bestNs / p.ops,
    cpuEventsPerSec: p.ops / (bestCpuUs * 1e-6),
    peakRssBytes: peakRss,
    clock: model.clock,
  };
}

/** Node flags for the worker: the parent's (so the tsx loader comes along), minus debugger ports. */
function workerExecArgv(): string[] {
  const argv = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  const hasTsx = argv.some((a) => a.includes('tsx'));
  return hasTsx ? argv : [...argv, '--import', 'tsx'];
}

function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

async function runJsWorker(p: HoldParams): Promise<HoldResult> {
  const { stdout } = await run(process.execPath, [...workerExecArgv(), THIS_FILE, WORKER_FLAG, JSON.stringify(p)], {
    maxBuffer: 1 << 20,
  });
  return lastJsonLine(stdout) as HoldResult;
}

interface NativeBuild {
  binary?: string;
  dir?: string;
  compiler?: string;
  /** Why there is no binary. */
  problem?: string;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

async function buildNative(log: (m: string) => void): Promise<NativeBuild> {
  let compiler: string;
  try {
    const { stdout } = await run('g++', ['--version']);
    compiler = firstLine(stdout);
  } catch {
    return { problem: 'g++ not found: no native baseline' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'opflex-bench-'));
  const binary = join(dir, 'hold');
  log(`kernel: compiling ${NATIVE_SOURCE} with ${compiler}`);
  try {
    await run('g++', ['-O2', '-std=c++17', '-o', binary, NATIVE_SOURCE], { maxBuffer: 1 << 20 });
    return { binary, dir, compiler };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    return { problem: `g++ -O2 failed: ${firstLine(stderr).slice(0, 120)}` };
  }
}

async function runNative(binary: string, p: Omit<HoldParams, 'impl'>): Promise<HoldResult> {
  const args = [p.pending, p.ops, p.runs, p.warmup, p.seed >>> 0].map(String);
  if (p.workload === 'model') args.push(MODEL_DELAYS);
  const { stdout } = await run(binary, args, { maxBuffer: 1 << 20 });
  return lastJsonLine(stdout) as HoldResult;
}

function fmtRate(r: number): string {
  return `${(r / 1e6).toFixed(2)}M/s`;
}

export const kernelSuite: BenchSuite = {
  name: 'kernel',
  description:
    "HOLD model: pop min, push (time + increment); increments Exp(1) or the model mix (preset M's schedule offsets); N pending; best of 3 timed runs (quick: 1) after warm-up",
  columns: [
    { key: 'impl', header: 'implementation' },
    { key: 'pending', header: 'pending', unit: 'events' },
    { key: 'ops', header: 'pops/run' },
    { key: 'eventsPerSec', header: 'rate', unit: 'M events/s', scale: 1e-6, digits: 2 },
    { key: 'nsPerEvent', header: 'time', unit: 'ns/event', digits: 1 },
    { key: 'vsNative', header: 'vs native', unit: 'ratio', digits: 2, suffix: 'x' },
    { key: 'vsNativeCpu', header: 'vs native, CPU time', unit: 'ratio', digits: 2, suffix: 'x' },
    { key: 'cpuEventsPerSec', header: 'CPU rate', unit: 'M events/CPU-s', scale: 1e-6, digits: 2, table: false },
    { key: 'peakRssBytes', header: 'peak RSS', unit: 'MiB', scale: 1 / 2 ** 20, digits: 1 },
    { key: 'clock', header: 'final clock', table: false },
  ],

  async run(options: BenchOptions): Promise<BenchRow[]> {
    const { sizes, runs, warmup } = plan(options.quick);
    const rows: BenchRow[] = [];
    const native = await buildNative(options.log);
    try {
      for (const { workload, pending, ops } of sizes) {
        const group = workload === 'exp' ? 'hold model' : 'model mix';
        const common = { workload, pending, ops, runs, warmup, seed: SEED };

        let nativeRate: number | undefined;
        let nativeCpuRate: number | undefined;
        let nativeClock: number | undefined;
        if (native.binary) {
          options.log(`kernel: native ${group}, ${pending} pending`);
          try {
            const r = await runNative(native.binary, common);
            nativeRate = r.eventsPerSec;
            nativeCpuRate = r.cpuEventsPerSec;
            nativeClock = r.clock;
            rows.push({
              group,
              fields: {
                impl: 'C++ std::priority_queue',
                pending,
                ops,
                eventsPerSec: r.eventsPerSec,
                nsPerEvent: r.nsPerEvent,
                vsNative: 1,
                vsNativeCpu: 1,
                cpuEventsPerSec: r.cpuEventsPerSec,
                peakRssBytes: r.peakRssBytes,
                clock: r.clock,
              },
              note: `${native.compiler} -O2`,
            });
          } catch (err) {
            rows.push({ group, fields: { impl: 'C++ std::priority_queue', pending, ops }, note: `native run failed: ${firstLine(String(err))}` });
          }
        } else {
          rows.push({ group, fields: { impl: 'C++ std::priority_queue', pending, ops }, note: native.problem ?? 'no native baseline' });
        }

        // The scheduler's overhead does not depend on the increments: the model mix runs the queue only.
        const impls = workload === 'exp' ? (['queue', 'scheduler'] as const) : (['queue'] as const);
        for (const impl of impls) {
          const label = impl === 'queue' ? 'EventQueue.popAndRun' : 'VirtualScheduler.after';
          options.log(`kernel: ${label}, ${group}, ${pending} pending`);
          const r = await runJsWorker({ impl, ...common });
          const ratio = nativeRate ? r.eventsPerSec / nativeRate : null;
          const notes: string[] = [];
          // A quick run is too short to warm up fully: no verdicts on the targets.
          if (impl === 'queue' && !options.quick) {
            if (pending === 100_000 && workload === 'exp') {
              notes.push(`>= ${fmtRate(TARGET_RATE_100K)} target ${r.eventsPerSec >= TARGET_RATE_100K ? 'met' : 'MISSED'}`);
            }
            if (ratio !== null) notes.push(`>= ${TARGET_NATIVE_RATIO}x native target ${ratio >= TARGET_NATIVE_RATIO ? 'met' : 'MISSED'}`);
          }
          if (nativeClock !== undefined && Math.abs(r.clock - nativeClock) > 1e-9 * Math.max(1, Math.abs(nativeClock))) {
            notes.push(`workload differs from native (clock ${r.clock} vs ${nativeClock})`);
          }
          rows.push({
            group,
            fields: {
              impl: label,
              pending,
              ops,
              eventsPerSec: r.eventsPerSec,
              nsPerEvent: r.nsPerEvent,
              vsNative: ratio,
              vsNativeCpu: nativeCpuRate ? r.cpuEventsPerSec / nativeCpuRate : null,
              cpuEventsPerSec: r.cpuEventsPerSec,
              peakRssBytes: r.peakRssBytes,
              clock: r.clock,
            },
            ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
          });
        }
      }
    } finally {
      if (native.dir) rmSync(native.dir, { recursive: true, force: true });
    }
    return rows;
  },
};

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(THIS_FILE);
  } catch {
    return false;
  }
}

// Worker mode: `node --import tsx bench/kernel.ts --kernel-worker '{"impl":"queue",...}'` measures
// one row in a fresh process and prints it as JSON.
if (process.argv[2] === WORKER_FLAG && isMainModule()) {
  const params = JSON.parse(process.argv[3] ?? '{}') as HoldParams;
  process.stdout.write(`${JSON.stringify(measureHold(params))}\n`);
}
