import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentProcess, type AgentIdentity } from '../live/agent-process.ts';
import { AgentConfigError, readAgentConfigDirs } from '../live/agent-config-reader.ts';
import type { Endpoint } from '../transport/transport.ts';
import { INPUT_FILES } from '../scenario/input-file.ts';
import { defineCommand } from './command.ts';
import { directoryOption, fileOption } from './option-values.ts';
import { timeScaleOption } from './time-scale-option.ts';
import { UsageError } from './usage-error.ts';
import { errnoCode, errorMessage } from '../error-details.ts';
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
      const code = errnoCode(err);
      if (code !== 'ENOENT') throw new UsageError(`--reset-file: ${at}: ${code ?? errorMessage(err)}`);
    }
  }
}

export const agentCommand = defineCommand({
  name: 'agent',
  summary: commandSummary('agent'),
  positionals: '',
  maxPositionals: 0,
  options: {
    peer: { kind: 'endpoints', value: 'host:port', help: 'Configured peer (the anycast proxy), repeatable' },
    name: { kind: 'text', value: 'name', help: "The agent's name (the node name)" },
    domain: { kind: 'text', value: 'domain', help: `OpFlex domain (default ${DEFAULT_DOMAIN})` },
    'config-dir': { kind: 'repeatable', value: 'dir', help: 'Read name, domain and peers from the *.conf files here (as opflex-agent -c DIR -w; the host-agent writes 01-base.conf), watch them and reload on a change; repeatable; instead of --peer, --name and --domain' },
    mac: { kind: 'string', value: 'mac', help: 'Uplink MAC sent in the identity', default: '00:00:00:00:00:00' },
    endpoints: { kind: 'string', value: 'dir', help: 'Directory of .ep endpoint files, watched for changes' },
    'reset-file': { kind: 'string', value: 'file', help: 'Reset file to watch (the host-agent writes reset.conf)' },
    'reset-wait-delay': { kind: 'duration', value: 's', help: 'Seconds after a PlatformConfig-delete reset in which a reset-file change is ignored', default: '5' },
    prr: { kind: 'duration', minMs: agentPrrMsMin, value: 's', help: 'Policy resolve refresh rate (seconds, or a duration such as 2h; at least 15 s)', default: '7200' },
    tls: { kind: 'flag', help: 'TLS without verifying the server (opflex.ssl.mode "encrypted")' },
    ca: { kind: 'string', value: 'file', help: 'TLS verifying the server against this CA (mode "secure")' },
    'time-scale': timeScaleOption('Run timers this many times faster'),
    json: { kind: 'flag', help: 'Print events as NDJSON' },
  },
  async run({ options }, io) {
    const { 'time-scale': timeScale, prr: prrMs, 'reset-wait-delay': resetWaitDelayMs, 'reset-file': resetFile, json } = options;
    const configDirs = options['config-dir'].map((dir) => directoryOption(dir, 'config-dir') ?? dir);
    const flags = { peer: options.peer, name: options.name, domain: options.domain };
    const identity = configDirs.length > 0 ? identityFromConfig(configDirs, flags) : identityFromFlags(flags);
    const mac = options.mac.toLowerCase();
    if (!MAC.test(mac)) throw new UsageError(`--mac must be a MAC address such as 00:50:56:aa:01:01, got ${JSON.stringify(printable(options.mac))}`);
    const endpointsDir = directoryOption(options.endpoints, 'endpoints');
    if (resetFile !== undefined) checkResetFile(resetFile);
    const ca = fileOption(options.ca, 'ca', INPUT_FILES.tls);
    const proc = new AgentProcess({
      ...identity,
      mac,
      ...(configDirs.length > 0 ? { configDirs } : {}),
      ...(endpointsDir !== undefined ? { endpointsDir } : {}),
      ...(resetFile !== undefined ? { resetFile } : {}),
      timeScale,
      prrS: prrMs / 1000,
      resetWaitDelayS: resetWaitDelayMs / 1000,
      ...(ca ? { clientTls: { ca } } : options.tls ? { clientTls: { rejectUnauthorized: false } } : {}),
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
});

interface IdentityFlags {
  peer: Endpoint[];
  name: string | undefined;
  domain: string | undefined;
}

function identityFromFlags({ peer, name, domain }: IdentityFlags): AgentIdentity {
  if (peer.length === 0) throw new UsageError('give at least one --peer host:port');
  if (name === undefined) throw new UsageError('--name is required (the node name the anycast proxy knows)');
  return { name, domain: domain ?? DEFAULT_DOMAIN, peers: peer };
}

/** The files give the name, domain and peers, as they do the reference agent: the flags may not compete. */
function identityFromConfig(dirs: string[], flags: IdentityFlags): AgentIdentity {
  const given = [flags.peer.length > 0 ? '--peer' : '', flags.name !== undefined ? '--name' : '', flags.domain !== undefined ? '--domain' : ''].filter(Boolean);
  if (given.length > 0) throw new UsageError(`--config-dir gives the name, domain and peers: drop ${given.join(', ')}`);
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
