import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endpointFilesFor } from '../live/endpoint-files.ts';
import { defineCommand } from './command.ts';
import { directoryOption } from './option-values.ts';
import { UsageError } from './usage-error.ts';
import { errnoCode, errorMessage } from '../error-details.ts';
import { printable } from '../printable.ts';
import { loadScenarioArgument } from './scenario-argument.ts';
import { commandSummary } from './command-index.ts';

export const endpointsCommand = defineCommand({
  name: 'endpoints',
  summary: commandSummary('endpoints'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    node: { kind: 'text', value: 'name', help: 'The node whose pods to write' },
    dir: { kind: 'string', value: 'dir', help: 'Directory to write into (created if missing)' },
    builtin: { kind: 'string', value: 'name', help: 'Use a built-in scenario by name', default: 'default' },
  },
  run({ positionals, options }, io) {
    const name = options.node;
    const dir = directoryOption(options.dir, 'dir', true);
    if (name === undefined || dir === undefined) throw new UsageError('--node and --dir are required');
    const scenario = loadScenarioArgument(positionals[0], options.builtin);
    const node = scenario.nodes.find((n) => n.name === name);
    if (!node) throw new UsageError(`--node: unknown node ${JSON.stringify(name)} (known: ${listed(scenario.nodes.map((n) => n.name))})`);
    const files = endpointFilesFor(node, scenario.policy.tenant);
    try {
      mkdirSync(dir, { recursive: true });
      for (const [file, content] of files) writeFileSync(join(dir, file), content);
    } catch (err) {
      throw new Error(`--dir ${dir}: cannot write the endpoint files: ${errnoCode(err) ?? errorMessage(err)}`);
    }
    io.stdout.write(printable(`Wrote ${files.size} endpoint files for ${name} to ${dir}`) + '\n');
    return 0;
  },
});

function listed(names: readonly string[], max = 10): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
