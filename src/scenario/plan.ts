/**
 * A migration plan file: the moves to check (and optionally where the controller pod runs), laid
 * over a scenario's fabric and workloads.
 *
 *   migrations:
 *     - { at: 20s, node: node-1, to: esx-3 }
 *   controller: { node: node-4 }
 */
import { isMap, isNode, isScalar } from 'yaml';
import { INPUT_FILES, InputFileError, readInputFile } from './input-file.ts';
import { ScenarioError } from './scenario-error.ts';
import { parseYamlSource, yamlToJs } from './yaml-document.ts';
import type { Override } from './variants.ts';
import { isRecord } from '../json-fields.ts';

const PLAN_KEYS = ['migrations', 'controller', 'faults', 'flows'];

export function parsePlan(text: string, source: string): Override[] {
  const yaml = parseYamlSource(text, source);
  const { doc, lines } = yaml;
  if (!isMap(doc.contents)) throw new ScenarioError([{ source, line: 1, column: 1, path: '', message: `a plan is a mapping with ${PLAN_KEYS.join(', ')}` }]);
  for (const pair of doc.contents.items) {
    const key = String((isScalar(pair.key) ? pair.key.value : undefined) ?? '');
    if (!PLAN_KEYS.includes(key)) {
      const range = isNode(pair.key) ? pair.key.range : undefined;
      const { line, col } = lines.linePos(range?.[0] ?? 0);
      throw new ScenarioError([{ source, line, column: col, path: key, message: `not a plan key (a plan may set ${PLAN_KEYS.join(', ')})` }]);
    }
  }
  // The document is a mapping (checked above), so its value is an object.
  const data = yamlToJs(yaml);
  return Object.entries(isRecord(data) ? data : {}).map(([key, value]) => ({ path: [key], value: value ?? null }));
}

export function loadPlan(path: string): Override[] {
  let text: string;
  try {
    text = readInputFile(path, INPUT_FILES.plan);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    throw new ScenarioError([{ source: path, line: 0, column: 0, path: '', message: err.reason }]);
  }
  return parsePlan(text, path);
}
