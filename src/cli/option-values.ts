/**
 * Typed option values: every command validates numbers, addresses and files the same way, and a bad
 * value is a UsageError naming the option.
 */
import { statSync } from 'node:fs';
import { formatDuration, parseDuration } from '../scenario/duration.ts';
import { readInputBytes, type InputFileKind } from '../scenario/input-file.ts';
import type { Endpoint } from '../transport/transport.ts';
import { errnoCode, errorMessage } from '../error-details.ts';
import { UsageError } from './usage-error.ts';

function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/** An integer option, optionally within [min, max]; names the option in the error. */
export function integerOption(text: string, name: string, range: { min?: number | undefined; max?: number | undefined } = {}): number {
  const n = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer, got ${shown(text)}`);
  if (range.min !== undefined && n < range.min) throw new UsageError(`--${name} must be at least ${range.min}, got ${n}`);
  if (range.max !== undefined && n > range.max) throw new UsageError(`--${name} must be at most ${range.max}, got ${n}`);
  return n;
}

/** A number greater than zero (a rate, a scale), at most `max`. */
export function positiveNumberOption(text: string, name: string, max = Number.MAX_VALUE): number {
  const n = /^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a positive number, got ${shown(text)}`);
  if (n > max) throw new UsageError(`--${name} must be at most ${max}, got ${n}`);
  return n;
}

/**
 * A duration in milliseconds: a bare number is in `bareUnit` (seconds unless told), or a number with
 * a unit as in scenario files ("250ms", "1.5s", "5m", "2h").
 */
export function durationOption(value: string, name: string, range: { minMs?: number | undefined; maxMs?: number | undefined } = {}, bareUnit: 's' | 'ms' = 's'): number {
  const text = value.trim();
  let ms: number;
  try {
    ms = parseDuration(/^(\d+(\.\d+)?|\.\d+)$/.test(text) ? `${text}${bareUnit}` : text);
  } catch (err) {
    throw new UsageError(`--${name} must be a duration such as 30 (seconds), "250ms" or "5m", got ${shown(value)}${err instanceof RangeError && /longer than/.test(err.message) ? ' (too long)' : ''}`);
  }
  if (range.minMs !== undefined && ms < range.minMs) throw new UsageError(`--${name} must be at least ${formatDuration(range.minMs)}, got ${formatDuration(ms)}`);
  if (range.maxMs !== undefined && ms > range.maxMs) throw new UsageError(`--${name} must be at most ${formatDuration(range.maxMs)}, got ${formatDuration(ms)}`);
  return ms;
}

/** A TCP port, 1-65535 (0 too when `allowAny`: the system picks a free one). */
export function portOption(value: string, name: string, allowAny = false): number {
  const text = value.trim();
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= (allowAny ? 0 : 1) && n <= 65535)) throw new UsageError(`--${name} must be a port number (${allowAny ? '0' : '1'}-65535), got ${shown(value)}`);
  return n;
}

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** A dotted-quad IPv4 address. */
export function ipv4Option(value: string, name: string): string {
  const text = value.trim();
  if (!isIpv4(text)) throw new UsageError(`--${name} must be an IPv4 address such as 127.0.0.101, got ${shown(value)}`);
  return text;
}

/** "host:port" with an IPv4 address or a host name (port 0 only when `allowAny`). */
export function endpointOption(value: string, name: string, allowAny = false): Endpoint {
  const text = value.trim();
  const i = text.lastIndexOf(':');
  const host = i > 0 ? text.slice(0, i) : '';
  const portText = i > 0 ? text.slice(i + 1) : '';
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  // All-numeric labels are a mistyped IPv4 address, never a host name.
  const hostOk = isIpv4(host) || (HOSTNAME.test(host) && !/^[\d.]+$/.test(host));
  if (!hostOk || !(port >= (allowAny ? 0 : 1) && port <= 65535)) {
    throw new UsageError(`--${name} must be host:port with an IPv4 address or host name and a port (${allowAny ? '0' : '1'}-65535), such as 127.0.0.30:8009, got ${shown(value)}`);
  }
  return { host, port };
}

/** One of a fixed set of words. */
export function choiceOption<T extends string>(value: string, name: string, choices: readonly T[]): T {
  const chosen = choices.find((choice) => choice === value);
  if (chosen === undefined) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${shown(value)}`);
  return chosen;
}

/** A non-empty text option (a name, a domain). */
export function textOption(text: string, name: string): string {
  if (text.trim() === '') throw new UsageError(`--${name} must not be empty`);
  return text;
}

/** The contents of a file option, through the bounded reader (a missing or special file is one line naming it). */
export function fileOption(path: string | undefined, name: string, kind: InputFileKind): Buffer | undefined {
  if (path === undefined) return undefined;
  if (path === '') throw new UsageError(`--${name} needs a file name`);
  return readInputBytes(path, kind);
}

/** An existing directory (or, with `create`, one that can be made: nothing else in its place). */
export function directoryOption(path: string | undefined, name: string, create = false): string | undefined {
  if (path === undefined) return undefined;
  if (path === '') throw new UsageError(`--${name} needs a directory name`);
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' && create) return path;
    throw new UsageError(`--${name}: ${path}: ${code === 'ENOENT' ? 'directory not found' : `cannot use it: ${code ?? errorMessage(err)}`}`);
  }
  if (!stat.isDirectory()) throw new UsageError(`--${name}: ${path}: is not a directory`);
  return path;
}
