/**
 * The built-in scenarios: YAML files in src/scenario/builtin/, loaded by name through the ordinary
 * loader with the source "built-in:<name>" (a relative policy file in one is read from that folder).
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario, readScenarioFile } from './loader.ts';
import { ScenarioError } from './scenario-error.ts';
import type { Scenario } from './types.ts';

const BUILTIN_DIR = fileURLToPath(new URL('./builtin/', import.meta.url));
const BUILTIN_PREFIX = 'built-in:';

/** Names of the built-in scenarios (`src/scenario/builtin/<name>.yaml`), sorted. */
export function builtinScenarioNames(): string[] {
  return readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** The file of a built-in scenario, after checking the name exists. */
export function builtinScenarioPath(name = 'default'): string {
  const names = builtinScenarioNames();
  if (!names.includes(name)) {
    throw new ScenarioError([{ source: builtinScenarioSource(name), line: 0, column: 0, path: '', message: `unknown built-in scenario "${name}" (known: ${names.join(', ')})` }]);
  }
  return resolve(BUILTIN_DIR, `${name}.yaml`);
}

/** How errors and results name a built-in scenario: "built-in:<name>". */
export function builtinScenarioSource(name: string): string {
  return `${BUILTIN_PREFIX}${name}`;
}

/** Loads a built-in scenario by name; its `source` is "built-in:<name>". */
export function loadBuiltinScenario(name = 'default'): Scenario {
  const path = builtinScenarioPath(name);
  return parseScenario(readScenarioFile(path), builtinScenarioSource(name), { baseDir: BUILTIN_DIR });
}
