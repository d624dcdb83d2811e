/**
 * compare --queue against a real redis-server and real worker processes: the same stdout bytes as the
 * local compare whatever the number of workers, a worker killed mid-sweep, a job that throws.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CliChild } from '../support/cli-child.ts';
import { RedisServer } from '../support/redis-server.ts';
import { CLI_RUN_MS, finished, QueueWorkers, submittedSweepId } from '../support/queue-workers.ts';
import { unusedPort } from '../transport/socket-helpers.ts';

/** Six variants of the default scenario. */
const COMPARE_ARGS = ['compare', '--vary', 'latencies.apicFetch=10ms,50ms,200ms', '--vary', 'enable_opflex_agent_reconnect=false,true'];

describe('compare --queue', { timeout: 400_000 }, () => {
  let redis: RedisServer;
  let localStdout: string;
  const workers = new QueueWorkers(() => redis.url);
  const startWorker = (...extra: string[]): Promise<CliChild> => workers.start(...extra);
  const stopWorkers = (): Promise<(number | null)[]> => workers.stopAll();

  before(async () => {
    redis = await RedisServer.start();
    const local = await finished(new CliChild(COMPARE_ARGS));
    assert.equal(local.exitCode, 0, local.stderr);
    localStdout = local.stdout;
  });

  after(async () => {
    workers.killAll();
    await redis?.kill();
  });

  test('one worker: the same stdout bytes as the local compare, six jobs in its metrics; SIGTERM ends the worker with 0', { timeout: 200_000 }, async () => {
    const worker = await startWorker('--health-port', '0', '--health-address', '127.0.0.1');
    const [, healthUrl] = await worker.waitForOutput(/health on (http:\S+)\/healthz/, 'the health endpoint', CLI_RUN_MS);
    assert.equal(await (await fetch(`${healthUrl}/healthz`)).text(), 'ok\n');
    const queued = await finished(new CliChild([...COMPARE_ARGS, '--queue', redis.url]));
    assert.equal(queued.exitCode, 0, queued.stderr);
    assert.equal(queued.stdout, localStdout);
    assert.match(queued.stderr, /sweep [0-9a-f-]+: 6 jobs on redis:\/\/127\.0\.0\.1:\d+/);
    const metrics = await (await fetch(`${healthUrl}/metrics`)).text();
    assert.match(metrics, /^opflex_twin_worker_jobs_total\{outcome="done"\} 6$/m);
    assert.match(metrics, /^opflex_twin_worker_jobs_total\{outcome="failed"\} 0$/m);
    assert.match(metrics, /^opflex_twin_worker_job_seconds_count 6$/m);
    assert.deepEqual(await stopWorkers(), [0]);
  });

  test('four workers: the same stdout bytes, JSON too', { timeout: 200_000 }, async () => {
    await Promise.all([startWorker(), startWorker(), startWorker(), startWorker()]);
    const queued = await finished(new CliChild([...COMPARE_ARGS, '--queue', redis.url]));
    assert.equal(queued.exitCode, 0, queued.stderr);
    assert.equal(queued.stdout, localStdout);
    const localJson = await finished(new CliChild([...COMPARE_ARGS, '--json']));
    const queuedJson = await finished(new CliChild([...COMPARE_ARGS, '--json', '--queue', redis.url]));
    assert.equal(queuedJson.exitCode, 0, queuedJson.stderr);
    assert.equal(queuedJson.stdout, localJson.stdout);
    assert.deepEqual(await stopWorkers(), [0, 0, 0, 0]);
  });

  test('a worker killed mid-sweep: its job goes to another worker and the output is the local one', { timeout: 200_000 }, async () => {
    const queued = await workers.killOneMidJob(redis.port, () => new CliChild([...COMPARE_ARGS, '--queue', redis.url]));
    assert.equal(queued.exitCode, 0, queued.stderr);
    assert.equal(queued.stdout, localStdout);
    await stopWorkers();
  });

  test('a submitter interrupted before any worker ran: --sweep ID collects the same bytes; other arguments under that id are refused', { timeout: 200_000 }, async () => {
    const first = new CliChild([...COMPARE_ARGS, '--queue', redis.url]);
    const sweepId = await submittedSweepId(first);
    first.process.kill('SIGKILL');
    await first.exited;
    const other = await finished(new CliChild(['compare', '--vary', 'latencies.apicFetch=10ms,50ms', '--queue', redis.url, '--sweep', sweepId]));
    assert.equal(other.exitCode, 2);
    assert.equal(other.stderr, `opflex-twin compare: --sweep: sweep ${sweepId} was submitted with other inputs (scenario, options or seeds): give the same arguments as when it was submitted\nRun "opflex-twin compare --help" for usage.\n`);
    await startWorker();
    const reattached = await finished(new CliChild([...COMPARE_ARGS, '--queue', redis.url, '--sweep', sweepId]));
    assert.equal(reattached.exitCode, 0, reattached.stderr);
    assert.equal(reattached.stdout, localStdout);
    await stopWorkers();
  });

  test('jobs that throw: each is reported in one line with its variant and seed, exit 1', { timeout: 200_000 }, async () => {
    await startWorker();
    const queued = await finished(new CliChild(['compare', '--vary', 'latencies.apicFetch=10ms,50ms', '--max-events', '100', '--seed', '7', '--queue', redis.url]));
    assert.equal(queued.exitCode, 1);
    assert.equal(queued.stdout, '');
    const failures = queued.stderr.split('\n').filter((l) => l.includes('failed:'));
    assert.deepEqual(failures.map((l) => l.replace(/failed: .*/, 'failed:')), [
      'opflex-twin compare: job 1 of 2 (latencies.apicFetch=10ms, seed 7) failed:',
      'opflex-twin compare: job 2 of 2 (latencies.apicFetch=50ms, seed 7) failed:',
    ]);
    for (const line of failures) assert.match(line, /the run stopped after 100 events/);
    await stopWorkers();
  });

  test('an unreachable Redis: one line naming the URL, exit 1', { timeout: 60_000 }, async () => {
    const url = `redis://127.0.0.1:${await unusedPort()}`;
    const queued = await finished(new CliChild([...COMPARE_ARGS, '--queue', url]));
    assert.equal(queued.exitCode, 1);
    assert.equal(queued.stderr, `opflex-twin compare: Cannot reach the queue at ${url}: connect ECONNREFUSED ${url.slice('redis://'.length)}\n`);
    const worker = await finished(new CliChild(['worker', '--queue', url]));
    assert.equal(worker.exitCode, 1);
    assert.match(worker.stderr, new RegExp(`^opflex-twin worker: Cannot reach the queue at ${url}: .+\\n$`));
  });
});

describe('compare --queue across a Redis restart', { timeout: 300_000 }, () => {
  test('Redis stopped and started mid-sweep: submitter and worker reconnect and the output is the local one', { timeout: 280_000 }, async () => {
    const redis = await RedisServer.start({ persistent: true });
    const worker = new CliChild(['worker', '--queue', redis.url]);
    try {
      const local = await finished(new CliChild(COMPARE_ARGS));
      await worker.waitForOutput(/taking jobs from/, 'the worker to connect', CLI_RUN_MS);
      const queued = new CliChild([...COMPARE_ARGS, '--queue', redis.url]);
      await submittedSweepId(queued);
      await redis.stop();
      await redis.restart();
      await finished(queued);
      assert.equal(queued.exitCode, 0, queued.stderr);
      assert.equal(queued.stdout, local.stdout);
      assert.equal(await worker.stop(), 0);
    } finally {
      worker.process.kill('SIGKILL');
      await redis.kill();
    }
  });
});
