/**
 * The emulator's HTTP control API on loopback: fabric, nodes, sessions and ODevs as JSON; starting a
 * migration; a server-sent-events stream of trace events; Prometheus metrics.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatTraceLine, type TraceEvent } from '../kernel/trace.ts';
import { sendDashboard, wantsDashboard } from './dashboard-page.ts';
import type { Emulator } from './emulator.ts';

const MAX_BODY_BYTES = 64 * 1024;
const MAX_SSE_CLIENTS = 64;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class ControlApi {
  private server: Server | undefined;
  private readonly sseClients = new Set<ServerResponse>();

  constructor(private readonly emulator: Emulator) {}

  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        if (!res.headersSent) this.json(res, status, { error: (err as Error).message });
        else res.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`Control API cannot listen on ${host}:${port}: ${(err as Error).message}`)));
      server.listen(port, host, () => resolve());
    });
    return server.address() as AddressInfo;
  }

  /** Pushes a trace event to every /events subscriber. */
  broadcast(e: TraceEvent): void {
    if (this.sseClients.size === 0) return;
    const frame = `event: trace\ndata: ${formatTraceLine(e)}\n\n`;
    for (const res of this.sseClients) {
      // A subscriber that stops reading is dropped instead of buffering without bound.
      if (res.writableLength > 1024 * 1024) {
        res.destroy();
        this.sseClients.delete(res);
      } else res.write(frame);
    }
  }

  async close(): Promise<void> {
    for (const res of this.sseClients) res.end();
    this.sseClients.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://control');
    const route = `${req.method} ${url.pathname.replace(/\/+$/, '') || '/'}`;
    const e = this.emulator;
    switch (route) {
      case 'GET /':
        if (wantsDashboard(req)) return sendDashboard(res);
        return this.json(res, 200, {
          name: 'opflex-twin emulator',
          endpoints: ['/fabric', '/nodes', '/sessions', '/odevs', '/migrations', '/policy (POST)', '/events', '/metrics'],
        });
      case 'GET /fabric':
        return this.json(res, 200, e.fabricStatus());
      case 'GET /nodes':
        return this.json(res, 200, e.nodesStatus());
      case 'GET /sessions':
        return this.json(res, 200, e.sessionsStatus());
      case 'GET /odevs':
        return this.json(res, 200, e.odevsStatus());
      case 'GET /migrations':
        return this.json(res, 200, e.migrationsStatus());
      case 'POST /migrations': {
        const body = await readJson(req);
        if (typeof body !== 'object' || body === null) throw new HttpError(400, 'Body must be a JSON object {"node": ..., "to": ...}');
        const { node, to } = body as { node?: unknown; to?: unknown };
        if (typeof node !== 'string') throw new HttpError(400, 'Field "node" must be a node name');
        if (typeof to !== 'string') throw new HttpError(400, 'Field "to" must be a hypervisor name');
        try {
          return this.json(res, 202, e.startMigration(node, to));
        } catch (err) {
          throw new HttpError(400, (err as Error).message);
        }
      }
      case 'POST /policy': {
        const body = await readJson(req);
        try {
          return this.json(res, 202, e.updatePolicy(body));
        } catch (err) {
          throw new HttpError(400, (err as Error).message);
        }
      }
      case 'GET /events':
        return this.openEventStream(req, res, url);
      case 'GET /metrics':
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(e.metrics());
        return;
      default:
        throw new HttpError(404, `No route ${route}`);
    }
  }

  private openEventStream(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (this.sseClients.size >= MAX_SSE_CLIENTS) throw new HttpError(503, `Too many event subscribers (limit ${MAX_SSE_CLIENTS})`);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    if (url.searchParams.get('replay') !== 'false') {
      for (const e of this.emulator.recentEvents()) res.write(`event: trace\ndata: ${formatTraceLine(e)}\n\n`);
    }
    this.sseClients.add(res);
    req.on('close', () => this.sseClients.delete(res));
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body, null, 2) + '\n';
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `Body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text.length === 0 ? {} : JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `Body is not JSON: ${(err as Error).message}`);
  }
}
