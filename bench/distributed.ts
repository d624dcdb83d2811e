/**
 * Sweeps on a Redis queue: the same compare sweep of the default scenario run locally (`compare`
 * without --queue) and with 1, 2 and 4 local `opflex-twin worker` processes on a redis-server of the
 * suite's own (loopback, free port). Wall times are of the submitting process, from spawn to exit; the
 * workers are started and connected before the submit, so their start-up is not counted. Every queued
 * stdout must be byte for byte the local one, or the suite fails.
 */
import { availableParallelism } from 'node:os';
import { CliChild } from '../test/support/cli-child.ts';
import { RedisServer } from '../test/support/redis-server.ts';
import type { BenchRow, BenchSuite } from './suite.ts';

/** 4 x 2 x 4 = 32 variants; --quick: 2 x 2 x 2 = 8. */
const FULL_VARY = ['latencies.apicFetch=10ms,50ms,200ms,400ms', 'enable_opflex_agent_reconnect=false,true', 'latencies.leafServe=1ms,2ms,5ms,10ms'];
const QUICK_VARY = ['latencies.apicFetch=10ms,200ms', 'enable_opflex_agent_reconnect=false,true', 'latencies.leafServe=1ms,5ms'];
const WORKER_COUNTS = [1, 2, 4];
/** Generous, for a loaded machine: a whole sweep takes seconds. */
const sweepTimeoutMs = 600_000;
const workerConnectTimeoutMs = 60_000;

interface Finished {
  stdout: string;
  wallMs: number;
}

async function runCompare(varyArgs: string[], queueUrl: string | undefined): Promise<Finished> {
  const argv = ['compare', ...varyArgs.flatMap((v) => ['--vary', v]), ...(queueUrl ? ['--queue', queueUrl] : [])];
  const t0 = performance.now();
  const child = new CliChild(argv);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), sweepTimeoutMs)));
  const outcome = await Promise.race([child.exited, timedOut]);
  clearTimeout(timer);
  const wallMs = performance.now() - t0;
  const where = queueUrl ? `compare --queue ${queueUrl}` : 'compare (local)';
  if (outcome === 'timeout') {
    child.process.kill('SIGKILL');
    throw new Error(`${where}: no exit after ${sweepTimeoutMs / 1000} s`);
  }
  if (outcome !== 0) throw new Error(`${where}: exit ${outcome}: ${child.stderr.trim().split('\n').at(-1) ?? ''}`);
  return { stdout: child.stdout, wallMs };
}

export const distributedSuite: BenchSuite = {
  name: 'distributed',
  description: 'compare sweep of the default scenario, local vs --queue with 1, 2, 4 worker processes (32 variants; 8 with --quick)',
  columns: [
    { key: 'workers', header: 'workers', align: 'left' },
    { key: 'jobs', header: 'jobs' },
    { key: 'wallMs', header: 'wall', unit: 's', scale: 1 / 1000, digits: 2 },
    { key: 'jobsPerS', header: 'throughput', unit: 'jobs/s', digits: 1 },
    { key: 'speedUp', header: 'speed-up', digits: 2, suffix: 'x' },
    { key: 'overheadMsPerJob', header: 'queue overhead', unit: 'ms/job', digits: 1 },
  ],
  async run({ quick, log }) {
    const vary = quick ? QUICK_VARY : FULL_VARY;
    const jobs = vary.reduce((n, v) => n * v.slice(v.indexOf('=') + 1).split(',').length, 1);
    const cores = availableParallelism();
    const rows: BenchRow[] = [];

    log(`distributed: ${jobs} variants locally`);
    const local = await runCompare(vary, undefined);
    rows.push({ fields: { workers: 'local', jobs, wallMs: local.wallMs, jobsPerS: jobs / (local.wallMs / 1000), speedUp: 1 } });

    const redis = await RedisServer.start();
    const workers: CliChild[] = [];
    try {
      for (const count of WORKER_COUNTS) {
        log(`distributed: ${jobs} variants on ${count} worker${count > 1 ? 's' : ''} (${redis.url})`);
        while (workers.length < count) {
          const worker = new CliChild(['worker', '--queue', redis.url]);
          workers.push(worker);
          await worker.waitForOutput(/taking jobs from/, `worker ${workers.length} to connect to ${redis.url}`, workerConnectTimeoutMs);
        }
        const queued = await runCompare(vary, redis.url);
        if (queued.stdout !== local.stdout) {
          throw new Error(`compare --queue with ${count} worker(s): stdout differs from the local compare (${queued.stdout.length} vs ${local.stdout.length} bytes)`);
        }
        // The workers run in parallel on at most `cores` cores; past that they share them.
        const parallel = Math.min(count, cores);
        rows.push({
          fields: {
            workers: count,
            jobs,
            wallMs: queued.wallMs,
            jobsPerS: jobs / (queued.wallMs / 1000),
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
