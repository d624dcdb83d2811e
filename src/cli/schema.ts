import { scenarioJsonSchema } from '../scenario/scenario-json-schema.ts';
import { defineCommand } from './command.ts';
import { commandSummary } from './command-index.ts';

export const schemaCommand = defineCommand({
  name: 'schema',
  summary: commandSummary('schema'),
  positionals: '',
  maxPositionals: 0,
  options: {},
  run(_args, io) {
    io.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
    return 0;
  },
});
