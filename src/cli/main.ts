/** The `opflex-twin` command line: one file per command, dispatched from this table. */
import { commandHelp, EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, parseCommandArgs, UsageError, type CommandIO, type CommandSpec } from './command.ts';
import { errorLines, oneLine } from './error-lines.ts';
import { adviseCommand } from './advise.ts';
import { checkCommand } from './check.ts';
import { agentCommand } from './agent.ts';
import { compareCommand } from './compare.ts';
import { emulateCommand } from './emulate.ts';
import { endpointsCommand } from './endpoints.ts';
import { generateCommand } from './generate.ts';
import { loadCommand } from './load.ts';
import { schemaCommand } from './schema.ts';
import { simulateCommand } from './simulate.ts';
import { showCommand } from './show.ts';

const COMMANDS: CommandSpec[] = [simulateCommand, showCommand, compareCommand, adviseCommand, checkCommand, emulateCommand, agentCommand, endpointsCommand, loadCommand, generateCommand, schemaCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'opflex-twin: a digital twin of the Cisco ACI / OpFlex control plane for Kubernetes node-VM migrations',
    '',
    'Usage: opflex-twin [--debug] <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split('\n')[0]}`),
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
  const usage = (prefix: string, message: string, hint: string): number => {
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
    io.stdout.write(commandHelp(topic));
    return EXIT_OK;
  }
  if (name === undefined) return usage('opflex-twin', `give a command: ${COMMAND_NAMES}`, 'Run "opflex-twin --help" for usage.');
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const what = name.startsWith('-') ? `unknown option ${name} before the command` : `unknown command "${name}"`;
    return usage('opflex-twin', `${what} (commands: ${COMMAND_NAMES})`, 'Run "opflex-twin --help" for usage.');
  }
  const prefix = `opflex-twin ${name}`;
  try {
    const parsed = parseCommandArgs(command, rest);
    if (parsed.values.help) {
      io.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    return await command.run(parsed, io);
  } catch (err) {
    if (err instanceof UsageError) return usage(prefix, err.message, `Run "opflex-twin ${name} --help" for usage.`);
    io.stderr.write(errorLines(err).map((line) => `${prefix}: ${line}\n`).join(''));
    if (debug) io.stderr.write(`${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
