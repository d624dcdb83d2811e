import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endpointFilesFor } from '../live/endpoint-files.ts';
import { UsageError, type CommandSpec } from './command.ts';
import { loadScenarioArgument } from './scenario-argument.ts';

export const endpointsCommand: CommandSpec = {
  name: 'endpoints',
  summary: "Write the .ep endpoint files of a scenario node's pods, for `opflex-twin agent --endpoints DIR`.",
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    node: { type: 'string', value: 'name', description: 'The node whose pods to write' },
    dir: { type: 'string', value: 'dir', description: 'Directory to write into (created if missing)' },
    builtin: { type: 'string', value: 'name', description: 'Use a built-in scenario by name', default: 'default' },
  },
  run(args, io) {
    const scenario = loadScenarioArgument(args.positionals[0], args.values.builtin as string);
    const name = args.values.node as string | undefined;
    const dir = args.values.dir as string | undefined;
    if (!name || !dir) throw new UsageError('--node and --dir are required');
    const node = scenario.nodes.find((n) => n.name === name);
    if (!node) throw new UsageError(`Unknown node "${name}" (known: ${scenario.nodes.map((n) => n.name).join(', ')})`);
    mkdirSync(dir, { recursive: true });
    const files = endpointFilesFor(node, scenario.policy.tenant);
    for (const [file, content] of files) writeFileSync(join(dir, file), content);
    io.stdout.write(`Wrote ${files.size} endpoint files for ${name} to ${dir}\n`);
    return 0;
  },
};
