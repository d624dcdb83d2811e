/**
 * The `opflex-twin` command line: one file per command, listed in command-index.ts and loaded only
 * when used, so `--help` and a usage error load no simulation code (error-lines.ts, which knows the
 * model's error types, loads only when there is an error to print).
 */
import { commandHelp, EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CommandIO } from './command.ts';
import { UsageError } from './usage-error.ts';
import { COMMANDS } from './command-index.ts';

/** The command list: each whole summary, its further lines under its first. */
function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const indent = ' '.repeat(width + 4);
  return [
    'opflex-twin: a digital twin of the Cisco ACI / OpFlex control plane for Kubernetes node-VM migrations',
    '',
    'Usage: opflex-twin [--debug] <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split('\n').join(`\n${indent}`)}`),
    '',
    'Run "opflex-twin <command> --help" (or "opflex-twin help <command>") for a command\'s options.',
    '--debug (or OPFLEX_TWIN_DEBUG=1) prints the stack of an unexpected failure.',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}

const COMMAND_NAMES = COMMANDS.map((c) => c.name).join(', ');

/**
 * Runs one command. Every failure ends here as lines on stderr, each `opflex-twin <command>: ...`,
 * and an exit code: 2 for a usage error (plus one line pointing to --help), 1 for anything else.
 */
export async function main(argv: string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const end = argv.indexOf('--');
  const before = end < 0 ? argv : argv.slice(0, end);
  const debug = before.includes('--debug') || env.OPFLEX_TWIN_DEBUG === '1';
  const args = [...before.filter((a) => a !== '--debug'), ...(end < 0 ? [] : argv.slice(end))];
  const [name, ...rest] = args;
  const usage = async (prefix: string, message: string, hint: string): Promise<number> => {
    const { oneLine } = await import('./error-lines.ts');
    io.stderr.write(`${prefix}: ${oneLine(message)}\n${hint}\n`);
    return EXIT_USAGE;
  };
  if (name === '--help' || name === '-h') {
    io.stdout.write(mainHelp());
    return EXIT_OK;
  }
  if (name === 'help') {
    if (rest.length === 0) {
      io.stdout.write(mainHelp());
      return EXIT_OK;
    }
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    if (!topic || rest.length > 1) return usage('opflex-twin help', `unknown command "${rest.join(' ')}" (commands: ${COMMAND_NAMES})`, 'Run "opflex-twin --help" for usage.');
    io.stdout.write(commandHelp(await topic.load()));
    return EXIT_OK;
  }
  if (name === undefined) return usage('opflex-twin', `give a command: ${COMMAND_NAMES}`, 'Run "opflex-twin --help" for usage.');
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const what = name.startsWith('-') ? `unknown option ${name} before the command` : `unknown command "${name}"`;
    return usage('opflex-twin', `${what} (commands: ${COMMAND_NAMES})`, 'Run "opflex-twin --help" for usage.');
  }
  const prefix = `opflex-twin ${name}`;
  try {
    const command = await entry.load();
    const invocation = command.parse(rest);
    if (invocation.help) {
      io.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    return await invocation.run(io);
  } catch (err) {
    if (err instanceof UsageError) return usage(prefix, err.message, `Run "opflex-twin ${name} --help" for usage.`);
    const { errorLines } = await import('./error-lines.ts');
    io.stderr.write(errorLines(err).map((line) => `${prefix}: ${line}\n`).join(''));
    if (debug) io.stderr.write(`${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
