/**
 * Our opflex-agent as a process of its own: real clock, real sockets, endpoints from `.ep` files
 * in a watched directory, and a watched reset file (the host-agent's reset.conf).
 *
 * With configuration directories (the reference agent's `-c DIR -w`) the name, domain and peers come
 * from their `*.conf` files, and a change to one of those files reloads the agent as the reference
 * AgentLauncher does ("Triggering reload because of change to ..."): the running agent stops, closing
 * every session, and a new one built from the files bootstraps to the configured peers. A `reset.conf`
 * in such a directory triggers a peer reset instead, as it does there.
 */
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { RandomStreams } from '../kernel/random.ts';
import { RealtimeScheduler } from '../kernel/realtime-scheduler.ts';
import { Trace, type TraceEvent } from '../kernel/trace.ts';
import { platformConfigUri } from '../model/policy-builder.ts';
import { OpflexAgent } from '../opflex/agent.ts';
import type { LocalEndpoint } from '../opflex/agent-processor.ts';
import { SocketTransport, type SocketTransportOptions } from '../transport/socket-transport.ts';
import type { Endpoint } from '../transport/transport.ts';
import { readEndpointDir, type EndpointFileProblem } from './endpoint-files.ts';
import { AgentConfigError, isAgentConfigFileName, readAgentConfigDirs } from './agent-config-reader.ts';
import { formatEndpoint } from '../transport/transport.ts';

/** Quiet time after the last change event in a watched directory before it is read (one write fires several events). */
const watchSettleMs = 50;

/** The agent's identity and peers, from the command line or from configuration files. */
export interface AgentIdentity {
  name: string;
  domain: string;
  peers: Endpoint[];
}

interface AgentProcessOptions extends AgentIdentity {
  mac: string;
  /** Configuration directories watched for changes; the identity above is what they gave at start. */
  configDirs?: string[];
  endpointsDir?: string;
  /** Endpoints given directly (tests, embedding) instead of, or before, a directory. */
  endpoints?: LocalEndpoint[];
  resetFile?: string;
  timeScale: number;
  prrS: number;
  resetWaitDelayS: number;
  clientTls?: SocketTransportOptions['clientTls'];
  seed: number;
  onEvent(e: TraceEvent): void;
  onProblem(p: EndpointFileProblem): void;
}

export class AgentProcess {
  readonly scheduler: RealtimeScheduler;
  readonly transport: SocketTransport;
  readonly trace: Trace;
  private current: OpflexAgent;
  private identity: AgentIdentity;
  private readonly watchers: FSWatcher[] = [];
  private readonly endpoints = new Map<string, { key: string; endpoint: LocalEndpoint }>();
  private rescanTimer: NodeJS.Timeout | undefined;
  private configTimer: NodeJS.Timeout | undefined;
  private reloads = 0;

  constructor(private readonly o: AgentProcessOptions) {
    this.scheduler = new RealtimeScheduler(o.timeScale);
    this.trace = new Trace(this.scheduler, { record: false });
    this.trace.subscribe(o.onEvent);
    this.transport = new SocketTransport({ ...(o.clientTls ? { clientTls: o.clientTls } : {}) });
    this.identity = { name: o.name, domain: o.domain, peers: o.peers };
    this.current = this.buildAgent(this.identity);
  }

  /** The agent running now (a reload replaces it). */
  get agent(): OpflexAgent {
    return this.current;
  }

  private buildAgent(identity: AgentIdentity): OpflexAgent {
    const o = this.o;
    return new OpflexAgent(
      {
        name: identity.name,
        domain: identity.domain,
        mac: o.mac,
        configuredPeers: identity.peers,
        prrS: o.prrS,
        retryDelayS: 10,
        resetWaitDelayS: o.resetWaitDelayS,
        keepalive: { firstMs: 10_000, repeatMs: 15_000, timeoutMs: 120_000 },
        handshakeTimeoutMs: 45_000,
        reconnectPacingMs: 1250,
        platformConfigUri: platformConfigUri(identity.domain),
      },
      this.scheduler,
      this.transport,
      this.trace,
      new RandomStreams(o.seed + this.reloads).stream(`agent:${identity.name}`),
    );
  }

  start(): void {
    this.agent.start();
    for (const ep of this.o.endpoints ?? []) this.agent.addEndpoint(ep);
    const dir = this.o.endpointsDir;
    if (dir) {
      this.rescan(dir);
      this.watch(dir, () => this.scheduleRescan(dir));
    }
    const configDirs = this.o.configDirs ?? [];
    for (const dir of configDirs) {
      this.watch(dir, (changed) => {
        if (changed === 'reset.conf') this.agent.onResetFileChanged();
        else if (changed === null || isAgentConfigFileName(changed)) this.scheduleConfigRead(configDirs);
      });
    }
    if (this.o.resetFile) {
      const file = basename(this.o.resetFile);
      mkdirSync(dirname(this.o.resetFile), { recursive: true });
      this.watch(dirname(this.o.resetFile), (changed) => {
        if (changed === file) this.agent.onResetFileChanged();
      });
    }
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.close();
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    if (this.configTimer) clearTimeout(this.configTimer);
    this.agent.stop();
    this.scheduler.stop();
    await this.transport.shutdown('agent stopped');
  }

  /** A watched directory that goes away (or any watcher error) is reported once, not thrown from the event loop. */
  private watch(dir: string, onChange: (changed: string | null) => void): void {
    const watcher = watch(dir, (_event, changed) => onChange(changed === null ? null : String(changed)));
    watcher.on('error', (err: NodeJS.ErrnoException) => {
      this.o.onProblem({ file: dir, message: `stopped watching: ${err.code ?? err.message}` });
      watcher.close();
    });
    this.watchers.push(watcher);
  }

  private scheduleRescan(dir: string): void {
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => this.rescan(dir), watchSettleMs);
  }

  private scheduleConfigRead(dirs: string[]): void {
    if (this.configTimer) clearTimeout(this.configTimer);
    this.configTimer = setTimeout(() => this.readConfig(dirs), watchSettleMs);
  }

  /**
   * Reads the configuration directories again and reloads when the name, domain or peers changed. A file
   * that no longer reads is reported in one line and the running agent carries on (the reference agent
   * exits on it and is restarted by its container). A rewrite with the same content does not reload
   * here; the reference reloads on every write event (docs/live-multipod.md).
   */
  private readConfig(dirs: string[]): void {
    let identity: AgentIdentity;
    try {
      const config = readAgentConfigDirs(dirs);
      if (config.name === undefined || config.domain === undefined) throw new AgentConfigError(`${dirs.join(', ')}: opflex.name and opflex.domain must be set`);
      if (config.peers.length === 0) throw new AgentConfigError(`${dirs.join(', ')}: no opflex.peers in the configuration`);
      identity = { name: config.name, domain: config.domain, peers: config.peers };
    } catch (err) {
      if (!(err instanceof AgentConfigError)) throw err;
      this.o.onProblem({ file: dirs.join(', '), message: `configuration not reloaded: ${err.message}` });
      return;
    }
    if (sameIdentity(identity, this.identity)) return;
    this.reload(identity);
  }

  private reload(identity: AgentIdentity): void {
    this.trace.emit(`agent:${this.identity.name}`, 'agent-reload', { node: this.identity.name, peers: identity.peers.map(formatEndpoint).join(','), previous: this.identity.peers.map(formatEndpoint).join(',') });
    this.current.stop();
    this.reloads++;
    this.identity = identity;
    this.current = this.buildAgent(identity);
    this.current.start();
    for (const ep of this.o.endpoints ?? []) this.current.addEndpoint(ep);
    for (const { endpoint } of this.endpoints.values()) this.current.addEndpoint(endpoint);
  }

  /** Brings the agent's endpoints in line with the directory: added, changed and removed files. */
  private rescan(dir: string): void {
    const { endpoints, problems } = readEndpointDir(dir);
    for (const p of problems) this.o.onProblem(p);
    const seen = new Set<string>();
    for (const ep of endpoints) {
      seen.add(ep.uuid);
      const key = JSON.stringify(ep);
      if (this.endpoints.get(ep.uuid)?.key === key) continue;
      if (this.endpoints.has(ep.uuid)) this.agent.removeEndpoint(ep.uuid);
      this.agent.addEndpoint(ep);
      this.endpoints.set(ep.uuid, { key, endpoint: ep });
    }
    for (const uuid of [...this.endpoints.keys()]) {
      if (!seen.has(uuid)) {
        this.agent.removeEndpoint(uuid);
        this.endpoints.delete(uuid);
      }
    }
  }
}

function sameIdentity(a: AgentIdentity, b: AgentIdentity): boolean {
  return a.name === b.name && a.domain === b.domain && a.peers.map(formatEndpoint).join(',') === b.peers.map(formatEndpoint).join(',');
}
