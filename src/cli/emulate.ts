import { Emulator, type EmulatorOptions } from '../live/emulator.ts';
import { AddressPlanError } from '../live/pod-address-plan.ts';
import { INPUT_FILES } from '../scenario/input-file.ts';
import { loadPolicyStore } from '../scenario/policy-source.ts';
import { ListenError } from '../transport/socket-transport.ts';
import { formatEndpoint, type Endpoint } from '../transport/transport.ts';
import { defineCommand } from './command.ts';
import { timeScaleOption } from './time-scale-option.ts';
import { directoryOption, fileOption } from './option-values.ts';
import { UsageError } from './usage-error.ts';
import { errorMessage } from '../error-details.ts';
import { printable } from '../printable.ts';
import { PRESET_NAMES } from '../scenario/presets.ts';
import { loadScenarioWith, setOverrides } from './scenario-argument.ts';
import { traceLine } from './trace-printer.ts';
import { commandSummary } from './command-index.ts';

/** Events shown by default: the ones a person follows during a live migration. */
const NOTABLE = new Set([
  'migration-start', 'stun-start', 'resume', 'garp', 'coop-update', 'bounce-installed', 'device-moved',
  'platform-config-delete-sent', 'platform-config-delete-missed', 'session-ready', 'session-closed', 'redirect',
  'odev-connected', 'odev-disconnected', 'odev-deleted', 'policy-download', 'annotation-set', 'reset-conf-written',
  'agent-reset', 'agent-reset-suppressed', 'identity-refused', 'endpoint-declared',
]);

export const emulateCommand = defineCommand({
  name: 'emulate',
  summary: commandSummary('emulate'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    policy: { kind: 'string', value: 'file', help: 'Serve this opflex_server policy file (JSON array of managed objects)' },
    'time-scale': timeScaleOption('Run model timers this many times faster than the wall clock'),
    'leaf-base': { kind: 'ipv4', value: 'ip', help: "Address of the first leaf; the others follow (a multipod fabric's next pod starts 256 addresses on: 127.0.1.101)", default: '127.0.0.101' },
    port: { kind: 'port', value: 'n', help: 'OpFlex port of every leaf', default: '8009' },
    anycast: { kind: 'endpoint', value: 'host:port', help: "Anycast OpFlex proxy address (a multipod fabric's next pod: 256 addresses on, 127.0.1.30, same port)", default: '127.0.0.30:8009' },
    control: { kind: 'endpoint', allowAny: true, value: 'host:port', help: 'HTTP control API address', default: '127.0.0.1:8080' },
    agents: { kind: 'flag', help: "Also run the twin's own agent for every node in this process" },
    'reset-dir': { kind: 'string', value: 'dir', help: 'Host-agents write <dir>/<node>/reset.conf and the agent configuration <dir>/<node>/01-base.conf (peer: the loopback address of its pod\'s anycast proxy) and 10-renderer.conf here, for agents in other processes: agent --config-dir <dir>/<node> (or --reset-file <dir>/<node>/reset.conf)' },
    'play-migrations': { kind: 'flag', help: "Also play the scenario's planned migrations at their times" },
    'tls-key': { kind: 'string', value: 'file', help: 'Serve OpFlex over TLS with this PEM key' },
    'tls-cert': { kind: 'string', value: 'file', help: 'and this PEM certificate' },
    set: { kind: 'repeatable', value: 'KEY=VALUE', help: 'Change a setting, latency, timer or fault (as compare --vary), e.g. leafServe=0' },
    verbose: { kind: 'flag', short: 'v', help: 'Print every trace event, not only the notable ones' },
    json: { kind: 'flag', help: 'Print events as NDJSON' },
    builtin: { kind: 'string', value: 'name', help: 'Use a built-in scenario by name', default: 'default' },
    preset: { kind: 'string', value: 'name', help: `Use a fabric-scale preset: ${PRESET_NAMES.join(', ')}` },
  },
  async run({ positionals, options }, io) {
    const { 'time-scale': timeScale, port, 'leaf-base': leafBase, anycast, control, 'tls-key': keyPath, 'tls-cert': certPath, json, verbose } = options;
    const resetDir = directoryOption(options['reset-dir'], 'reset-dir', true);
    if ((keyPath === undefined) !== (certPath === undefined)) throw new UsageError('--tls-key and --tls-cert go together');
    const key = fileOption(keyPath, 'tls-key', INPUT_FILES.tls);
    const cert = fileOption(certPath, 'tls-cert', INPUT_FILES.tls);
    const scenario = loadScenarioWith(positionals[0], options.builtin, setOverrides(options.set), options.preset);
    const leafCount = scenario.fabric.leafPairs.length * 2;
    if (ipv4Number(leafBase) + leafCount - 1 > 0xffffffff) throw new UsageError(`--leaf-base ${leafBase} leaves no room for the scenario's ${leafCount} leaf addresses`);
    const emulator = constructEmulator({
      scenario,
      leafBase,
      port,
      anycast,
      control,
      timeScale,
      agents: options.agents,
      playMigrations: options['play-migrations'],
      ...(resetDir !== undefined ? { resetDir } : {}),
      ...(options.policy !== undefined ? { policy: loadPolicyStore(options.policy) } : {}),
      ...(key && cert ? { tls: { key, cert } } : {}),
    });
    const reported = new Set<number>();
    emulator.subscribe((e) => {
      if (verbose || NOTABLE.has(e.event)) io.stdout.write(traceLine(e, json) + '\n');
      if (e.event !== 'converged' && e.event !== 'odev-connected' && e.event !== 'policy-present') return;
      for (const r of emulator.tracker.records) {
        if (r.convergedMs === undefined || reported.has(r.index) || json) continue;
        reported.add(r.index);
        const stun = r.milestones.find((m) => m.name === 'stun-start');
        const after = stun ? ` ${((r.convergedMs - stun.tMs) / 1000).toFixed(3)} s after the switch-over` : '';
        io.stdout.write(printable(`== migration ${r.index + 1}: ${r.node} ${r.from} -> ${r.to} converged${after}; ${r.downloads.length} objects downloaded at ${r.toPair}`) + '\n');
      }
    });
    let listening: Endpoint;
    try {
      ({ control: listening } = await emulator.start());
    } catch (err) {
      await emulator.stop().catch(() => undefined);
      throw new Error(listenFailure(err, anycast));
    }
    if (!json) {
      io.stdout.write(`opflex-twin emulate: ${printable(scenario.name)}${timeScale !== 1 ? ` (timers x${timeScale})` : ''}${key ? ', OpFlex over TLS' : ''}\n`);
      const pods = emulator.addresses.pods;
      for (const pod of pods) {
        const label = pods.length > 1 ? `pod ${pod.id} anycast proxy` : 'anycast OpFlex proxy';
        const mapped = pods.length > 1 ? `  (fabric ${formatEndpoint(pod.fabricAnycast)}${pod.tepPool ? `, TEP pool ${pod.tepPool}` : ''})` : '';
        io.stdout.write(printable(`  ${label.padEnd(20)} ${formatEndpoint(pod.anycast)}${mapped}`) + '\n');
        for (const pair of pod.leafPairs) {
          const leaves = emulator.twin.pairs.get(pair) ?? [];
          io.stdout.write(printable(`  ${pair.padEnd(20)} ${leaves.map((l) => `${l.name} ${l.endpoint}`).join(', ')}`) + '\n');
        }
      }
      if (emulator.agentConfigs) io.stdout.write(printable(`  agent configuration  ${emulator.agentConfigs.dirOf('<node>')}/01-base.conf  (agent --config-dir ${emulator.agentConfigs.dirOf('<node>')})`) + '\n');
      io.stdout.write(`  control API           http://${listening.host}:${listening.port}/  (GET /fabric /nodes /sessions /odevs /migrations /events /metrics, POST /migrations /policy)\n`);
      io.stdout.write(`Press Ctrl-C to stop.\n`);
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await emulator.stop();
    return 0;
  },
});

/** The emulator, or a usage error when the addresses chosen cannot hold every pod's listeners. */
function constructEmulator(options: EmulatorOptions): Emulator {
  try {
    return new Emulator(options);
  } catch (err) {
    if (err instanceof AddressPlanError) throw new UsageError(err.message);
    throw err;
  }
}

function ipv4Number(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** A listener that could not be bound, as one line naming the option that chose its address. */
function listenFailure(err: unknown, anycast: Endpoint): string {
  const message = errorMessage(err);
  if (err instanceof ListenError) {
    const at = err.endpoint;
    const option = at.host === anycast.host && at.port === anycast.port ? '--anycast' : '--leaf-base and --port';
    return `${message}; choose another address with ${option}`;
  }
  if (/control api/i.test(message)) return `${message.replace(/^Control API/, 'the control API')}; choose another address with --control (port 0 picks a free one)`;
  return message;
}
