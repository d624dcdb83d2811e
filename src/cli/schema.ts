import { scenarioJsonSchema } from '../scenario/loader.ts';
import type { CommandSpec } from './command.ts';

export const schemaCommand: CommandSpec = {
  name: 'schema',
  summary: 'Print the JSON Schema of scenario files, for editors (e.g. the YAML language server) and documentation.',
  positionals: '',
  maxPositionals: 0,
  options: {},
  run(_args, io) {
    io.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    return 0;
  },
};
