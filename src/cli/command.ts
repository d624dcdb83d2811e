/**
 * One declarative table per command drives parsing, help and validation (util.parseArgs underneath).
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatDuration, parseDuration } from '../scenario/duration.ts';
import { readInputBytes, type InputFileKind } from '../scenario/input-file.ts';
import type { Endpoint } from '../transport/transport.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help as `--name <value>`. */
  value?: string;
  description: string;
  multiple?: boolean;
  default?: string | boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** e.g. "[scenario.yaml]" */
  positionals: string;
  maxPositionals: number;
  options: Record<string, OptionSpec>;
  run(args: ParsedArgs, io: CommandIO): Promise<number> | number;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A mistake in how the command was called: exit code 2, with a hint to run --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit codes, documented in `opflex-twin --help` and the README. */
export const EXIT_OK = 0;
/** The command ran and failed (a bad file, a taken port, a run over its budget; advise: a risk found). */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong (unknown command or option, a bad option value). */
export const EXIT_USAGE = 2;

export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(parseArgsMessage((err as Error).message));
  }
  if (parsed.positionals.length > spec.maxPositionals) {
    const extra = parsed.positionals.slice(spec.maxPositionals).join(' ');
    throw new UsageError(spec.maxPositionals === 0 ? `takes no arguments, got ${extra}` : `too many arguments: ${extra} (usage: opflex-twin ${spec.name} ${spec.positionals})`);
  }
  const values = { ...parsed.values } as ParsedArgs['values'];
  for (const [name, o] of Object.entries(spec.options)) {
    if (values[name] === undefined && o.default !== undefined) values[name] = o.default;
  }
  return { positionals: parsed.positionals, values };
}

/** node's parseArgs messages, shortened to what a person needs: "unknown option --foo". */
function parseArgsMessage(message: string): string {
  const text = message.replace(/\. To specify a positional.*$/s, '').replace(/\.$/, '');
  const unknown = /^Unknown option '([^']*)'/.exec(text);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '([^']*?)(?: <value>)?' argument missing/.exec(text);
  if (missing) return `option ${missing[1]!.replace(/^-\w, /, '')} needs a value`;
  const ambiguous = /^Option '([^']*)' argument is ambiguous/i.exec(text);
  if (ambiguous) return `option ${ambiguous[1]} needs a value (write one that starts with a dash as ${ambiguous[1]}=-1)`;
  const noValue = /^Option '([^']*)' does not take an argument/.exec(text);
  if (noValue) return `option ${noValue[1]} takes no value`;
  return lowerFirst(text);
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: opflex-twin ${[spec.name, spec.positionals, '[options]'].filter((part) => part !== '').join(' ')}`, '', spec.summary, '', 'Options:'];
  const rows = Object.entries(spec.options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`,
    o.description + (o.default !== undefined && o.default !== false ? ` (default: ${o.default})` : ''),
  ]);
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map((r) => r[0]!.length));
  for (const [left, right] of rows) lines.push(`  ${left!.padEnd(width)}  ${right}`);
  lines.push('', EXIT_CODES_HELP);
  return lines.join('\n') + '\n';
}

export const EXIT_CODES_HELP = 'Exit codes: 0 success, 1 failure (advise: a risk found), 2 usage error. Add --debug for a stack trace.';

// ----------------------------------------------------------------------------------------------
// Typed option values: every command validates numbers, addresses and files the same way, and a bad
// value is a UsageError naming the option.

/** An option's raw value: undefined when not given (and no default). */
type Raw = unknown;

function shown(value: Raw): string {
  const text = String(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/** An integer option, optionally within [min, max]; names the option in the error. */
export function integerOption(value: Raw, name: string, range: { min?: number; max?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer, got ${shown(value)}`);
  if (range.min !== undefined && n < range.min) throw new UsageError(`--${name} must be at least ${range.min}, got ${n}`);
  if (range.max !== undefined && n > range.max) throw new UsageError(`--${name} must be at most ${range.max}, got ${n}`);
  return n;
}

/** A number greater than zero (a rate, a scale), at most `max`. */
export function positiveNumberOption(value: Raw, name: string, max = Number.MAX_VALUE): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\s*(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a positive number, got ${shown(value)}`);
  if (n > max) throw new UsageError(`--${name} must be at most ${max}, got ${n}`);
  return n;
}

/**
 * A duration in milliseconds: a bare number is in `bareUnit` (seconds unless told), or a number with
 * a unit as in scenario files ("250ms", "1.5s", "5m", "2h").
 */
export function durationOption(value: Raw, name: string, range: { minMs?: number; maxMs?: number } = {}, bareUnit: 's' | 'ms' = 's'): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
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

/** The fastest live timers run: at 1000x a 15 s keepalive fires every 15 ms. */
export const timeScaleMax = 1000;

/** `--time-scale`: how many times faster than the wall clock live timers run. */
export function timeScaleOption(value: Raw): number {
  return positiveNumberOption(value ?? '1', 'time-scale', timeScaleMax)!;
}

/** A TCP port, 1-65535 (0 too when `allowAny`: the system picks a free one). */
export function portOption(value: Raw, name: string, allowAny = false): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= (allowAny ? 0 : 1) && n <= 65535)) throw new UsageError(`--${name} must be a port number (${allowAny ? '0' : '1'}-65535), got ${shown(value)}`);
  return n;
}

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`);
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

/** A dotted-quad IPv4 address. */
export function ipv4Option(value: Raw, name: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!isIpv4(text)) throw new UsageError(`--${name} must be an IPv4 address such as 127.0.0.101, got ${shown(value)}`);
  return text;
}

/** "host:port" with an IPv4 address or a host name (port 0 only when `allowAny`). */
export function endpointOption(value: Raw, name: string, allowAny = false): Endpoint | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
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

/** Every value of a repeatable host:port option. */
export function endpointsOption(values: Raw, name: string): Endpoint[] {
  return ((values as string[] | undefined) ?? []).map((v) => endpointOption(v, name)!);
}

/** One of a fixed set of words. */
export function choiceOption<T extends string>(value: Raw, name: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${shown(value)}`);
  return value as T;
}

/** A non-empty text option (a name, a domain). */
export function textOption(value: Raw, name: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (text.trim() === '') throw new UsageError(`--${name} must not be empty`);
  return text;
}

/** The contents of a file option, through the bounded reader (a missing or special file is one line naming it). */
export function fileOption(value: Raw, name: string, kind: InputFileKind): Buffer | undefined {
  if (value === undefined) return undefined;
  const path = String(value);
  if (path === '') throw new UsageError(`--${name} needs a file name`);
  return readInputBytes(path, kind);
}

/** An existing directory (or, with `create`, one that can be made: nothing else in its place). */
export function directoryOption(value: Raw, name: string, create = false): string | undefined {
  if (value === undefined) return undefined;
  const path = String(value);
  if (path === '') throw new UsageError(`--${name} needs a directory name`);
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && create) return path;
    throw new UsageError(`--${name}: ${path}: ${code === 'ENOENT' ? 'directory not found' : `cannot use it: ${code ?? (err as Error).message}`}`);
  }
  if (!stat.isDirectory()) throw new UsageError(`--${name}: ${path}: is not a directory`);
  return path;
}

function lowerFirst(text: string): string {
  return /^[A-Z](?![A-Z])/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
