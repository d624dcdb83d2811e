import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentProcess, type AgentIdentity } from '../live/agent-process.ts';
import { AgentConfigError, readAgentConfigDirs } from '../live/agent-config-reader.ts';
import { INPUT_FILES } from '../scenario/input-file.ts';
import { directoryOption, durationOption, endpointsOption, fileOption, textOption, timeScaleOption, UsageError, type CommandSpec } from './command.ts';
import { printable } from '../printable.ts';
import { traceLine } from './trace-printer.ts';
import { commandSummary } from './command-index.ts';

/** The agent's own minimum policy resolve refresh rate. */
const agentPrrMsMin = 15_000;
const DEFAULT_DOMAIN = 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid';
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The reset file may not exist yet, but what is in its place must be a file, and its directory usable. */
function checkResetFile(path: string): void {
  if (path === '') throw new UsageError('--reset-file needs a file name');
  for (const [at, want] of [[path, 'file'], [dirname(path), 'directory']] as const) {
    try {
      const stat = statSync(at);
      if (want === 'file' ? stat.isDirectory() : !stat.isDirectory()) throw new UsageError(`--reset-file: ${at}: ${want === 'file' ? 'is a directory' : 'is not a directory'}`);
      return;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`--reset-file: ${at}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
}

export const agentCommand: CommandSpec = {
  name: 'agent',
  summary: commandSummary('agent'),
  positionals: '',
  maxPositionals: 0,
  options: {
    peer: { type: 'string', multiple: true, value: 'host:port', description: 'Configured peer (the anycast proxy), repeatable' },
    name: { type: 'string', value: 'name', description: "The agent's name (the node name)" },
    domain: { type: 'string', value: 'domain', description: `OpFlex domain (default ${DEFAULT_DOMAIN})` },
    'config-dir': { type: 'string', multiple: true, value: 'dir', description: 'Read name, domain and peers from the *.conf files here (as opflex-agent -c DIR -w; the host-agent writes 01-base.conf), watch them and reload on a change; repeatable; instead of --peer, --name and --domain' },
    mac: { type: 'string', value: 'mac', description: 'Uplink MAC sent in the identity', default: '00:00:00:00:00:00' },
    endpoints: { type: 'string', value: 'dir', description: 'Directory of .ep endpoint files, watched for changes' },
    'reset-file': { type: 'string', value: 'file', description: 'Reset file to watch (the host-agent writes reset.conf)' },
    'reset-wait-delay': { type: 'string', value: 's', description: 'Seconds after a PlatformConfig-delete reset in which a reset-file change is ignored', default: '5' },
    prr: { type: 'string', value: 's', description: 'Policy resolve refresh rate (seconds, or a duration such as 2h; at least 15 s)', default: '7200' },
    tls: { type: 'boolean', description: 'TLS without verifying the server (opflex.ssl.mode "encrypted")' },
    ca: { type: 'string', value: 'file', description: 'TLS verifying the server against this CA (mode "secure")' },
    'time-scale': { type: 'string', value: 'x', description: 'Run timers this many times faster', default: '1' },
    json: { type: 'boolean', description: 'Print events as NDJSON' },
  },
  async run(args, io) {
    const configDirs = ((args.values['config-dir'] as string[] | undefined) ?? []).map((dir) => directoryOption(dir, 'config-dir')!);
    const identity = configDirs.length > 0 ? identityFromConfig(configDirs, args.values) : identityFromFlags(args.values);
    const mac = String(args.values.mac).toLowerCase();
    if (!MAC.test(mac)) throw new UsageError(`--mac must be a MAC address such as 00:50:56:aa:01:01, got ${JSON.stringify(printable(String(args.values.mac)))}`);
    const timeScale = timeScaleOption(args.values['time-scale']);
    const prrMs = durationOption(args.values.prr, 'prr', { minMs: agentPrrMsMin })!;
    const resetWaitDelayMs = durationOption(args.values['reset-wait-delay'], 'reset-wait-delay')!;
    const endpointsDir = directoryOption(args.values.endpoints, 'endpoints');
    const resetFile = args.values['reset-file'] as string | undefined;
    if (resetFile !== undefined) checkResetFile(resetFile);
    const ca = fileOption(args.values.ca, 'ca', INPUT_FILES.tls);
    const json = Boolean(args.values.json);
    const proc = new AgentProcess({
      ...identity,
      mac,
      ...(configDirs.length > 0 ? { configDirs } : {}),
      ...(endpointsDir !== undefined ? { endpointsDir } : {}),
      ...(resetFile !== undefined ? { resetFile } : {}),
      timeScale,
      prrS: prrMs / 1000,
      resetWaitDelayS: resetWaitDelayMs / 1000,
      ...(ca ? { clientTls: { ca } } : args.values.tls ? { clientTls: { rejectUnauthorized: false } } : {}),
      seed: 1,
      onEvent: (e) => io.stdout.write(traceLine(e, json) + '\n'),
      onProblem: (p) => io.stderr.write(`opflex-twin agent: skipping ${printable(p.file)}: ${printable(p.message)}\n`),
    });
    proc.start();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await proc.stop();
    return 0;
  },
};

type Values = Record<string, unknown>;

function identityFromFlags(values: Values): AgentIdentity {
  const peers = endpointsOption(values.peer as string[] | undefined, 'peer');
  if (peers.length === 0) throw new UsageError('give at least one --peer host:port');
  const name = textOption(values.name as string | undefined, 'name');
  if (name === undefined) throw new UsageError('--name is required (the node name the anycast proxy knows)');
  const domain = textOption((values.domain as string | undefined) ?? DEFAULT_DOMAIN, 'domain')!;
  return { name, domain, peers };
}

/** The files give the name, domain and peers, as they do the reference agent: the flags may not compete. */
function identityFromConfig(dirs: string[], values: Values): AgentIdentity {
  const flags = (['peer', 'name', 'domain'] as const).filter((flag) => values[flag] !== undefined);
  if (flags.length > 0) throw new UsageError(`--config-dir gives the name, domain and peers: drop ${flags.map((f) => `--${f}`).join(', ')}`);
  let config;
  try {
    config = readAgentConfigDirs(dirs);
  } catch (err) {
    if (err instanceof AgentConfigError) throw new Error(printable(err.message));
    throw err;
  }
  const where = dirs.join(', ');
  if (config.name === undefined || config.domain === undefined) throw new Error(printable(`${where}: opflex.name and opflex.domain must be set in the configuration files (the host-agent writes them in 01-base.conf)`));
  if (config.peers.length === 0) throw new Error(printable(`${where}: no opflex.peers in the configuration files`));
  return { name: config.name, domain: config.domain, peers: config.peers };
}
