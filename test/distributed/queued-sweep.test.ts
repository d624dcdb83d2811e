/**
 * sweep --queue against a real redis-server and real worker processes: the local sweep's stdout bytes
 * with one worker and with four, with a worker killed mid-sweep (every run counted once), and for a
 * submitter that reattaches to its sweep by id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CliChild } from '../support/cli-child.ts';
import { finished, QueueWorkers, submittedSweepId } from '../support/queue-workers.ts';
import { RedisServer } from '../support/redis-server.ts';

/**
 * Two scenarios x two variants x ten seeds: 40 runs. A seed range of these small scenarios holds up
 * to 8 seeds, so each (scenario, variant) is two jobs of 8 and 2 seeds: 8 jobs.
 */
const SWEEP_ARGS = ['sweep', '--scenario', 'builtin:default', '--scenario', 'builtin:multipod', '--vary', 'latencies.apicFetch=10ms,400ms', '--seeds', '10'];
const JOBS = 8;

describe('sweep --queue', { timeout: 600_000 }, () => {
  let redis: RedisServer;
  let local: { text: string; json: string };
  const workers = new QueueWorkers(() => redis.url);

  before(async () => {
    redis = await RedisServer.start();
    const [text, json] = await Promise.all([finished(new CliChild([...SWEEP_ARGS, '--jobs', '1'])), finished(new CliChild([...SWEEP_ARGS, '--jobs', '1', '--json']))]);
    assert.equal(text.exitCode, 0, text.stderr);
    assert.equal(json.exitCode, 0, json.stderr);
    local = { text: text.stdout, json: json.stdout };
  });

  after(async () => {
    workers.killAll();
    await redis?.kill();
  });

  test('one worker: the local bytes; the sweep id comes first on stderr', { timeout: 300_000 }, async () => {
    await workers.start();
    const queued = await finished(new CliChild([...SWEEP_ARGS, '--queue', redis.url]));
    assert.equal(queued.exitCode, 0, queued.stderr);
    assert.equal(queued.stdout, local.text);
    assert.match(queued.stderr, new RegExp(`^opflex-twin sweep: sweep [0-9a-f-]+: ${JOBS} jobs on redis://127\\.0\\.0\\.1:\\d+ \\(collect later with --sweep [0-9a-f-]+\\)\\n`));
    assert.deepEqual(await workers.stopAll(), [0]);
  });

  test('four workers: the local bytes, as text and as JSON', { timeout: 300_000 }, async () => {
    await Promise.all([workers.start(), workers.start(), workers.start(), workers.start()]);
    const [queued, queuedJson] = await Promise.all([finished(new CliChild([...SWEEP_ARGS, '--queue', redis.url])), finished(new CliChild([...SWEEP_ARGS, '--json', '--queue', redis.url]))]);
    assert.equal(queued.exitCode, 0, queued.stderr);
    assert.equal(queued.stdout, local.text);
    assert.equal(queuedJson.exitCode, 0, queuedJson.stderr);
    assert.equal(queuedJson.stdout, local.json);
    assert.deepEqual(await workers.stopAll(), [0, 0, 0, 0]);
  });

  test('a worker SIGKILLed mid-sweep: its job goes to another worker, every run counted once, the local bytes', { timeout: 300_000 }, async () => {
    const queued = await workers.killOneMidJob(redis.port, () => new CliChild([...SWEEP_ARGS, '--json', '--queue', redis.url]));
    assert.equal(queued.exitCode, 0, queued.stderr);
    assert.equal(queued.stdout, local.json);
    const sweep = JSON.parse(queued.stdout) as { scenarios: { variants: { runs: { seed: number }[] }[] }[] };
    for (const scenario of sweep.scenarios) {
      for (const variant of scenario.variants) assert.deepEqual(variant.runs.map((r) => r.seed), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
    await workers.stopAll();
  });

  test('a submitter interrupted before any worker ran: --sweep ID collects the local bytes; other seeds under that id are refused', { timeout: 300_000 }, async () => {
    const first = new CliChild([...SWEEP_ARGS, '--queue', redis.url]);
    const sweepId = await submittedSweepId(first);
    first.process.kill('SIGKILL');
    await first.exited;
    const other = await finished(new CliChild([...SWEEP_ARGS, '--first-seed', '2', '--queue', redis.url, '--sweep', sweepId]));
    assert.equal(other.exitCode, 2);
    assert.match(other.stderr, new RegExp(`^opflex-twin sweep: --sweep: sweep ${sweepId} was submitted with other inputs`));
    await workers.start();
    const reattached = await finished(new CliChild([...SWEEP_ARGS, '--queue', redis.url, '--sweep', sweepId]));
    assert.equal(reattached.exitCode, 0, reattached.stderr);
    assert.equal(reattached.stdout, local.text);
    await workers.stopAll();
  });
});
