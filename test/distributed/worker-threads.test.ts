/**
 * `opflex-twin worker --concurrency` against a real redis-server: jobs run in worker threads, at the
 * same time, each once however much longer than the lock they run; a thread that dies fails only its
 * job; SIGTERM finishes the running jobs, or past --shutdown-grace hands them back, and exits 0.
 * The long jobs are compare cells of preset M (several seconds each).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, test } from 'node:test';
import { Queue } from 'bullmq';
import { queueName } from '../../src/distributed/sweep-jobs.ts';
import { CliChild } from '../support/cli-child.ts';
import { RedisServer } from '../support/redis-server.ts';
import { eventually, runsIn, sweepIdIn, sweepJobs, workerMetric, type JobRun } from '../support/worker-probe.ts';
import { waitFor } from '../transport/socket-helpers.ts';

/** Two jobs of several seconds each. */
const LONG_COMPARE = ['compare', '--preset', 'M', '--vary', 'enable_opflex_agent_reconnect=false,true'];
/** Six jobs of a fraction of a second. */
const SHORT_COMPARE = ['compare', '--vary', 'latencies.apicFetch=10ms,50ms,200ms', '--vary', 'enable_opflex_agent_reconnect=false,true'];
/** A CLI process on a loaded machine: starting tsx and running preset M simulations. */
const RUN_MS = 300_000;
/** Waits for a worker's state to change: a reconnect takes ioredis at most 2 s; this is for a loaded machine. */
const WAIT_MS = 60_000;
/** One request to the health endpoint. */
const PROBE_MS = 10_000;
const HEALTH = ['--health-port', '0', '--health-address', '127.0.0.1'];

async function finished(child: CliChild): Promise<CliChild> {
  await waitFor(() => child.exitCode !== undefined, `${child.process.spawnargs.slice(2).join(' ')} to finish`, RUN_MS);
  return child;
}

describe('worker --concurrency', { timeout: 1_500_000 }, () => {
  let redis: RedisServer;
  let queue: Queue;
  let localLong: string;
  const children: CliChild[] = [];

  function cli(argv: string[]): CliChild {
    const child = new CliChild(argv);
    children.push(child);
    return child;
  }

  /** A worker with a health endpoint, connected; resolves with it and its health URL. */
  async function startWorker(...extra: string[]): Promise<{ worker: CliChild; health: string }> {
    const worker = cli(['worker', '--queue', redis.url, ...HEALTH, ...extra]);
    const [, health] = await worker.waitForOutput(/health on (http:\S+)\/healthz/, 'the health endpoint', RUN_MS);
    await worker.waitForOutput(/taking jobs from/, 'the worker to connect', RUN_MS);
    return { worker, health: health! };
  }

  async function submitted(submitter: CliChild): Promise<string> {
    await waitFor(() => sweepIdIn(submitter.stderr) !== undefined || submitter.exitCode !== undefined, 'the sweep to be submitted', RUN_MS);
    const id = sweepIdIn(submitter.stderr);
    assert.ok(id, `the submitter ended before submitting: ${submitter.stderr}`);
    return id;
  }

  before(async () => {
    redis = await RedisServer.start();
    queue = new Queue(queueName, { connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null } });
    const local = await finished(cli(LONG_COMPARE));
    assert.equal(local.exitCode, 0, local.stderr);
    localLong = local.stdout;
  });

  after(async () => {
    for (const child of children) child.process.kill('SIGKILL');
    await queue?.close();
    await redis?.kill();
  });

  describe('two jobs longer than a 1 s lock on a worker with --concurrency 2, another worker watching for stalled jobs, SIGTERM while both run', () => {
    let submitter: CliChild;
    let runs: JobRun[][];
    let jobs: Awaited<ReturnType<typeof sweepJobs>>;
    let busyCode: number | null;
    let busyStdout: string;
    let watcherDone: number;
    let watcherFailed: number;

    before(async () => {
      // A lock lost while a job runs is found within a second by either worker's stalled-job check.
      const shortLock = ['--lock-duration', '1', '--stalled-interval', '1'];
      const busy = await startWorker('--concurrency', '2', '--shutdown-grace', '600', ...shortLock);
      submitter = cli([...LONG_COMPARE, '--queue', redis.url]);
      const sweepId = await submitted(submitter);
      await eventually(async () => (await workerMetric(busy.health, 'opflex_twin_worker_jobs_running')) === 2, 'both jobs to run on the busy worker', RUN_MS);
      const watcher = await startWorker(...shortLock);
      busyCode = await busy.worker.stop();
      busyStdout = busy.worker.stdout;
      await finished(submitter);
      jobs = await sweepJobs(queue, sweepId, 2);
      runs = jobs.map(({ logs }) => runsIn(logs));
      watcherDone = await workerMetric(watcher.health, 'opflex_twin_worker_jobs_total{outcome="done"}');
      watcherFailed = await workerMetric(watcher.health, 'opflex_twin_worker_jobs_total{outcome="failed"}');
      assert.equal(await watcher.worker.stop(), 0);
    });

    it('prints the bytes of the local compare', () => {
      assert.equal(submitter.exitCode, 0, submitter.stderr);
      assert.equal(submitter.stdout, localLong);
    });

    it('runs the two jobs at the same time, in two threads', () => {
      const [a, b] = runs.map((r) => r[0]!);
      assert.ok(a && b, `each job logged its run: ${JSON.stringify(jobs.map((j) => j.logs))}`);
      assert.notEqual(a.thread, b.thread);
      assert.ok(a.from < b.to && b.from < a.to, `the runs overlap: ${JSON.stringify(runs)}`);
    });

    it('runs each job exactly once, though each outlasts the lock', () => {
      assert.deepEqual(runs.map((r) => r.length), [1, 1], JSON.stringify(jobs.map((j) => j.logs)));
      assert.deepEqual(jobs.map(({ job }) => [job.attemptsStarted, job.stalledCounter]), [[1, 0], [1, 0]]);
      assert.ok(runs.every(([run]) => run!.to - run!.from > 1_000), `each run outlasted the 1 s lock: ${JSON.stringify(runs)}`);
      assert.deepEqual([watcherDone, watcherFailed], [0, 0]);
    });

    it('ends the busy worker with 0 after it finished both jobs, none handed back', () => {
      assert.equal(busyCode, 0);
      assert.match(busyStdout, /stopping: 2 job\(s\) running/);
      assert.match(busyStdout, /stopped \(0 job\(s\) handed back\)/);
    });
  });

  test('SIGTERM past --shutdown-grace: the running jobs go back to the queue, the worker exits 0, another worker finishes them', { timeout: 600_000 }, async () => {
    const leaving = await startWorker('--concurrency', '2', '--shutdown-grace', '0');
    const submitter = cli([...LONG_COMPARE, '--queue', redis.url]);
    const sweepId = await submitted(submitter);
    await eventually(async () => (await workerMetric(leaving.health, 'opflex_twin_worker_jobs_running')) === 2, 'both jobs to run', RUN_MS);
    assert.equal(await leaving.worker.stop(), 0);
    assert.match(leaving.worker.stdout, /stopped \(2 job\(s\) handed back\)/);
    assert.equal(await queue.getWaitingCount(), 2);
    const staying = await startWorker();
    await finished(submitter);
    assert.equal(submitter.exitCode, 0, submitter.stderr);
    assert.equal(submitter.stdout, localLong);
    for (const { job, logs } of await sweepJobs(queue, sweepId, 2)) {
      assert.equal(runsIn(logs).length, 1, logs.join('\n'));
      assert.equal(logs.filter((l) => l.includes('handed back to the queue at shutdown')).length, 1, logs.join('\n'));
      assert.equal(job.stalledCounter, 0);
    }
    assert.equal(await workerMetric(staying.health, 'opflex_twin_worker_jobs_total{outcome="done"}'), 2);
    assert.equal(await staying.worker.stop(), 0);
  });

  test('a thread out of its heap fails only its job, in one line; the other thread goes on and the worker takes more jobs', { timeout: 600_000 }, async () => {
    const local = await finished(cli(SHORT_COMPARE));
    const { worker, health } = await startWorker('--concurrency', '2', '--job-heap', '64');
    const doomed = cli(['compare', '--preset', 'M', '--vary', 'enable_opflex_agent_reconnect=true', '--queue', redis.url]);
    await submitted(doomed);
    const short = cli([...SHORT_COMPARE, '--queue', redis.url]);
    await finished(doomed);
    await finished(short);
    assert.equal(doomed.exitCode, 1);
    assert.match(doomed.stderr, /^opflex-twin compare: job 1 of 1 \(enable_opflex_agent_reconnect=true, seed 1\) failed: Job thread \d+ crashed: .*heap out of memory \(its heap limit is 64 MiB\)$/m);
    assert.equal(short.exitCode, 0, short.stderr);
    assert.equal(short.stdout, local.stdout);
    const later = await finished(cli([...SHORT_COMPARE, '--queue', redis.url]));
    assert.equal(later.stdout, local.stdout);
    assert.equal(await workerMetric(health, 'opflex_twin_worker_jobs_total{outcome="failed"}'), 1);
    assert.equal(await workerMetric(health, 'opflex_twin_worker_jobs_total{outcome="done"}'), 12);
    assert.equal(await worker.stop(), 0);
  });
});

describe('worker health', { timeout: 300_000 }, () => {
  test('/healthz answers 503 with the reason while Redis is down and 200 once it is back; /metrics has the concurrency', { timeout: 280_000 }, async () => {
    const redis = await RedisServer.start();
    const worker = new CliChild(['worker', '--queue', redis.url, '--concurrency', '3', ...HEALTH]);
    try {
      const [, health] = await worker.waitForOutput(/health on (http:\S+)\/healthz/, 'the health endpoint', RUN_MS);
      const probe = async (): Promise<[number, string]> => {
        const res = await fetch(`${health}/healthz`, { signal: AbortSignal.timeout(PROBE_MS) });
        return [res.status, await res.text()];
      };
      await eventually(async () => (await probe())[0] === 200, 'a healthy worker', WAIT_MS);
      assert.equal(await workerMetric(health!, 'opflex_twin_worker_concurrency'), 3);
      assert.equal(await workerMetric(health!, 'opflex_twin_worker_jobs_running'), 0);
      await redis.stop();
      let down: [number, string] = [0, ''];
      await eventually(async () => (down = await probe())[1].includes('ECONNREFUSED'), 'the connection error on /healthz', WAIT_MS);
      assert.equal(down[0], 503);
      assert.match(down[1], new RegExp(`^queue ${redis.url}: connection \\w+; last error: connect ECONNREFUSED 127\\.0\\.0\\.1:${redis.port}\\n$`));
      await redis.restart();
      await eventually(async () => (await probe())[0] === 200, '200 from /healthz again', WAIT_MS);
      assert.equal((await probe())[1], 'ok\n');
      assert.equal(await worker.stop(), 0);
    } finally {
      worker.process.kill('SIGKILL');
      await redis.kill();
    }
  });
});
