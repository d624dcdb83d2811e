/**
 * Loads scenario files: YAML text -> schema (defaults, units) -> cross-reference checks -> `Scenario`.
 *
 * Every problem is reported at once as a `ScenarioError` whose issues carry the file, line, column and
 * field path of the offending YAML node (the nearest existing parent when a key is missing).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { crossCheck } from './cross-references.ts';
import { checkInputFile, INPUT_FILES, InputFileError, readInputFile, scenarioFileMaxBytes } from './input-file.ts';
import { fromZodIssue } from './schema-issues.ts';
import { ScenarioError } from './scenario-error.ts';
import { scenarioSchema } from './schema.ts';
import type { Scenario } from './types.ts';
import { parseYamlSource, yamlToJs } from './yaml-document.ts';
import { YamlLocator, type RawIssue } from './yaml-positions.ts';

export interface ParseOptions {
  /** Directory that a relative `policy.policyFile` is resolved against (default: the directory of the file `source` names). */
  baseDir?: string;
}

/** Parses and validates scenario YAML. `source` names it in errors and becomes `Scenario.source`. */
export function parseScenario(text: string, source: string, options: ParseOptions = {}): Scenario {
  if (text.length > scenarioFileMaxBytes) {
    throw new ScenarioError([{ source, line: 0, column: 0, path: '', message: `scenario is too large (${text.length} characters; the limit is ${scenarioFileMaxBytes})` }]);
  }
  const yaml = parseYamlSource(text, source);
  const locator = new YamlLocator(yaml.doc, yaml.lines, source);
  let data = yamlToJs(yaml);
  if (data === null || data === undefined) {
    throw new ScenarioError([{ source, line: 1, column: 1, path: '', message: 'scenario is empty: expected a mapping with at least name, fabric and nodes' }]);
  }
  data = dropEmptyValues(data);

  const parsed = scenarioSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw locator.error(parsed.error.issues.flatMap((issue) => fromZodIssue(issue)));
  }

  const body = parsed.data;
  const problems: RawIssue[] = [];
  if (body.policy.policyFile !== undefined) {
    const baseDir = options.baseDir ?? dirname(resolve(source));
    const absolute = isAbsolute(body.policy.policyFile) ? body.policy.policyFile : resolve(baseDir, body.policy.policyFile);
    body.policy.policyFile = absolute;
    try {
      checkInputFile(absolute, INPUT_FILES.policy);
    } catch (err) {
      if (!(err instanceof InputFileError)) throw err;
      problems.push({ path: ['policy', 'policyFile'], message: err.reason === `${INPUT_FILES.policy.label} not found` ? `policy file not found: ${absolute}` : `${absolute}: ${err.reason}` });
    }
  }
  problems.push(...crossCheck(body, (path) => locator.locate(path, 'value').line));
  if (problems.length > 0) throw locator.error(problems);

  const { name, description, ...rest } = body;
  return { name, description, source, ...rest };
}

/** Reads and parses a scenario file; a missing, unreadable or oversized file is a `ScenarioError` naming it. */
export function loadScenarioFile(path: string): Scenario {
  return parseScenario(readScenarioFile(path), path);
}

/** A scenario file's text, through the bounded reader; its problems as a position-less `ScenarioError`. */
export function readScenarioFile(path: string): string {
  try {
    return readInputFile(path, INPUT_FILES.scenario);
  } catch (err) {
    if (err instanceof InputFileError) throw new ScenarioError([{ source: path, line: 0, column: 0, path: '', message: err.reason }]);
    throw err;
  }
}

/** `key:` with nothing after it means the same as leaving the key out (so commented-out sections work). */
function dropEmptyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmptyValues);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty: a YAML key "__proto__" stays a plain (and then unknown) key.
      if (v !== null && v !== undefined) Object.defineProperty(out, k, { value: dropEmptyValues(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
