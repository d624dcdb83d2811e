/**
 * Sweep files: YAML checked with a schema, every problem reported as `file:line:column: field: message`
 * the way scenario files are (the same YAML checks, issue wording and position finder).
 *
 *   scenarios: [plans/rack-7.yaml, builtin:default, preset:S]   # files relative to the sweep file
 *   vary:                                                      # every combination
 *     latencies.apicFetch: [10ms, 200ms]
 *   variants:                                                  # each under every combination
 *     - name: reconnect
 *       set: { enable_opflex_agent_reconnect: true }
 *   seeds: 20
 *   firstSeed: 1
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../error-details.ts';
import { INPUT_FILES, InputFileError, readInputFile } from '../scenario/input-file.ts';
import { ScenarioError } from '../scenario/scenario-error.ts';
import { fromZodIssue } from '../scenario/schema-issues.ts';
import { resolveKey } from '../scenario/variants.ts';
import { parseYamlSource, yamlToJs } from '../scenario/yaml-document.ts';
import { YamlLocator, type RawIssue } from '../scenario/yaml-positions.ts';
import { boundProblems, sweepScenariosMax, sweepSeedsMax, sweepTextCharsMax, sweepVariantsMax, variantKeysMax, type KeySetting, type SweepDefinition } from './sweep-definition.ts';

/** Seeds run when a sweep file or the options do not say. */
export const defaultSweepSeeds = 10;
export const defaultFirstSeed = 1;

const text = z.string().min(1).max(sweepTextCharsMax);
const scalar = z.union([z.string().max(sweepTextCharsMax), z.number(), z.boolean()]);
const keyCount = (max: number) => (record: Record<string, unknown>) => Object.keys(record).length <= max;

const sweepFileSchema = z.strictObject({
  scenarios: z.array(text).min(1).max(sweepScenariosMax).optional(),
  vary: z.record(text, z.array(scalar).min(1).max(sweepVariantsMax)).refine(keyCount(variantKeysMax), `at most ${variantKeysMax} keys`).optional(),
  variants: z.array(z.strictObject({
    name: text,
    set: z.record(text, scalar).refine(keyCount(variantKeysMax), `at most ${variantKeysMax} keys`).optional(),
  })).min(1).max(sweepVariantsMax).optional(),
  seeds: z.number().int().min(1).max(sweepSeedsMax).optional(),
  firstSeed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  maxEvents: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** A key as a YAML path, or the problem with it placed at the key. */
function setting(key: string, value: string | number | boolean, at: (string | number)[], problems: RawIssue[]): KeySetting | undefined {
  try {
    return { key, path: resolveKey(key), text: String(value), value };
  } catch (err) {
    problems.push({ path: at, target: 'key', message: errorMessage(err) });
    return undefined;
  }
}

/** Parses and checks a sweep file's text; `source` names it in errors and its directory anchors relative scenario paths. */
export function parseSweepFile(yamlText: string, source: string, baseDir = dirname(resolve(source))): SweepDefinition {
  const yaml = parseYamlSource(yamlText, source);
  const locator = new YamlLocator(yaml.doc, yaml.lines, source);
  const data = yamlToJs(yaml);
  if (data === null || data === undefined) {
    throw new ScenarioError([{ source, line: 1, column: 1, path: '', message: 'sweep file is empty: expected a mapping with scenarios, vary and/or variants, and seeds' }]);
  }
  const parsed = sweepFileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) throw locator.error(parsed.error.issues.flatMap((issue) => fromZodIssue(issue, [], sweepFileSchema)));
  const body = parsed.data;
  const problems: RawIssue[] = [];
  const vary = Object.entries(body.vary ?? {}).flatMap(([key, values]) => {
    const settings = values.map((v) => setting(key, v, ['vary', key], problems));
    if (settings.some((s) => s === undefined)) return [];
    return [{ key, path: settings[0]!.path, texts: settings.map((s) => s!.text), values: settings.map((s) => s!.value) }];
  });
  const names = new Set<string>();
  const variants = (body.variants ?? []).map((v, i) => {
    if (names.has(v.name)) problems.push({ path: ['variants', i, 'name'], message: `variant "${v.name}" is named twice` });
    names.add(v.name);
    const sets = Object.entries(v.set ?? {}).flatMap(([key, value]) => setting(key, value, ['variants', i, 'set', key], problems) ?? []);
    return { name: v.name, sets };
  });
  const definition: SweepDefinition = {
    scenarios: body.scenarios ?? ['builtin:default'],
    ...(body.scenarios ? { scenarioPlaces: body.scenarios.map((_, i) => locator.issue({ path: ['scenarios', i], message: '' })) } : {}),
    baseDir,
    vary,
    variants,
    seeds: body.seeds ?? defaultSweepSeeds,
    firstSeed: body.firstSeed ?? defaultFirstSeed,
    ...(body.maxEvents !== undefined ? { maxEvents: body.maxEvents } : {}),
  };
  if (problems.length === 0) {
    for (const p of boundProblems(definition)) problems.push({ path: [p.part], target: 'key', message: p.message });
  }
  if (problems.length > 0) throw locator.error(problems);
  return definition;
}

/** Reads a sweep file through the bounded reader; a missing or unreadable file is one line naming it. */
export function loadSweepFile(path: string): SweepDefinition {
  let yamlText: string;
  try {
    yamlText = readInputFile(path, INPUT_FILES.sweep);
  } catch (err) {
    if (err instanceof InputFileError) throw new ScenarioError([{ source: path, line: 0, column: 0, path: '', message: err.reason }]);
    throw err;
  }
  return parseSweepFile(yamlText, path);
}
