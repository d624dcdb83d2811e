import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentProcess } from '../live/agent-process.ts';
import { INPUT_FILES } from '../scenario/input-file.ts';
import { directoryOption, durationOption, endpointsOption, fileOption, textOption, timeScaleOption, UsageError, type CommandSpec } from './command.ts';
import { printable } from '../printable.ts';
import { traceLine } from './trace-printer.ts';
import { commandSummary } from './command-index.ts';

/** The agent's own minimum policy resolve refresh rate. */
const agentPrrMsMin = 15_000;
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
    domain: { type: 'string', value: 'domain', description: 'OpFlex domain', default: 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid' },
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
    const endpoints = endpointsOption(args.values.peer, 'peer');
    if (endpoints.length === 0) throw new UsageError('give at least one --peer host:port');
    const name = textOption(args.values.name, 'name');
    if (name === undefined) throw new UsageError('--name is required (the node name the anycast proxy knows)');
    const domain = textOption(args.values.domain, 'domain')!;
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
      name,
      domain,
      mac,
      peers: endpoints,
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
