import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endpointFilesFor } from '../live/endpoint-files.ts';
import { directoryOption, textOption, UsageError, type CommandSpec } from './command.ts';
import { printable } from '../printable.ts';
import { loadScenarioArgument } from './scenario-argument.ts';
import { commandSummary } from './command-index.ts';

export const endpointsCommand: CommandSpec = {
  name: 'endpoints',
  summary: commandSummary('endpoints'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    node: { type: 'string', value: 'name', description: 'The node whose pods to write' },
    dir: { type: 'string', value: 'dir', description: 'Directory to write into (created if missing)' },
    builtin: { type: 'string', value: 'name', description: 'Use a built-in scenario by name', default: 'default' },
  },
  run(args, io) {
    const name = textOption(args.values.node, 'node');
    const dir = directoryOption(args.values.dir, 'dir', true);
    if (name === undefined || dir === undefined) throw new UsageError('--node and --dir are required');
    const scenario = loadScenarioArgument(args.positionals[0], args.values.builtin as string);
    const node = scenario.nodes.find((n) => n.name === name);
    if (!node) throw new UsageError(`--node: unknown node ${JSON.stringify(name)} (known: ${listed(scenario.nodes.map((n) => n.name))})`);
    const files = endpointFilesFor(node, scenario.policy.tenant);
    try {
      mkdirSync(dir, { recursive: true });
      for (const [file, content] of files) writeFileSync(join(dir, file), content);
    } catch (err) {
      throw new Error(`--dir ${dir}: cannot write the endpoint files: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    io.stdout.write(printable(`Wrote ${files.size} endpoint files for ${name} to ${dir}`) + '\n');
    return 0;
  },
};

function listed(names: readonly string[], max = 10): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
