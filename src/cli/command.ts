/**
 * One declarative table per command drives parsing, help and validation (util.parseArgs underneath).
 */
import { parseArgs } from 'node:util';

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

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message.replace(/\. To specify a positional.*$/, '')}\nRun "opflex-twin ${spec.name} --help" for the options.`);
  }
  if (parsed.positionals.length > spec.maxPositionals) {
    throw new UsageError(`Too many arguments: ${parsed.positionals.slice(spec.maxPositionals).join(' ')}\nUsage: opflex-twin ${spec.name} ${spec.positionals}`);
  }
  const values = { ...parsed.values } as ParsedArgs["values"];
  for (const [name, o] of Object.entries(spec.options)) if (values[name] === undefined && o.default !== undefined) values[name] = o.default;
  return { positionals: parsed.positionals, values };
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: opflex-twin ${spec.name} ${spec.positionals} [options]`, '', spec.summary, '', 'Options:'];
  const rows = Object.entries(spec.options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`,
    o.description + (o.default !== undefined && o.default !== false ? ` (default: ${o.default})` : ''),
  ]);
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map((r) => r[0]!.length));
  for (const [left, right] of rows) lines.push(`  ${left!.padEnd(width)}  ${right}`);
  return lines.join('\n') + '\n';
}

/** Parses an integer option; names the option in the error. */
export function integerOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return n;
}
