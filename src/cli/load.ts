import { holdSessions, resetStorm, resolveFlood } from '../live/load-client.ts';
import { agentResolveTargets } from '../live/resolve-targets.ts';
import { loadPolicyStore } from '../scenario/policy-source.ts';
import { buildPolicyUniverse } from '../model/policy-builder.ts';
import { policyClosure } from '../model/policy-closure.ts';
import { epgUri } from '../model/policy-builder.ts';
import { defineCommand } from './command.ts';
import { UsageError } from './usage-error.ts';
import { loadScenarioWith } from './scenario-argument.ts';
import { commandSummary } from './command-index.ts';

/** Most sessions one load run opens (each is a socket; past this the client's ports run out first). */
const loadSessionsMax = 60_000;
/** Most requests outstanding per session in a resolve flood. */
const loadInFlightMax = 10_000;
/** Most agents a storm starts. */
const loadAgentsMax = 100_000;
/** The longest a load run measures or holds (1 hour). */
const loadDurationMsMax = 3_600_000;

export const loadCommand = defineCommand({
  name: 'load',
  summary: commandSummary('load'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    mode: { kind: 'choice', choices: ['hold', 'resolve', 'storm'], value: 'hold|resolve|storm', help: 'What to do', default: 'resolve' },
    leaf: { kind: 'endpoints', value: 'host:port', help: 'Leaf addresses to load (hold, resolve)' },
    anycast: { kind: 'endpoint', value: 'host:port', help: 'Anycast address (storm)', default: '127.0.0.30:8009' },
    sessions: { kind: 'integer', min: 1, max: loadSessionsMax, value: 'n', help: 'Sessions (hold: to hold; resolve: to send on)', default: '8' },
    'in-flight': { kind: 'integer', min: 1, max: loadInFlightMax, value: 'n', help: 'Requests outstanding per session (resolve)', default: '32' },
    seconds: { kind: 'duration', minMs: 1, maxMs: loadDurationMsMax, value: 's', help: 'How long to measure (resolve) or hold (hold): seconds, or a duration such as 500ms', default: '5' },
    agents: { kind: 'integer', min: 1, max: loadAgentsMax, value: 'n', help: 'Agents for the first n nodes of the scenario (storm)', default: '100' },
    builtin: { kind: 'string', value: 'name', help: 'Use a built-in scenario by name', default: 'default' },
    preset: { kind: 'string', value: 'name', help: 'Use a fabric-scale preset (storm: the same as the emulator)' },
    'server-pid': { kind: 'integer', min: 1, max: 2 ** 31 - 1, value: 'pid', help: "Also report that process's CPU time per reply (resolve; Linux, same machine)" },
    policy: { kind: 'string', value: 'file', help: "Resolve what an agent resolves from this opflex_server policy file (resolve; the server must serve the same file), instead of the scenario's first EPG" },
  },
  async run({ positionals, options }, io) {
    const { mode, leaf: leaves, anycast, sessions, 'in-flight': inFlight, seconds: durationMs, agents, 'server-pid': serverPid } = options;
    if (mode !== 'storm' && leaves.length === 0) throw new UsageError(`--mode ${mode} needs --leaf host:port (repeatable)`);
    const scenario = loadScenarioWith(positionals[0], options.builtin, [], options.preset);
    let result: unknown;
    switch (mode) {
      case 'hold': {
        const held = await holdSessions(leaves, sessions, scenario.policy.domain, durationMs);
        await held.stop();
        result = { mode: 'hold', held: held.held, failed: held.failed, openMs: held.openMs };
        break;
      }
      case 'resolve': {
        const file = options.policy;
        if (file !== undefined) {
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
});
