/**
 * The emulator's HTTP control API on loopback: fabric, nodes, sessions and ODevs as JSON; starting a
 * migration; a server-sent-events stream of trace events; Prometheus metrics.
 *
 * It answers only requests addressed to it by its own names (Host) from programs or its own pages
 * (Origin), takes JSON bodies only as application/json, and bounds what each client can hold
 * (control-api-limits.ts). A mistake gets a 4xx with one line saying what is wrong; a failure of
 * ours gets a 500, is logged, and affects only that request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatTraceLine, type TraceEvent } from '../kernel/trace.ts';
import { controlApiLimits, type ControlApiLimits } from './control-api-limits.ts';
import { sendDashboard, wantsDashboard } from './dashboard-page.ts';
import { EventSubscribers } from './event-subscribers.ts';
import { HttpError } from './http-error.ts';
import { readJsonBody } from './json-body.ts';
import { LocalOrigin } from './local-origin.ts';
import { MigrationRefused, quoteName } from './migration-refusal.ts';
import { errorMessage } from '../error-details.ts';
import { isRecord } from '../json-fields.ts';

interface ControlApiOptions {
  /** Where a dropped subscriber or a failed request is reported (one line each); stderr by default. */
  log?: (line: string) => void;
  /** Bounds other than the defaults (tests use small ones). */
  limits?: Partial<ControlApiLimits>;
}

/**
 * What the control API serves and asks of the live fabric (the emulator implements it; the API
 * needs nothing else of it, so it does not import the emulator).
 */
export interface ControlledFabric {
  fabricStatus(): unknown;
  nodesStatus(): unknown;
  sessionsStatus(): unknown;
  odevsStatus(): unknown;
  migrationsStatus(): unknown;
  /** Prometheus text exposition. */
  metrics(): string;
  /** The latest trace events, oldest first (for /events replay). */
  recentEvents(): readonly TraceEvent[];
  /** Throws `MigrationRefused` when the move cannot start. */
  startMigration(node: string, to: string): unknown;
  /** Validates and applies a policy update; an `Error` with a one-line message when it is invalid. */
  updatePolicy(body: unknown): unknown;
}

const METHODS = ['GET', 'POST'] as const;
type Method = (typeof METHODS)[number];

interface Route {
  handlers: Partial<Record<Method, (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => Promise<void> | void>>;
  /** Query parameters it takes (any other is a mistake). */
  query?: readonly string[];
}

export class ControlApi {
  private server: Server | undefined;
  private origin: LocalOrigin | undefined;
  private readonly limits: ControlApiLimits;
  private readonly log: (line: string) => void;
  private readonly subscribers: EventSubscribers;
  private readonly routes: ReadonlyMap<string, Route>;

  constructor(private readonly emulator: ControlledFabric, options: ControlApiOptions = {}) {
    this.limits = { ...controlApiLimits, ...options.limits };
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.subscribers = new EventSubscribers(this.limits, this.log);
    this.routes = this.routeTable();
  }

  /** How many /events streams are open. */
  get eventSubscribers(): number {
    return this.subscribers.size;
  }

  /** How many client connections are open (every request, and every /events stream). */
  connections(): Promise<number> {
    const server = this.server;
    if (!server) return Promise.resolve(0);
    return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    const l = this.limits;
    const server = createServer(
      {
        maxHeaderSize: l.headerBytesMax,
        headersTimeout: l.headersTimeoutMs,
        requestTimeout: l.requestTimeoutMs,
        connectionsCheckingInterval: l.timeoutCheckIntervalMs,
      },
      (req, res) => {
        this.handle(req, res).catch((err: unknown) => this.fail(req, res, err));
      },
    );
    server.maxConnections = l.connectionsMax;
    // Node closes a CONNECT without a word unless someone listens: answer it like any other wrong method.
    // The socket is then ours: read and drop what follows until the client closes, within the request timeout.
    server.on('connect', (_req, socket) => {
      socket.on('error', () => {});
      const timer = setTimeout(() => socket.destroy(), l.requestTimeoutMs);
      timer.unref();
      socket.on('close', () => clearTimeout(timer));
      socket.resume();
      socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new Error(`Control API cannot listen on ${host}:${port}: ${err.message}`)));
      server.listen(port, host, () => resolve());
    });
    server.on('error', (err) => this.log(`control API: server error: ${err.message}`));
    const address = server.address();
    // A server listening on a host and port (not a pipe) has an AddressInfo.
    if (address === null || typeof address === 'string') throw new Error(`Control API cannot listen on ${host}:${port}: no TCP address`);
    this.origin = new LocalOrigin(address.address, address.port);
    return address;
  }

  /** Pushes a trace event to every /events subscriber (the slow ones are dropped, see EventSubscribers). */
  broadcast(e: TraceEvent): void {
    if (this.subscribers.size === 0) return;
    // Called from the trace, inside the fabric's own work: nothing of ours may throw into it.
    try {
      this.subscribers.send(eventFrame(e));
    } catch (err) {
      this.log(`control API: could not stream a ${JSON.stringify(e.event)} event: ${oneLine(errorMessage(err))}`);
    }
  }

  async close(): Promise<void> {
    this.subscribers.closeAll();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private routeTable(): Map<string, Route> {
    const e = this.emulator;
    const get = (status: () => unknown): Route => ({ handlers: { GET: (_req, res) => this.json(res, 200, status()) } });
    return new Map<string, Route>([
      ['/', {
        handlers: {
          GET: (req, res) => {
            if (wantsDashboard(req)) return sendDashboard(res);
            this.json(res, 200, { name: 'opflex-twin emulator', endpoints: ['/fabric', '/nodes', '/sessions', '/odevs', '/migrations', '/policy (POST)', '/events', '/metrics'] });
          },
        },
      }],
      ['/fabric', get(() => e.fabricStatus())],
      ['/nodes', get(() => e.nodesStatus())],
      ['/sessions', get(() => e.sessionsStatus())],
      ['/odevs', get(() => e.odevsStatus())],
      ['/migrations', { handlers: { GET: (_req, res) => this.json(res, 200, e.migrationsStatus()), POST: (req, res) => this.startMigration(req, res) } }],
      ['/policy', { handlers: { POST: (req, res) => this.updatePolicy(req, res) } }],
      ['/events', { handlers: { GET: (req, res, query) => this.openEventStream(req, res, query) }, query: ['replay'] }],
      ['/metrics', {
        handlers: {
          GET: (_req, res) => {
            const text = e.metrics();
            res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
            res.end(text);
          },
        },
      }],
    ]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    if (Buffer.byteLength(target) > this.limits.urlBytesMax) throw new HttpError(414, `Request target longer than ${this.limits.urlBytesMax} bytes`);
    const origin = this.origin!;
    const host = req.headers.host;
    if (!origin.hostAllowed(host)) {
      throw new HttpError(421, `Host ${host === undefined ? 'header missing' : quoteName(host)}: this control API answers only to ${origin.expectedHosts}`);
    }
    const from = req.headers.origin;
    if (from !== undefined && !origin.originAllowed(from)) throw new HttpError(403, `Origin ${quoteName(from)} may not use this control API (only programs, which send no Origin, and its own pages)`);
    if (!target.startsWith('/')) throw new HttpError(400, `Request target ${quoteName(target)} must be a path`);
    const q = target.indexOf('?');
    const path = (q < 0 ? target : target.slice(0, q)).replace(/\/+$/, '') || '/';
    const route = this.routes.get(path);
    if (!route) throw new HttpError(404, `No route ${quoteName(path)} (GET / lists them)`);
    const method = METHODS.find((m) => m === req.method);
    const handler = method === undefined ? undefined : route.handlers[method];
    const allowed = Object.keys(route.handlers).join(', ');
    if (!handler) throw new HttpError(405, `${quoteName(req.method ?? '')} not allowed on ${path} (allowed: ${allowed})`, {}, { allow: allowed });
    const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
    for (const name of query.keys()) {
      if (!(route.query ?? []).includes(name)) {
        throw new HttpError(400, `Unknown query parameter ${quoteName(name)} on ${path} (${route.query ? `known: ${route.query.join(', ')}` : 'it takes none'})`);
      }
    }
    if (method === 'POST') requireJson(req);
    // An unread body would hold the connection (and an /events slot) until the request timeout.
    else if (hasBody(req)) throw new HttpError(400, `${method} ${path} takes no body`);
    await handler(req, res, query);
  }

  private async startMigration(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, this.limits);
    if (!isRecord(body)) throw new HttpError(400, 'Body must be a JSON object {"node": ..., "to": ...}');
    for (const key of Object.keys(body)) if (key !== 'node' && key !== 'to') throw new HttpError(400, `Unknown field ${quoteName(key)} (expected node, to)`);
    const node = requiredString(body, 'node', 'a node name');
    const to = requiredString(body, 'to', 'a hypervisor name');
    try {
      this.json(res, 202, this.emulator.startMigration(node, to));
    } catch (err) {
      if (!(err instanceof MigrationRefused)) throw err;
      const conflict = err.reason === 'already-migrating' || err.reason === 'already-there';
      throw new HttpError(conflict ? 409 : 400, err.message, err.runningMigration === undefined ? {} : { migration: err.runningMigration });
    }
  }

  private async updatePolicy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, this.limits);
    let result: unknown;
    try {
      result = this.emulator.updatePolicy(body);
    } catch (err) {
      // Validation names what is wrong with the objects; a stack overflow or a type error is ours.
      if (err instanceof RangeError || err instanceof TypeError || err instanceof ReferenceError || !(err instanceof Error)) throw err;
      throw new HttpError(400, oneLine(err.message));
    }
    this.json(res, 202, result);
  }

  private openEventStream(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const replay = query.get('replay') ?? 'true';
    if (replay !== 'true' && replay !== 'false') throw new HttpError(400, `Query parameter replay must be true or false, got ${quoteName(replay)}`);
    if (!this.subscribers.admit(res)) {
      throw new HttpError(503, `Too many event subscribers (limit ${this.limits.eventSubscribersMax}), all of them reading`, {}, { 'retry-after': '5' });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // Headers go out now: a client waits for them before it reads any event.
    res.flushHeaders();
    const frames = replay === 'true' ? this.replayFrames() : '';
    if (frames.length > 0) res.write(frames);
    req.socket.setKeepAlive(true);
  }

  /** The newest recent events that fit in the replay bound, oldest first. */
  private replayFrames(): string {
    const events = this.emulator.recentEvents();
    const frames: string[] = [];
    let bytes = 0;
    for (let i = events.length - 1; i >= 0; i--) {
      const frame = eventFrame(events[i]!);
      bytes += Buffer.byteLength(frame);
      if (bytes > this.limits.eventReplayBytesMax) break;
      frames.push(frame);
    }
    return frames.reverse().join('');
  }

  private fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    let status = 500;
    let body: Record<string, unknown>;
    let headers: Record<string, string> = {};
    if (err instanceof HttpError) {
      status = err.status;
      body = { error: err.message, ...err.fields };
      headers = err.headers;
    } else {
      const what = `${req.method} ${quoteName(req.url ?? '')}`;
      const cause = err instanceof Error ? `${err.name}: ${oneLine(err.message)}` : oneLine(String(err));
      this.log(`control API: ${what} failed: ${cause}`);
      body = { error: `Internal error answering ${what}: ${cause}` };
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The connection ends with the answer; the rest of the body is read and dropped meanwhile, since
    // closing with bytes unread resets the connection, often before the client has read the answer.
    if (!req.complete) {
      headers = { ...headers, connection: 'close' };
      req.resume();
    }
    try {
      this.json(res, status, body, headers);
    } catch {
      res.destroy();
    }
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body, null, 2) + '\n';
    res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function eventFrame(e: TraceEvent): string {
  return `event: trace\ndata: ${formatTraceLine(e)}\n\n`;
}

/** Refuses a body that is not declared as JSON: a browser sends text/plain or a form across origins without asking. */
function requireJson(req: IncomingMessage): void {
  const declared = req.headers['content-type'];
  const [type, ...params] = (declared ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/^"(.*)"$/, '$1');
  if (type !== 'application/json' || (charset !== undefined && charset !== 'utf-8')) {
    throw new HttpError(415, `Content-Type must be application/json${charset !== undefined && type === 'application/json' ? ' in utf-8' : ''}, got ${declared === undefined ? 'none' : quoteName(declared)}`);
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function requiredString(body: Record<string, unknown>, name: string, what: string): string {
  const value = body[name];
  if (value === undefined) throw new HttpError(400, `Field "${name}" is missing: ${what}`);
  if (typeof value !== 'string') throw new HttpError(400, `Field "${name}" must be ${what}`);
  return value;
}

/** A message on one line: a validation report lists its problems one per line. */
function oneLine(message: string): string {
  return message
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .join('; ');
}
