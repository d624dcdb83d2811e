import { loadBuiltinScenario } from '../scenario/builtin-scenarios.ts';
import { loadScenarioFile } from '../scenario/loader.ts';
import type { Scenario } from '../scenario/types.ts';
import { PRESET_NAMES, preset, presetYaml } from '../scenario/presets.ts';
import { parseVary, readScenarioText, scenarioWithOverrides, type Override, type ScenarioText } from '../scenario/variants.ts';
import { errorMessage } from '../error-details.ts';
import { UsageError } from './usage-error.ts';

/** A scenario file path when given, else the named built-in scenario. */
export function loadScenarioArgument(path: string | undefined, builtin = 'default'): Scenario {
  return path === undefined ? loadBuiltinScenario(builtin) : loadScenarioFile(path);
}

/** `--set KEY=VALUE` options as overrides (the keys `compare --vary` takes). */
export function setOverrides(sets: string[] | undefined): Override[] {
  return (sets ?? []).map((spec) => {
    let vary;
    try {
      vary = parseVary(spec);
    } catch (err) {
      throw new UsageError(`--set: ${errorMessage(err).replace('--vary takes KEY=V1,V2[,...]', 'takes KEY=VALUE')}`);
    }
    if (vary.values.length !== 1) throw new UsageError(`--set ${vary.key} takes one value; use compare --vary for several`);
    return { path: vary.path, value: vary.values[0] };
  });
}

/** The text of the scenario a command names: a file, a fabric-scale preset, or a built-in scenario. */
export function scenarioTextFor(path: string | undefined, builtin: string, presetName?: string): ScenarioText {
  if (presetName === undefined) return readScenarioText(path, builtin);
  if (path !== undefined) throw new UsageError('give a scenario file or --preset, not both');
  if (!PRESET_NAMES.some((name) => name === presetName)) throw new UsageError(`--preset must be one of ${PRESET_NAMES.join(', ')}, got "${presetName}"`);
  return { text: presetYaml(presetName), source: `preset:${preset(presetName).name}`, baseDir: process.cwd() };
}

/** The scenario a command names, with overrides applied (validated like a file that says the same). */
export function loadScenarioWith(path: string | undefined, builtin: string, overrides: Override[], presetName?: string): Scenario {
  if (overrides.length === 0 && presetName === undefined) return loadScenarioArgument(path, builtin);
  return scenarioWithOverrides(scenarioTextFor(path, builtin, presetName), overrides, overrides.map((o) => `${o.path.join('.')}=${JSON.stringify(o.value)}`).join(' '));
}
