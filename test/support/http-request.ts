/**
 * One HTTP request exactly as written: any method, target, Host, Origin and body bytes (fetch would
 * fill in or refuse some of them), on a fresh connection, with its answer read in full.
 */
import { request } from 'node:http';
import type { Endpoint } from '../../src/transport/transport.ts';

export interface RawRequest {
  method?: string;
  path?: string;
  /** Header values as sent; `host` defaults to the endpoint's host:port, `null` leaves a header out. */
  headers?: Record<string, string | null>;
  body?: string | Buffer;
}

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function httpRequest(to: Endpoint, r: RawRequest, timeoutMs = 30_000): Promise<RawAnswer> {
  const headers: Record<string, string> = { host: `${to.host}:${to.port}` };
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (value === null) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: to.host, port: to.port, method: r.method ?? 'GET', path: r.path ?? '/', headers, setHost: false, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`No answer to ${r.method ?? 'GET'} ${r.path ?? '/'} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(r.body);
  });
}

/** A JSON POST as a program sends it. */
export function postJson(to: Endpoint, path: string, body: unknown): Promise<RawAnswer> {
  return httpRequest(to, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
