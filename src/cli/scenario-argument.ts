import { loadBuiltinScenario, loadScenarioFile } from '../scenario/loader.ts';
import type { Scenario } from '../scenario/types.ts';

/** A scenario file path when given, else the named built-in scenario. */
export function loadScenarioArgument(path: string | undefined, builtin = 'default'): Scenario {
  return path === undefined ? loadBuiltinScenario(builtin) : loadScenarioFile(path);
}
