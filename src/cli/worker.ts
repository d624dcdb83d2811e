import { errorMessage } from '../error-details.ts';
import { assertQueueReachable } from '../distributed/queue-url.ts';
import { startSweepWorker } from '../distributed/sweep-worker.ts';
import { serveWorkerHealth, WorkerMetrics } from '../distributed/worker-health.ts';
import { defineCommand } from './command.ts';
import { commandSummary } from './command-index.ts';
import { queueAddressOption } from './queue-option.ts';

export const workerCommand = defineCommand({
  name: 'worker',
  summary: commandSummary('worker'),
  positionals: '',
  maxPositionals: 0,
  options: {
    queue: { kind: 'string', value: 'redis://HOST:PORT[/DB]', help: 'The Redis that holds the job queue (required)' },
    'lock-duration': { kind: 'duration', value: 's', minMs: 500, help: 'How long a job stays with this worker without a lock renewal before another worker may take it over', default: '30' },
    'health-port': { kind: 'port', allowAny: true, value: 'port', help: 'Serve GET /healthz and /metrics (Prometheus) on this port (0: any free port, printed)' },
    'health-address': { kind: 'ipv4', value: 'address', help: 'Address of the health endpoint', default: '0.0.0.0' },
    'stalled-interval': { kind: 'duration', value: 's', minMs: 500, help: 'How often this worker looks for jobs whose worker died (their lock expired)', default: '30' },
  },
  async run({ options }, io) {
    const address = queueAddressOption(options.queue, true);
    await assertQueueReachable(address);
    let lastConnectionError = '';
    const metrics = new WorkerMetrics();
    const worker = await startSweepWorker(address, {
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
    const health = options['health-port'] !== undefined ? await serveHealth(options['health-address'], options['health-port'], metrics) : undefined;
    if (health) io.stdout.write(`opflex-twin worker: health on http://${options['health-address']}:${health.port}/healthz\n`);
    io.stdout.write(`opflex-twin worker: taking jobs from ${address.url}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    // Lets the job in hand finish and post its result before the process exits.
    await worker.close();
    health?.server.close();
    return 0;
  },
});

async function serveHealth(host: string, port: number, metrics: WorkerMetrics): ReturnType<typeof serveWorkerHealth> {
  try {
    return await serveWorkerHealth(host, port, metrics);
  } catch (err) {
    throw new Error(`--health-port ${port}: cannot listen on ${host}:${port}: ${errorMessage(err)}`);
  }
}
