import { holdSessions, resetStorm, resolveFlood } from '../live/load-client.ts';
import { buildPolicyUniverse } from '../model/policy-builder.ts';
import { policyClosure } from '../model/policy-closure.ts';
import { epgUri } from '../model/policy-builder.ts';
import { parseEndpoint, type Endpoint } from '../transport/transport.ts';
import { integerOption, UsageError, type CommandSpec } from './command.ts';
import { loadScenarioWith } from './scenario-argument.ts';

export const loadCommand: CommandSpec = {
  name: 'load',
  summary:
    'Load a running emulator from this process and print the figures as JSON: hold many sessions, flood policy_resolve,\n' +
    'or bootstrap full agents and reset them all at once (the benchmark uses it).',
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    mode: { type: 'string', value: 'hold|resolve|storm', description: 'What to do', default: 'resolve' },
    leaf: { type: 'string', multiple: true, value: 'host:port', description: 'Leaf addresses to load (hold, resolve)' },
    anycast: { type: 'string', value: 'host:port', description: 'Anycast address (storm)', default: '127.0.0.30:8009' },
    sessions: { type: 'string', value: 'n', description: 'Sessions (hold: to hold; resolve: to send on)', default: '8' },
    'in-flight': { type: 'string', value: 'n', description: 'Requests outstanding per session (resolve)', default: '32' },
    seconds: { type: 'string', value: 's', description: 'How long to measure (resolve) or hold (hold)', default: '5' },
    agents: { type: 'string', value: 'n', description: 'Agents for the first n nodes of the scenario (storm)', default: '100' },
    builtin: { type: 'string', value: 'name', description: 'Use a built-in scenario by name', default: 'default' },
    preset: { type: 'string', value: 'name', description: 'Use a fabric-scale preset (storm: the same as the emulator)' },
  },
  async run(args, io) {
    const scenario = loadScenarioWith(args.positionals[0], args.values.builtin as string, [], args.values.preset as string | undefined);
    const leaves: Endpoint[] = ((args.values.leaf as string[] | undefined) ?? []).map(parseEndpoint);
    const seconds = Number(args.values.seconds);
    let result: unknown;
    switch (args.values.mode) {
      case 'hold': {
        if (leaves.length === 0) throw new UsageError('--mode hold needs --leaf host:port (repeatable)');
        const held = await holdSessions(leaves, integerOption(args.values.sessions, 'sessions')!, scenario.policy.domain, seconds * 1000);
        await held.stop();
        result = { mode: 'hold', held: held.held, failed: held.failed, openMs: held.openMs };
        break;
      }
      case 'resolve': {
        if (leaves.length === 0) throw new UsageError('--mode resolve needs --leaf host:port (repeatable)');
        const universe = buildPolicyUniverse(scenario.policy);
        // One EPG's closure: the flood measures serving from the leaf's cache, not APIC fetches.
        const first = scenario.policy.epgs[0]!;
        const uris = policyClosure(universe, [{ subject: 'GbpEpGroup', uri: epgUri(scenario.policy.tenant, first.name) }]);
        result = { mode: 'resolve', ...(await resolveFlood(leaves, uris, integerOption(args.values.sessions, 'sessions')!, integerOption(args.values['in-flight'], 'in-flight')!, seconds * 1000, scenario.policy.domain)) };
        break;
      }
      case 'storm':
        result = { mode: 'storm', ...(await resetStorm(scenario, parseEndpoint(args.values.anycast as string), integerOption(args.values.agents, 'agents')!)) };
        break;
      default:
        throw new UsageError(`--mode must be hold, resolve or storm, got "${args.values.mode}"`);
    }
    io.stdout.write(JSON.stringify(result) + '\n');
    return 0;
  },
};
