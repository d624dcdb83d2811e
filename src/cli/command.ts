/**
 * A command: its name, arguments and option table, from which parsing, typed values and help all
 * come (util.parseArgs underneath).
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../error-details.ts';
import { optionHelpRows, optionValues, parserOptions, type OptionTable, type OptionValues } from './option-table.ts';
import { UsageError } from './usage-error.ts';

export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What a command's run receives: its arguments and the typed value of every option in its table. */
export interface CommandArgs<T extends OptionTable> {
  positionals: string[];
  options: OptionValues<T>;
}

interface CommandSpec<T extends OptionTable> {
  name: string;
  summary: string;
  /** e.g. "[scenario.yaml]" */
  positionals: string;
  maxPositionals: number;
  options: T;
  run(args: CommandArgs<T>, io: CommandIO): Promise<number> | number;
}

/** A command line parsed: a request for help, or a run ready to go. */
type Invocation = { help: true } | { help: false; run(io: CommandIO): Promise<number> | number };

/** A command as main sees it, whatever its options. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly positionals: string;
  readonly options: OptionTable;
  /** Throws a UsageError naming the mistake (an unknown option, a bad value, too many arguments). */
  parse(argv: string[]): Invocation;
}

/** Exit codes, documented in `opflex-twin --help` and the README. */
export const EXIT_OK = 0;
/** The command ran and failed (a bad file, a taken port, a run over its budget; advise: a risk found). */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong (unknown command or option, a bad option value). */
export const EXIT_USAGE = 2;

/** `const T`: a choice option's words stay literal types, so its value is one of them. */
export function defineCommand<const T extends OptionTable>(spec: CommandSpec<T>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    positionals: spec.positionals,
    options: spec.options,
    parse(argv) {
      let parsed;
      try {
        parsed = parseArgs({ args: argv, options: { ...parserOptions(spec.options), help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
      } catch (err) {
        throw new UsageError(parseArgsMessage(errorMessage(err)));
      }
      if (parsed.positionals.length > spec.maxPositionals) {
        const extra = parsed.positionals.slice(spec.maxPositionals).join(' ');
        throw new UsageError(spec.maxPositionals === 0 ? `takes no arguments, got ${extra}` : `too many arguments: ${extra} (usage: opflex-twin ${spec.name} ${spec.positionals})`);
      }
      const { help, ...given } = parsed.values;
      if (help === true) return { help: true };
      const args = { positionals: parsed.positionals, options: optionValues(spec.options, given) };
      return { help: false, run: (io) => spec.run(args, io) };
    },
  };
}

/** node's parseArgs messages, shortened to what a person needs: "unknown option --foo". */
function parseArgsMessage(message: string): string {
  const text = message.replace(/\. To specify a positional.*$/s, '').replace(/\.$/, '');
  const unknown = /^Unknown option '([^']*)'/.exec(text);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '(?:-\w, )?([^']*?)(?: <value>)?' argument missing/.exec(text);
  if (missing) return `option ${missing[1]} needs a value`;
  const ambiguous = /^Option '([^']*)' argument is ambiguous/i.exec(text);
  if (ambiguous) return `option ${ambiguous[1]} needs a value (write one that starts with a dash as ${ambiguous[1]}=-1)`;
  const noValue = /^Option '([^']*)' does not take an argument/.exec(text);
  if (noValue) return `option ${noValue[1]} takes no value`;
  return lowerFirst(text);
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: opflex-twin ${[command.name, command.positionals, '[options]'].filter((part) => part !== '').join(' ')}`, '', command.summary, '', 'Options:'];
  const rows = [...optionHelpRows(command.options), ['-h, --help', 'Show this help']] as const;
  const width = Math.max(...rows.map(([left]) => left.length));
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}  ${right}`);
  lines.push('', EXIT_CODES_HELP);
  return lines.join('\n') + '\n';
}

export const EXIT_CODES_HELP = 'Exit codes: 0 success, 1 failure (advise: a risk found), 2 usage error. Add --debug for a stack trace.';

function lowerFirst(text: string): string {
  const first = text.charAt(0);
  return /^[A-Z](?![A-Z])/.test(text) ? first.toLowerCase() + text.slice(1) : text;
}
