/**
 * A worker's HTTP endpoint for Kubernetes probes and Prometheus: GET /healthz (200 while the worker
 * reaches its queue's Redis, 503 with the reason in one line while it cannot) and GET /metrics (jobs
 * done, failed and handed back, seconds spent on jobs, jobs running and the configured concurrency).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobOutcome } from './sweep-worker.ts';

export class WorkerMetrics {
  done = 0;
  failed = 0;
  handedBack = 0;
  running = 0;
  jobSeconds = 0;

  constructor(readonly concurrency: number) {}

  readonly onJobStart = (): void => {
    this.running++;
  };

  readonly onJobEnd = (outcome: JobOutcome, seconds: number): void => {
    this.running--;
    if (outcome === 'done') this.done++;
    else if (outcome === 'failed') this.failed++;
    else this.handedBack++;
    this.jobSeconds += seconds;
  };

  render(): string {
    return [
      '# HELP opflex_twin_worker_jobs_total Jobs this worker finished, by outcome',
      '# TYPE opflex_twin_worker_jobs_total counter',
      `opflex_twin_worker_jobs_total{outcome="done"} ${this.done}`,
      `opflex_twin_worker_jobs_total{outcome="failed"} ${this.failed}`,
      `opflex_twin_worker_jobs_total{outcome="handed_back"} ${this.handedBack}`,
      '# HELP opflex_twin_worker_job_seconds Seconds spent running jobs',
      '# TYPE opflex_twin_worker_job_seconds summary',
      `opflex_twin_worker_job_seconds_sum ${this.jobSeconds}`,
      `opflex_twin_worker_job_seconds_count ${this.done + this.failed + this.handedBack}`,
      '# HELP opflex_twin_worker_jobs_running Jobs this worker is running now',
      '# TYPE opflex_twin_worker_jobs_running gauge',
      `opflex_twin_worker_jobs_running ${this.running}`,
      '# HELP opflex_twin_worker_concurrency Jobs this worker runs at once at most (--concurrency)',
      '# TYPE opflex_twin_worker_concurrency gauge',
      `opflex_twin_worker_concurrency ${this.concurrency}`,
      '',
    ].join('\n');
  }
}

/** What /healthz reports: undefined while healthy, otherwise why not, in one line. */
export type HealthProblem = () => Promise<string | undefined>;

/** Listens on host:port (port 0: the system picks); resolves with the server and the port it got. */
export async function serveWorkerHealth(host: string, port: number, metrics: WorkerMetrics, problem: HealthProblem): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET') res.writeHead(405, { allow: 'GET' }).end();
    else if (path === '/healthz') {
      problem().then(
        (reason) => res.writeHead(reason === undefined ? 200 : 503, { 'content-type': 'text/plain' }).end(reason === undefined ? 'ok\n' : `${reason}\n`),
        (err: unknown) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`health check failed: ${String(err).replace(/\s+/g, ' ')}\n`),
      );
    } else if (path === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /healthz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
