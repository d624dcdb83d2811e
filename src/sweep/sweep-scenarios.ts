/**
 * The scenarios a sweep names, read and checked before anything runs: a file (relative to the sweep
 * file's directory), `builtin:NAME` or `preset:NAME`, each with the arguments that name it to simulate.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { parseScenario } from '../scenario/loader.ts';
import { ScenarioError, type ScenarioIssue } from '../scenario/scenario-error.ts';
import { preset, presetYaml } from '../scenario/presets.ts';
import { readScenarioText, type ScenarioText } from '../scenario/variants.ts';

export interface SweepScenario {
  text: ScenarioText;
  name: string;
  /** As results name it: the file, built-in:NAME or preset:NAME. */
  source: string;
  /** The arguments that name it to `simulate`. */
  simulateArgs: string[];
  /** Nodes and pods: what a run's cost grows with (the queue sizes its jobs by it). */
  endpoints: number;
}

const builtinRef = /^built-?in:(.+)$/;
const presetRef = /^preset:(.+)$/;

function scenarioText(ref: string, baseDir: string): { text: ScenarioText; simulateArgs: string[] } {
  const builtin = builtinRef.exec(ref)?.[1];
  if (builtin !== undefined) return { text: readScenarioText(undefined, builtin), simulateArgs: ['--builtin', builtin] };
  const presetName = presetRef.exec(ref)?.[1];
  if (presetName !== undefined) {
    const { name } = preset(presetName);
    return { text: { text: presetYaml(name), source: `preset:${name}`, baseDir: process.cwd() }, simulateArgs: ['--preset', name] };
  }
  // Named as a person in this directory would name it, so the re-run command works from here.
  const path = isAbsolute(ref) ? ref : relative(process.cwd(), resolve(baseDir, ref)) || ref;
  return { text: readScenarioText(path), simulateArgs: [path] };
}

/**
 * Reads and validates one scenario; its problems are the scenario's own `ScenarioError`, except one
 * without a place in the scenario (it cannot be read, no such built-in or preset), which is placed
 * where `place` says the sweep file names it.
 */
export function sweepScenario(ref: string, baseDir: string, place?: ScenarioIssue): SweepScenario {
  try {
    return readSweepScenario(ref, baseDir);
  } catch (err) {
    if (!place || !(err instanceof ScenarioError) || err.issues.some((issue) => issue.line > 0)) throw err;
    throw new ScenarioError(err.issues.map((issue) => ({ ...place, message: `${issue.source}: ${issue.message}` })), err.omitted);
  }
}

function readSweepScenario(ref: string, baseDir: string): SweepScenario {
  const { text, simulateArgs } = scenarioText(ref, baseDir);
  const scenario = parseScenario(text.text, text.source, { baseDir: text.baseDir });
  return {
    text,
    name: scenario.name,
    source: text.source,
    simulateArgs,
    endpoints: scenario.nodes.reduce((sum, node) => sum + 1 + node.pods.length, 0),
  };
}
