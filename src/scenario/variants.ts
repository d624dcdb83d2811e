/**
 * The same scenario with some keys changed: for `compare --vary KEY=V1,V2` and for what-if runs.
 * Overrides are applied to the YAML document before validation, so a varied value goes through the
 * same schema, defaults and checks as a value written in the file.
 */
import { dirname, resolve } from 'node:path';
import { builtinScenarioPath, builtinScenarioSource } from './builtin-scenarios.ts';
import { keysContaining } from './key-suggestions.ts';
import { parseScenario, readScenarioFile } from './loader.ts';
import { parseYamlSource, parseYamlValue } from './yaml-document.ts';
import { faultsSchema, latenciesSchema, leafSchema, settingsSchema, timersSchema } from './schema.ts';
import type { Scenario } from './types.ts';

export interface ScenarioText {
  text: string;
  source: string;
  baseDir: string;
}

export interface Override {
  /** Path of YAML keys, e.g. ["settings", "enable_opflex_agent_reconnect"]. */
  path: string[];
  value: unknown;
}

export function readScenarioText(path: string | undefined, builtin = 'default'): ScenarioText {
  if (path === undefined) {
    const file = builtinScenarioPath(builtin);
    return { text: readScenarioFile(file), source: builtinScenarioSource(builtin), baseDir: dirname(file) };
  }
  return { text: readScenarioFile(path), source: path, baseDir: dirname(resolve(path)) };
}

const SECTIONS: [string, readonly string[]][] = [
  ['settings', Object.keys(settingsSchema.shape)],
  ['latencies', Object.keys(latenciesSchema.in.shape)],
  ['timers', Object.keys(timersSchema.in.shape)],
  ['faults', Object.keys(faultsSchema.in.shape)],
  ['leaf', Object.keys(leafSchema.shape)],
];

/** Top-level scenario keys a variant may change. */
const TOP_LEVEL: readonly string[] = ['start', 'duration'];

/**
 * A vary key as a YAML path. Dotted keys are taken as written (`latencies.apicFetch`,
 * `controller.node`); a bare key is one of the top-level keys or is looked up in settings, latencies,
 * timers, faults and leaf.
 */
export function resolveKey(key: string): string[] {
  if (key.includes('.')) return key.split('.');
  if (TOP_LEVEL.includes(key)) return [key];
  const hits = SECTIONS.filter(([, keys]) => keys.includes(key)).map(([section]) => section);
  if (hits.length === 1) return [hits[0]!, key];
  if (hits.length > 1) throw new SyntaxError(`Key "${key}" is ambiguous: write one of ${hits.map((h) => `${h}.${key}`).join(', ')}`);
  const all = SECTIONS.flatMap(([section, keys]) => keys.map((k) => `${section}.${k}`));
  const close = keysContaining(key, all);
  throw new SyntaxError(`Unknown key "${key}"${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}; write ${TOP_LEVEL.join(', ')}, a setting, latency, timer, fault or leaf key, or a dotted path such as controller.node`);
}

/** `KEY=V1,V2,...` -> the key's path and each value as a YAML scalar. */
export function parseVary(spec: string): { key: string; path: string[]; values: unknown[]; texts: string[] } {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) throw new SyntaxError(`--vary takes KEY=V1,V2[,...], got "${spec}"`);
  const key = spec.slice(0, eq).trim();
  const texts = spec.slice(eq + 1).split(',').map((v) => v.trim()).filter((v) => v.length > 0);
  if (texts.length === 0) throw new SyntaxError(`--vary ${key} lists no values`);
  return { key, path: resolveKey(key), texts, values: texts.map((t) => parseYamlValue(t, `value ${JSON.stringify(t)}`)) };
}

/** Parses the scenario with the overrides applied; errors name the source and the override. */
export function scenarioWithOverrides(base: ScenarioText, overrides: Override[], label?: string): Scenario {
  if (overrides.length === 0) return parseScenario(base.text, base.source, { baseDir: base.baseDir });
  const { doc } = parseYamlSource(base.text, base.source);
  for (const o of overrides) doc.setIn(o.path, doc.createNode(o.value));
  const source = label ? `${base.source} [${label}]` : base.source;
  return parseScenario(String(doc), source, { baseDir: base.baseDir });
}
