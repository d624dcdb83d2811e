/**
 * A migration plan file: the moves to check (and optionally where the controller pod runs), laid
 * over a scenario's fabric and workloads.
 *
 *   migrations:
 *     - { at: 20s, node: node-1, to: esx-3 }
 *   controller: { node: node-4 }
 */
import { readFileSync } from 'node:fs';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { ScenarioError } from './scenario-error.ts';
import type { Override } from './variants.ts';

const PLAN_KEYS = ['migrations', 'controller', 'faults', 'flows'];

export function parsePlan(text: string, source: string): Override[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const { line, col } = lineCounter.linePos(doc.errors[0]!.pos[0]);
    throw new ScenarioError([{ source, line, column: col, path: '', message: `YAML syntax error: ${doc.errors[0]!.message.split('\n')[0]}` }]);
  }
  if (!isMap(doc.contents)) throw new ScenarioError([{ source, line: 1, column: 1, path: '', message: `a plan is a mapping with ${PLAN_KEYS.join(', ')}` }]);
  const out: Override[] = [];
  for (const pair of doc.contents.items) {
    const key = String((pair.key as { value?: unknown })?.value ?? '');
    if (!PLAN_KEYS.includes(key)) {
      const range = (pair.key as { range?: [number, number, number] }).range;
      const { line, col } = lineCounter.linePos(range?.[0] ?? 0);
      throw new ScenarioError([{ source, line, column: col, path: key, message: `not a plan key (a plan may set ${PLAN_KEYS.join(', ')})` }]);
    }
    out.push({ path: [key], value: (pair.value as { toJSON?: () => unknown })?.toJSON?.() ?? null });
  }
  return out;
}

export function loadPlan(path: string): Override[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScenarioError([{ source: path, line: 0, column: 0, path: '', message: `cannot read the plan: ${(err as Error).message}` }]);
  }
  return parsePlan(text, path);
}
