import { errorMessage } from '../error-details.ts';
import { assertQueueReachable } from '../distributed/queue-url.ts';
import { concurrencyMax, startSweepWorker } from '../distributed/sweep-worker.ts';
import { serveWorkerHealth, WorkerMetrics, type HealthProblem } from '../distributed/worker-health.ts';
import { defineCommand } from './command.ts';
import { commandSummary } from './command-index.ts';
import { queueAddressOption } from './queue-option.ts';

/** The smallest --job-heap: below it a thread cannot load the simulation's code. */
export const jobHeapMbMin = 64;
/** The largest --job-heap (V8 takes more, but no machine this runs on has that much per thread). */
export const jobHeapMbMax = 1_048_576;
/** How long SIGTERM waits for running jobs before it hands them back; below Kubernetes' default terminationGracePeriodSeconds (30). */
export const shutdownGraceSecondsDefault = 25;

export const workerCommand = defineCommand({
  name: 'worker',
  summary: commandSummary('worker'),
  positionals: '',
  maxPositionals: 0,
  options: {
    queue: { kind: 'string', value: 'redis://HOST:PORT[/DB]', help: 'The Redis that holds the job queue (required)' },
    concurrency: { kind: 'integer', min: 1, max: concurrencyMax, value: 'n', help: 'Jobs run at once, each in its own worker thread (one per core the worker may use)', default: '1' },
    'job-heap': { kind: 'integer', min: jobHeapMbMin, max: jobHeapMbMax, value: 'MiB', help: "Each job thread's heap limit: a job past it fails alone (default: Node's)" },
    'lock-duration': { kind: 'duration', value: 's', minMs: 500, help: 'How long a job stays with this worker without a lock renewal before another worker may take it over', default: '30' },
    'stalled-interval': { kind: 'duration', value: 's', minMs: 500, help: 'How often this worker looks for jobs whose worker died (their lock expired)', default: '30' },
    'shutdown-grace': { kind: 'duration', value: 's', help: 'On SIGTERM, how long running jobs may take to finish before they are handed back to the queue', default: String(shutdownGraceSecondsDefault) },
    'health-port': { kind: 'port', allowAny: true, value: 'port', help: 'Serve GET /healthz and /metrics (Prometheus) on this port (0: any free port, printed)' },
    'health-address': { kind: 'ipv4', value: 'address', help: 'Address of the health endpoint', default: '0.0.0.0' },
  },
  async run({ options }, io) {
    const address = queueAddressOption(options.queue, true);
    await assertQueueReachable(address);
    let lastConnectionError = '';
    const metrics = new WorkerMetrics(options.concurrency);
    const worker = await startSweepWorker(address, {
      concurrency: options.concurrency,
      ...(options['job-heap'] !== undefined ? { jobHeapMb: options['job-heap'] } : {}),
      onJobStart: metrics.onJobStart,
      onJobEnd: metrics.onJobEnd,
      lockDurationMs: options['lock-duration'],
      stalledIntervalMs: options['stalled-interval'],
      onConnectionError: (err) => {
        // ioredis retries about every second: one line per distinct error, not one per retry.
        if (errorMessage(err) === lastConnectionError) return;
        lastConnectionError = errorMessage(err);
        io.stderr.write(`opflex-twin worker: queue ${address.url}: ${lastConnectionError}\n`);
      },
    });
    const health = options['health-port'] !== undefined ? await serveHealth(options['health-address'], options['health-port'], metrics, () => worker.queueProblem()) : undefined;
    if (health) io.stdout.write(`opflex-twin worker: health on http://${options['health-address']}:${health.port}/healthz\n`);
    io.stdout.write(`opflex-twin worker: taking jobs from ${address.url} (${options.concurrency} at once)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const graceMs = options['shutdown-grace'];
    io.stdout.write(`opflex-twin worker: stopping: ${metrics.running} job(s) running, given ${graceMs / 1000} s to finish before they go back to the queue\n`);
    await worker.close(graceMs);
    health?.server.close();
    io.stdout.write(`opflex-twin worker: stopped (${metrics.handedBack} job(s) handed back)\n`);
    return 0;
  },
});

async function serveHealth(host: string, port: number, metrics: WorkerMetrics, problem: HealthProblem): ReturnType<typeof serveWorkerHealth> {
  try {
    return await serveWorkerHealth(host, port, metrics, problem);
  } catch (err) {
    throw new Error(`--health-port ${port}: cannot listen on ${host}:${port}: ${errorMessage(err)}`);
  }
}
