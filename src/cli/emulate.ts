import { readFileSync } from 'node:fs';
import { Emulator } from '../live/emulator.ts';
import { loadPolicyStore } from '../scenario/policy-source.ts';
import { parseEndpoint } from '../transport/transport.ts';
import { UsageError, type CommandSpec } from './command.ts';
import { PRESET_NAMES } from '../scenario/presets.ts';
import { loadScenarioWith, setOverrides } from './scenario-argument.ts';
import { traceLine } from './trace-printer.ts';

/** Events shown by default: the ones a person follows during a live migration. */
const NOTABLE = new Set([
  'migration-start', 'stun-start', 'resume', 'garp', 'coop-update', 'bounce-installed', 'device-moved',
  'platform-config-delete-sent', 'platform-config-delete-missed', 'session-ready', 'session-closed', 'redirect',
  'odev-connected', 'odev-disconnected', 'odev-deleted', 'policy-download', 'annotation-set', 'reset-conf-written',
  'agent-reset', 'agent-reset-suppressed', 'identity-refused', 'endpoint-declared',
]);

export const emulateCommand: CommandSpec = {
  name: 'emulate',
  summary:
    'Run the fabric live: each leaf speaks OpFlex on its own loopback address, the anycast proxy redirects agents to the\n' +
    "leaf pair where their node is, and an HTTP control API lists the fabric and starts migrations.",
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    policy: { type: 'string', value: 'file', description: 'Serve this opflex_server policy file (JSON array of managed objects)' },
    'time-scale': { type: 'string', value: 'x', description: 'Run model timers this many times faster than the wall clock', default: '1' },
    'leaf-base': { type: 'string', value: 'ip', description: 'Address of the first leaf; the others follow', default: '127.0.0.101' },
    port: { type: 'string', value: 'n', description: 'OpFlex port of every leaf', default: '8009' },
    anycast: { type: 'string', value: 'host:port', description: 'Anycast OpFlex proxy address', default: '127.0.0.30:8009' },
    control: { type: 'string', value: 'host:port', description: 'HTTP control API address', default: '127.0.0.1:8080' },
    agents: { type: 'boolean', description: "Also run the twin's own agent for every node in this process" },
    'reset-dir': { type: 'string', value: 'dir', description: "Host-agents write <dir>/<node>/reset.conf here (for agents in other processes: agent --reset-file)" },
    'play-migrations': { type: 'boolean', description: "Also play the scenario's planned migrations at their times" },
    'tls-key': { type: 'string', value: 'file', description: 'Serve OpFlex over TLS with this PEM key' },
    'tls-cert': { type: 'string', value: 'file', description: 'and this PEM certificate' },
    set: { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'Change a setting, latency, timer or fault (as compare --vary), e.g. leafServe=0' },
    verbose: { type: 'boolean', short: 'v', description: 'Print every trace event, not only the notable ones' },
    json: { type: 'boolean', description: 'Print events as NDJSON' },
    builtin: { type: 'string', value: 'name', description: 'Use a built-in scenario by name', default: 'default' },
    preset: { type: 'string', value: 'name', description: `Use a fabric-scale preset: ${PRESET_NAMES.join(', ')}` },
  },
  async run(args, io) {
    const scenario = loadScenarioWith(args.positionals[0], args.values.builtin as string, setOverrides(args.values.set as string[] | undefined), args.values.preset as string | undefined);
    const timeScale = Number(args.values['time-scale']);
    if (!(timeScale > 0)) throw new UsageError(`--time-scale must be a positive number, got "${args.values['time-scale']}"`);
    const port = Number(args.values.port);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${args.values.port}"`);
    const endpoint = (name: string) => {
      try {
        return parseEndpoint(args.values[name] as string);
      } catch (err) {
        throw new UsageError(`--${name}: ${(err as Error).message}`);
      }
    };
    const key = args.values['tls-key'] as string | undefined;
    const cert = args.values['tls-cert'] as string | undefined;
    if ((key === undefined) !== (cert === undefined)) throw new UsageError('--tls-key and --tls-cert go together');
    const emulator = new Emulator({
      scenario,
      leafBase: args.values['leaf-base'] as string,
      port,
      anycast: endpoint('anycast'),
      control: endpoint('control'),
      timeScale,
      agents: Boolean(args.values.agents),
      playMigrations: Boolean(args.values['play-migrations']),
      ...(args.values['reset-dir'] ? { resetDir: args.values['reset-dir'] as string } : {}),
      ...(args.values.policy ? { policy: loadPolicyStore(args.values.policy as string) } : {}),
      ...(key && cert ? { tls: { key: readFileSync(key), cert: readFileSync(cert) } } : {}),
    });
    const json = Boolean(args.values.json);
    const verbose = Boolean(args.values.verbose);
    const reported = new Set<number>();
    emulator.subscribe((e) => {
      if (verbose || NOTABLE.has(e.event)) io.stdout.write(traceLine(e, json) + '\n');
      if (e.event !== 'converged' && e.event !== 'odev-connected' && e.event !== 'policy-present') return;
      for (const r of emulator.tracker.records) {
        if (!r.converged || reported.has(r.index) || json) continue;
        reported.add(r.index);
        const stun = r.milestones.find((m) => m.name === 'stun-start');
        const after = stun ? ` ${((r.convergedMs! - stun.tMs) / 1000).toFixed(3)} s after the switch-over` : '';
        io.stdout.write(`== migration ${r.index + 1}: ${r.node} ${r.from} -> ${r.to} converged${after}; ${r.downloads.length} objects downloaded at ${r.toPair}\n`);
      }
    });
    const { control } = await emulator.start();
    if (!json) {
      io.stdout.write(`opflex-twin emulate: ${scenario.name}${timeScale !== 1 ? ` (timers x${timeScale})` : ''}${key ? ', OpFlex over TLS' : ''}\n`);
      io.stdout.write(`  anycast OpFlex proxy  ${args.values.anycast}\n`);
      for (const [pair, leaves] of emulator.twin.pairs) io.stdout.write(`  ${pair.padEnd(20)} ${leaves.map((l) => `${l.name} ${l.endpoint}`).join(', ')}\n`);
      io.stdout.write(`  control API           http://${control.host}:${control.port}/  (GET /fabric /nodes /sessions /odevs /migrations /events /metrics, POST /migrations /policy)\n`);
      io.stdout.write(`Press Ctrl-C to stop.\n`);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await emulator.stop();
    return 0;
  },
};
