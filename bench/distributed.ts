/**
 * Sweeps on a Redis queue: the same sweep of the default scenario run locally on one thread
 * (`sweep --jobs 1`) and with 1, 2 and 4 local `opflex-twin worker` processes on a redis-server of the
 * suite's own (loopback, free port). Wall times are of the submitting process, from spawn to exit; the
 * workers are started and connected before the submit, so their start-up is not counted. Every queued
 * stdout must be byte for byte the local one, or the suite fails.
 *
 * A sweep rather than a compare: its jobs are seed ranges of 8 runs (src/sweep/sweep-chunks.ts), the
 * shape a real sweep of many seeds has, so the figures show what the workers add rather than mostly
 * the queue's cost per job (a compare's job is one ~50 ms run).
 */
import { availableParallelism } from 'node:os';
import { CliChild } from '../test/support/cli-child.ts';
import { RedisServer } from '../test/support/redis-server.ts';
import type { BenchRow, BenchSuite } from './suite.ts';

/** 4 variants x 32 seeds = 128 runs in 16 jobs; --quick: 2 x 16 = 32 runs in 4 jobs. */
const FULL_SWEEP = ['--vary', 'latencies.apicFetch=10ms,200ms', '--vary', 'enable_opflex_agent_reconnect=false,true', '--seeds', '32'];
const QUICK_SWEEP = ['--vary', 'latencies.apicFetch=10ms,200ms', '--seeds', '16'];
const FULL_SIZE = { runs: 128, jobs: 16 };
const QUICK_SIZE = { runs: 32, jobs: 4 };
const WORKER_COUNTS = [1, 2, 4];
/** Generous, for a loaded machine: a whole sweep takes seconds. */
const sweepTimeoutMs = 600_000;
const workerConnectTimeoutMs = 60_000;

interface Finished {
  stdout: string;
  stderr: string;
  wallMs: number;
}

async function runSweep(sweepArgs: string[], queueUrl: string | undefined): Promise<Finished> {
  const argv = ['sweep', ...sweepArgs, ...(queueUrl ? ['--queue', queueUrl] : ['--jobs', '1'])];
  const t0 = performance.now();
  const child = new CliChild(argv);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), sweepTimeoutMs)));
  const outcome = await Promise.race([child.exited, timedOut]);
  clearTimeout(timer);
  const wallMs = performance.now() - t0;
  const where = queueUrl ? `sweep --queue ${queueUrl}` : 'sweep --jobs 1 (local)';
  if (outcome === 'timeout') {
    child.process.kill('SIGKILL');
    throw new Error(`${where}: no exit after ${sweepTimeoutMs / 1000} s`);
  }
  if (outcome !== 0) throw new Error(`${where}: exit ${outcome}: ${child.stderr.trim().split('\n').at(-1) ?? ''}`);
  return { stdout: child.stdout, stderr: child.stderr, wallMs };
}

export const distributedSuite: BenchSuite = {
  name: 'distributed',
  description: 'sweep of the default scenario, local on one thread vs --queue with 1, 2, 4 worker processes (128 runs in 16 jobs; 32 in 4 with --quick)',
  columns: [
    { key: 'workers', header: 'workers', align: 'left' },
    { key: 'runs', header: 'runs' },
    { key: 'jobs', header: 'jobs' },
    { key: 'wallMs', header: 'wall', unit: 's', scale: 1 / 1000, digits: 2 },
    { key: 'runsPerS', header: 'throughput', unit: 'runs/s', digits: 1 },
    { key: 'speedUp', header: 'speed-up', digits: 2, suffix: 'x' },
    { key: 'overheadMsPerJob', header: 'queue overhead', unit: 'ms/job', digits: 1 },
  ],
  async run({ quick, log }) {
    const sweep = quick ? QUICK_SWEEP : FULL_SWEEP;
    const { runs, jobs } = quick ? QUICK_SIZE : FULL_SIZE;
    const cores = availableParallelism();
    const rows: BenchRow[] = [];

    log(`distributed: ${runs} runs locally on one thread`);
    const local = await runSweep(sweep, undefined);
    rows.push({ fields: { workers: 'local', runs, jobs: null, wallMs: local.wallMs, runsPerS: runs / (local.wallMs / 1000), speedUp: 1 } });

    const redis = await RedisServer.start();
    const workers: CliChild[] = [];
    try {
      for (const count of WORKER_COUNTS) {
        log(`distributed: ${runs} runs on ${count} worker${count > 1 ? 's' : ''} (${redis.url})`);
        while (workers.length < count) {
          const worker = new CliChild(['worker', '--queue', redis.url]);
          workers.push(worker);
          await worker.waitForOutput(/taking jobs from/, `worker ${workers.length} to connect to ${redis.url}`, workerConnectTimeoutMs);
        }
        const queued = await runSweep(sweep, redis.url);
        if (queued.stdout !== local.stdout) {
          throw new Error(`sweep --queue with ${count} worker(s): stdout differs from the local sweep (${queued.stdout.length} vs ${local.stdout.length} bytes)`);
        }
        const submitted = Number(/: (\d+) jobs on /.exec(queued.stderr)?.[1]);
        if (submitted !== jobs) throw new Error(`sweep --queue submitted ${submitted} jobs, the suite expects ${jobs}: update FULL_SIZE/QUICK_SIZE`);
        // The workers run in parallel on at most `cores` cores; past that they share them.
        const parallel = Math.min(count, cores);
        rows.push({
          fields: {
            workers: count,
            runs,
            jobs,
            wallMs: queued.wallMs,
            runsPerS: runs / (queued.wallMs / 1000),
            speedUp: local.wallMs / queued.wallMs,
            overheadMsPerJob: (queued.wallMs * parallel - local.wallMs) / jobs,
          },
          note: count > cores ? `same bytes; ${cores} cores shared` : 'same bytes',
        });
      }
    } finally {
      for (const worker of workers) worker.process.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exited));
      await redis.kill();
    }
    return rows;
  },
};
