/**
 * Who may talk to the control API: requests addressed to it by a name that cannot be rebound, sent
 * by a page of its own origin or by a program (no Origin). A web page elsewhere can make a browser
 * send requests to loopback, and a DNS name of its own can be rebound to 127.0.0.1; the Host and
 * Origin headers are what give both away.
 */
import { isIP } from 'node:net';

/** Names of this machine that no page can rebind. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

export class LocalOrigin {
  private readonly hosts: ReadonlySet<string>;
  /** Bound to every address: any IP literal names this server (a name could be rebound; an address cannot). */
  private readonly wildcard: boolean;

  constructor(listenAddress: string, private readonly port: number) {
    this.wildcard = listenAddress === '0.0.0.0' || listenAddress === '::';
    const own = isIP(listenAddress) === 6 ? `[${listenAddress}]` : listenAddress;
    this.hosts = new Set([...LOOPBACK_NAMES, own.toLowerCase()]);
  }

  /** The Host values this server answers to, for messages. */
  get expectedHosts(): string {
    return [...this.hosts].map((h) => `${h}:${this.port}`).join(', ');
  }

  /** True when the Host header names this server: one of its names, with its port. */
  hostAllowed(host: string | undefined): boolean {
    if (host === undefined) return false;
    const parsed = splitHostPort(host.toLowerCase());
    if (!parsed || parsed.port !== this.port) return false;
    if (this.hosts.has(parsed.host)) return true;
    return this.wildcard && isIP(parsed.host.replace(/^\[(.*)\]$/, '$1')) !== 0;
  }

  /** True when the Origin header is absent (not a browser page) or is this server itself. */
  originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    const match = /^http:\/\/([^/]+)$/i.exec(origin);
    return match !== null && this.hostAllowed(match[1]);
  }
}

function splitHostPort(value: string): { host: string; port: number } | undefined {
  const [, host, port] = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value) ?? [];
  if (host === undefined) return undefined;
  return { host, port: port === undefined ? 80 : Number(port) };
}
