import { readFileSync } from 'node:fs';
import { AgentProcess } from '../live/agent-process.ts';
import { parseEndpoint } from '../transport/transport.ts';
import { integerOption, UsageError, type CommandSpec } from './command.ts';
import { traceLine } from './trace-printer.ts';

export const agentCommand: CommandSpec = {
  name: 'agent',
  summary:
    "Run the twin's opflex-agent as its own process against the emulator (or a real leaf): identity through the\n" +
    'configured peer, the redirect to the leaf pair, resolves and endpoint declares, resets on a PlatformConfig delete or reset file.',
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
    prr: { type: 'string', value: 's', description: 'Policy resolve refresh rate', default: '7200' },
    tls: { type: 'boolean', description: 'TLS without verifying the server (opflex.ssl.mode "encrypted")' },
    ca: { type: 'string', value: 'file', description: 'TLS verifying the server against this CA (mode "secure")' },
    'time-scale': { type: 'string', value: 'x', description: 'Run timers this many times faster', default: '1' },
    json: { type: 'boolean', description: 'Print events as NDJSON' },
  },
  async run(args, io) {
    const peers = (args.values.peer as string[] | undefined) ?? [];
    if (peers.length === 0) throw new UsageError('Give at least one --peer host:port');
    const name = args.values.name as string | undefined;
    if (!name) throw new UsageError('--name is required (the node name the anycast proxy knows)');
    let endpoints;
    try {
      endpoints = peers.map(parseEndpoint);
    } catch (err) {
      throw new UsageError(`--peer: ${(err as Error).message}`);
    }
    const ca = args.values.ca as string | undefined;
    const json = Boolean(args.values.json);
    const proc = new AgentProcess({
      name,
      domain: args.values.domain as string,
      mac: (args.values.mac as string).toLowerCase(),
      peers: endpoints,
      ...(args.values.endpoints ? { endpointsDir: args.values.endpoints as string } : {}),
      ...(args.values['reset-file'] ? { resetFile: args.values['reset-file'] as string } : {}),
      timeScale: Number(args.values['time-scale']),
      prrS: integerOption(args.values.prr, 'prr')!,
      resetWaitDelayS: integerOption(args.values['reset-wait-delay'], 'reset-wait-delay')!,
      ...(ca ? { clientTls: { ca: readFileSync(ca) } } : args.values.tls ? { clientTls: { rejectUnauthorized: false } } : {}),
      seed: 1,
      onEvent: (e) => io.stdout.write(traceLine(e, json) + '\n'),
      onProblem: (p) => io.stderr.write(`opflex-twin agent: skipping ${p.file}: ${p.message}\n`),
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
