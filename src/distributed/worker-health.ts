/**
 * A worker's HTTP endpoint for Kubernetes probes and Prometheus: GET /healthz (200 while it takes
 * jobs) and GET /metrics (jobs done and failed, seconds spent on jobs).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class WorkerMetrics {
  done = 0;
  failed = 0;
  jobSeconds = 0;

  readonly onJobEnd = (outcome: 'done' | 'failed', seconds: number): void => {
    if (outcome === 'done') this.done++;
    else this.failed++;
    this.jobSeconds += seconds;
  };

  render(): string {
    return [
      '# HELP opflex_twin_worker_jobs_total Jobs this worker finished, by outcome',
      '# TYPE opflex_twin_worker_jobs_total counter',
      `opflex_twin_worker_jobs_total{outcome="done"} ${this.done}`,
      `opflex_twin_worker_jobs_total{outcome="failed"} ${this.failed}`,
      '# HELP opflex_twin_worker_job_seconds Seconds spent running jobs',
      '# TYPE opflex_twin_worker_job_seconds summary',
      `opflex_twin_worker_job_seconds_sum ${this.jobSeconds}`,
      `opflex_twin_worker_job_seconds_count ${this.done + this.failed}`,
      '',
    ].join('\n');
  }
}

/** Listens on host:port (port 0: the system picks); resolves with the server and the port it got. */
export async function serveWorkerHealth(host: string, port: number, metrics: WorkerMetrics): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET') res.writeHead(405, { allow: 'GET' }).end();
    else if (path === '/healthz') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    else if (path === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('GET /healthz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
