/**
 * An ACI pod's TEP pool ("10.1.0.0/16"): the infra addresses of its leaves and nodes come from it,
 * and its base + .30 is the pod's anycast OpFlex proxy (aci-fabric-behavior.md 1.2).
 */

/** Offset of the anycast OpFlex proxy from the pool base (host-agent: subnet base + .30). */
export const ANYCAST_OFFSET = 30;

export interface TepPool {
  readonly cidr: string;
  /** Base address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefixLength: number;
  /** Number of addresses in the pool. */
  readonly size: number;
}

export function ipv4ToNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new SyntaxError(`Not an IPv4 address: "${ip}"`);
  let value = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!/^\d{1,3}$/.test(part) || n > 255) throw new SyntaxError(`Not an IPv4 address: "${ip}"`);
    value = value * 256 + n;
  }
  return value;
}

export function numberToIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Parses "a.b.c.d/n" (n from 8 to 30); the address must be the pool's base. Throws a one-line SyntaxError. */
export function parseTepPool(cidr: string): TepPool {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!m) throw new SyntaxError(`expected a TEP pool such as "10.1.0.0/16", got "${cidr}"`);
  const prefixLength = Number(m[2]);
  if (prefixLength < 8 || prefixLength > 30) throw new SyntaxError(`prefix length /${prefixLength} of "${cidr}" is outside /8../30`);
  const address = ipv4ToNumber(m[1]!);
  const size = 2 ** (32 - prefixLength);
  const base = address - (address % size);
  if (base !== address) throw new SyntaxError(`"${cidr}" is not a pool base: did you mean "${numberToIpv4(base)}/${prefixLength}"?`);
  return { cidr, base, prefixLength, size };
}

export function poolContains(pool: TepPool, ip: string): boolean {
  const n = ipv4ToNumber(ip);
  return n >= pool.base && n < pool.base + pool.size;
}

/** The pool's anycast OpFlex proxy address (base + .30). */
export function anycastAddressOf(pool: TepPool): string {
  return numberToIpv4(pool.base + ANYCAST_OFFSET);
}
