import { holdSessions, resetStorm, resolveFlood } from '../live/load-client.ts';
import { agentResolveTargets } from '../live/resolve-targets.ts';
import { loadPolicyStore } from '../scenario/policy-source.ts';
import { buildPolicyUniverse } from '../model/policy-builder.ts';
import { policyClosure } from '../model/policy-closure.ts';
import { epgUri } from '../model/policy-builder.ts';
import { choiceOption, durationOption, endpointOption, endpointsOption, integerOption, UsageError, type CommandSpec } from './command.ts';
import { loadScenarioWith } from './scenario-argument.ts';
import { commandSummary } from './command-index.ts';

/** Most sessions one load run opens (each is a socket; past this the client's ports run out first). */
export const loadSessionsMax = 60_000;
/** Most requests outstanding per session in a resolve flood. */
export const loadInFlightMax = 10_000;
/** Most agents a storm starts. */
export const loadAgentsMax = 100_000;
/** The longest a load run measures or holds (1 hour). */
export const loadDurationMsMax = 3_600_000;

export const loadCommand: CommandSpec = {
  name: 'load',
  summary: commandSummary('load'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    mode: { type: 'string', value: 'hold|resolve|storm', description: 'What to do', default: 'resolve' },
    leaf: { type: 'string', multiple: true, value: 'host:port', description: 'Leaf addresses to load (hold, resolve)' },
    anycast: { type: 'string', value: 'host:port', description: 'Anycast address (storm)', default: '127.0.0.30:8009' },
    sessions: { type: 'string', value: 'n', description: 'Sessions (hold: to hold; resolve: to send on)', default: '8' },
    'in-flight': { type: 'string', value: 'n', description: 'Requests outstanding per session (resolve)', default: '32' },
    seconds: { type: 'string', value: 's', description: 'How long to measure (resolve) or hold (hold): seconds, or a duration such as 500ms', default: '5' },
    agents: { type: 'string', value: 'n', description: 'Agents for the first n nodes of the scenario (storm)', default: '100' },
    builtin: { type: 'string', value: 'name', description: 'Use a built-in scenario by name', default: 'default' },
    preset: { type: 'string', value: 'name', description: 'Use a fabric-scale preset (storm: the same as the emulator)' },
    'server-pid': { type: 'string', value: 'pid', description: "Also report that process's CPU time per reply (resolve; Linux, same machine)" },
    policy: { type: 'string', value: 'file', description: "Resolve what an agent resolves from this opflex_server policy file (resolve; the server must serve the same file), instead of the scenario's first EPG" },
  },
  async run(args, io) {
    const mode = choiceOption(args.values.mode, 'mode', ['hold', 'resolve', 'storm'] as const)!;
    const leaves = endpointsOption(args.values.leaf, 'leaf');
    const anycast = endpointOption(args.values.anycast, 'anycast')!;
    const sessions = integerOption(args.values.sessions, 'sessions', { min: 1, max: loadSessionsMax })!;
    const inFlight = integerOption(args.values['in-flight'], 'in-flight', { min: 1, max: loadInFlightMax })!;
    const durationMs = durationOption(args.values.seconds, 'seconds', { minMs: 1, maxMs: loadDurationMsMax })!;
    const serverPid = args.values['server-pid'] === undefined ? undefined : integerOption(args.values['server-pid'], 'server-pid', { min: 1, max: 2 ** 31 - 1 })!;
    const agents = integerOption(args.values.agents, 'agents', { min: 1, max: loadAgentsMax })!;
    if (mode !== 'storm' && leaves.length === 0) throw new UsageError(`--mode ${mode} needs --leaf host:port (repeatable)`);
    const scenario = loadScenarioWith(args.positionals[0], args.values.builtin as string, [], args.values.preset as string | undefined);
    let result: unknown;
    switch (mode) {
      case 'hold': {
        const held = await holdSessions(leaves, sessions, scenario.policy.domain, durationMs);
        await held.stop();
        result = { mode: 'hold', held: held.held, failed: held.failed, openMs: held.openMs };
        break;
      }
      case 'resolve': {
        if (args.values.policy !== undefined) {
          const file = args.values.policy as string;
          const uris = agentResolveTargets(loadPolicyStore(file));
          if (uris.length === 0) throw new UsageError(`--policy ${file} holds no PlatformConfig or GbpEpGroup to resolve`);
          result = { mode: 'resolve', ...(await resolveFlood(leaves, uris, sessions, inFlight, durationMs, scenario.policy.domain, serverPid)) };
          break;
        }
        const universe = buildPolicyUniverse(scenario.policy);
        // One EPG's closure: the flood measures serving from the leaf's cache, not APIC fetches.
        const first = scenario.policy.epgs[0];
        if (first === undefined) throw new UsageError('--mode resolve needs a scenario with at least one EPG in its policy section');
        const uris = policyClosure(universe, [{ subject: 'GbpEpGroup', uri: epgUri(scenario.policy.tenant, first.name) }]);
        result = { mode: 'resolve', ...(await resolveFlood(leaves, uris, sessions, inFlight, durationMs, scenario.policy.domain, serverPid)) };
        break;
      }
      case 'storm':
        result = { mode: 'storm', ...(await resetStorm(scenario, anycast, agents)) };
        break;
    }
    io.stdout.write(JSON.stringify(result) + '\n');
    return 0;
  },
};
