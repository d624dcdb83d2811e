/**
 * Our opflex-agent as a process of its own: real clock, real sockets, endpoints from `.ep` files
 * in a watched directory, and a watched reset file (the host-agent's reset.conf).
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

interface AgentProcessOptions {
  name: string;
  domain: string;
  mac: string;
  peers: Endpoint[];
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
  readonly agent: OpflexAgent;
  private readonly watchers: FSWatcher[] = [];
  private readonly current = new Map<string, string>();
  private rescanTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: AgentProcessOptions) {
    this.scheduler = new RealtimeScheduler(o.timeScale);
    this.trace = new Trace(this.scheduler, { record: false });
    this.trace.subscribe(o.onEvent);
    this.transport = new SocketTransport({ ...(o.clientTls ? { clientTls: o.clientTls } : {}) });
    this.agent = new OpflexAgent(
      {
        name: o.name,
        domain: o.domain,
        mac: o.mac,
        configuredPeers: o.peers,
        prrS: o.prrS,
        retryDelayS: 10,
        resetWaitDelayS: o.resetWaitDelayS,
        keepalive: { firstMs: 10_000, repeatMs: 15_000, timeoutMs: 120_000 },
        handshakeTimeoutMs: 45_000,
        reconnectPacingMs: 1250,
        platformConfigUri: platformConfigUri(o.domain),
      },
      this.scheduler,
      this.transport,
      this.trace,
      new RandomStreams(o.seed).stream(`agent:${o.name}`),
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
    this.rescanTimer = setTimeout(() => this.rescan(dir), 50);
  }

  /** Brings the agent's endpoints in line with the directory: added, changed and removed files. */
  private rescan(dir: string): void {
    const { endpoints, problems } = readEndpointDir(dir);
    for (const p of problems) this.o.onProblem(p);
    const seen = new Set<string>();
    for (const ep of endpoints) {
      seen.add(ep.uuid);
      const key = JSON.stringify(ep);
      if (this.current.get(ep.uuid) === key) continue;
      if (this.current.has(ep.uuid)) this.agent.removeEndpoint(ep.uuid);
      this.agent.addEndpoint(ep);
      this.current.set(ep.uuid, key);
    }
    for (const uuid of [...this.current.keys()]) {
      if (!seen.has(uuid)) {
        this.agent.removeEndpoint(uuid);
        this.current.delete(uuid);
      }
    }
  }
}
