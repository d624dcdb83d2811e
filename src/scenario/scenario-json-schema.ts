/**
 * The scenario file format as JSON Schema (draft 2020-12), for editors and documentation
 * (`opflex-twin schema`): the zod schema's input side, plus the one cross-key rule zod cannot export.
 */
import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

/** JSON Schema (draft 2020-12) of the scenario file format, for editors and documentation. */
export function scenarioJsonSchema(): object {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  // The schema's cross-key check, which zod cannot export: without `generated`, fabric (with spines,
  // leafPairs and hypervisors) and nodes are required.
  schema['if'] = { required: ['generated'] };
  schema['else'] = { required: ['fabric', 'nodes'], properties: { fabric: { required: ['spines', 'leafPairs', 'hypervisors'] } } };
  return schema;
}
