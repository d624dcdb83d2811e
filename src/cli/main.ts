/** The `opflex-twin` command line: one file per command, dispatched from this table. */
import { ScenarioError } from '../scenario/scenario-error.ts';
import { commandHelp, parseCommandArgs, UsageError, type CommandIO, type CommandSpec } from './command.ts';
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

const COMMANDS: CommandSpec[] = [simulateCommand, checkCommand, showCommand, compareCommand, adviseCommand, emulateCommand, agentCommand, endpointsCommand, loadCommand, generateCommand, schemaCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'opflex-twin: a digital twin of the Cisco ACI / OpFlex control plane for Kubernetes node-VM migrations',
    '',
    'Usage: opflex-twin <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split('\n')[0]}`),
    '',
    'Run "opflex-twin <command> --help" for a command\'s options.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`opflex-twin: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  try {
    const args = parseCommandArgs(command, rest);
    if (args.values.help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`opflex-twin ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ScenarioError) {
      io.stderr.write(`opflex-twin ${name}: invalid scenario\n${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
