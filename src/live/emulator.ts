/**
 * The live fabric: the same twin as the simulation, on the real clock (optionally scaled) and real
 * sockets. Each leaf listens on its own loopback address, the anycast proxy on another; agents (ours
 * or the reference opflex-agent) connect over TCP or TLS. Migrations start through the control API.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RandomStreams } from '../kernel/random.ts';
import { RealtimeScheduler } from '../kernel/realtime-scheduler.ts';
import { Trace, type TraceEvent } from '../kernel/trace.ts';
import type { ObjectStore } from '../model/object-store.ts';
import { validatePolicyUpdate } from '../model/policy-validation.ts';
import { MigrationTracker } from '../report/migration-tracker.ts';
import { policyUniverseFor } from '../scenario/policy-source.ts';
import type { Scenario } from '../scenario/types.ts';
import { SocketTransport, type SocketTransportOptions } from '../transport/socket-transport.ts';
import { formatEndpoint, type Endpoint } from '../transport/transport.ts';
import { Twin } from '../twin.ts';
import { ControlApi, type ControlledFabric } from './control-api.ts';
import { MigrationRefused, quoteName } from './migration-refusal.ts';
import { renderMetrics, TraceCounters } from './metrics.ts';
import { OPFLEX_METHODS, watchFabricSide } from './fabric-side-messages.ts';
import { MessageCounter } from '../report/message-counter.ts';
import { PodAddressPlan } from './pod-address-plan.ts';
import { AgentConfigFiles } from './agent-config-writer.ts';
import type { AgentConfiguration } from '../host/host-agent.ts';
import { ACI_POD_SUBNET_ANNOTATION } from '../host/kube-api.ts';

export interface EmulatorOptions {
  scenario: Scenario;
  /**
   * First leaf address; the next leaves take the following addresses (127.0.0.101, .102, ...). In a
   * multipod fabric each further pod takes the next block of 256 (127.0.1.101, ...; pod-address-plan.ts).
   */
  leafBase: string;
  port: number;
  /** The (first pod's) anycast proxy; a further pod's is the same address in its block (127.0.1.30, ...). */
  anycast: Endpoint;
  control: Endpoint;
  timeScale: number;
  policy?: ObjectStore;
  /** Run the twin's own agents for the scenario's nodes in this process. */
  agents: boolean;
  /** Also play the scenario's planned migrations at their times. */
  playMigrations?: boolean;
  tls?: SocketTransportOptions['tls'];
  /**
   * Host-agents write `<dir>/<node>/reset.conf` and the agent configuration `<dir>/<node>/01-base.conf`
   * (with 10-renderer.conf) here, for agents in other processes to watch (`agent --config-dir <dir>/<node>`).
   */
  resetDir?: string;
  /** Events kept for /events replay. */
  recentEventLimit?: number;
}

/** Writes the current time into `<dir>/<node>/reset.conf`, as the host-agent does. */
function resetConfWriter(dir: string, node: string): () => void {
  const file = join(dir, node, 'reset.conf');
  return () => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${new Date().toISOString()}\n`);
  };
}

export class Emulator implements ControlledFabric {
  readonly scheduler: RealtimeScheduler;
  readonly transport: SocketTransport;
  readonly trace: Trace;
  readonly twin: Twin;
  readonly tracker: MigrationTracker;
  readonly counters = new TraceCounters();
  /** OpFlex messages between agents and the fabric, by method and direction (for /metrics and the dashboard's rates). */
  readonly messages = new MessageCounter(OPFLEX_METHODS);
  readonly control: ControlApi;
  /** Where each pod's anycast proxy and leaves listen. */
  readonly addresses: PodAddressPlan;
  /** The agent configuration files the host-agents write (with --reset-dir). */
  readonly agentConfigs: AgentConfigFiles | undefined;
  /** Ring buffer of the latest events, for /events replay. */
  private readonly recent: TraceEvent[] = [];
  private recentNext = 0;
  private readonly recentLimit: number;
  private controlAddress: Endpoint | undefined;

  constructor(private readonly options: EmulatorOptions) {
    // A live fabric boots for real: agents, ours or not, connect over sockets (a steady start
    // conjures connections, which only the simulation can).
    const s: Scenario = { ...options.scenario, start: 'cold' };
    // Connection failures and failing timer callbacks are reported as trace events; the process goes on.
    const fault = (connection: string, reason: string) => this.trace.emit('transport', 'connection-error', { connection, reason });
    this.scheduler = new RealtimeScheduler(options.timeScale, (err) => fault('timer', `callback failed: ${err instanceof Error ? err.message : String(err)}`));
    this.trace = new Trace(this.scheduler, { record: false });
    const { resetDir } = options;
    this.transport = new SocketTransport({ ...(options.tls ? { tls: options.tls } : {}), onConnectionError: (e) => fault(e.connection, e.reason) });
    this.recentLimit = options.recentEventLimit ?? 10_000;
    this.addresses = new PodAddressPlan(s.fabric, { anycast: options.anycast, leafBase: options.leafBase, port: options.port });
    const agentConfigs = resetDir !== undefined ? new AgentConfigFiles(resetDir, this.addresses) : undefined;
    this.agentConfigs = agentConfigs;
    this.twin = new Twin(s, {
      scheduler: this.scheduler,
      transport: watchFabricSide(this.transport, this.messages.observe),
      trace: this.trace,
      random: new RandomStreams(s.seed),
      leafEndpoint: (leaf) => this.addresses.leafEndpoint(leaf.pair, indexInPair(s, leaf.pair, leaf.name), options.port),
      anycastEndpoint: this.addresses.first.anycast,
      agents: options.agents,
      playMigrations: options.playMigrations ?? false,
      podAnycastEndpoint: (podId) => this.addresses.anycastOf(podId),
      ...(resetDir ? { resetConfWriter: (node: string) => resetConfWriter(resetDir, node) } : {}),
      // The multipod host-agent's rewritten configuration goes to the files an agent in another process
      // reads; the twin's own agents (--agents) reload it in this process instead.
      ...(agentConfigs && !options.agents
        ? { agentConfigWriter: (node: string, config: AgentConfiguration) => agentConfigs.write(node, { name: config.name, domain: config.domain, peers: config.peers.map((p) => ({ host: p.hostname, port: p.port })) }) }
        : {}),
      policy: options.policy ?? policyUniverseFor(s.policy),
    });
    this.tracker = new MigrationTracker(this.twin.trackerContext());
    this.control = new ControlApi(this);
    this.trace.subscribe((e) => {
      this.recent[this.recentNext++ % this.recentLimit] = e;
      this.tracker.onEvent(e);
      this.counters.onEvent(e);
      this.control.broadcast(e);
    });
  }

  /** Binds every leaf, the anycast proxy and the control API; rejects naming the address that failed. */
  async start(): Promise<{ control: Endpoint }> {
    this.writeAgentConfigs();
    this.twin.start();
    await this.transport.whenListening();
    const address = await this.control.listen(this.options.control.host, this.options.control.port);
    this.controlAddress = { host: address.address, port: address.port };
    return { control: this.controlAddress };
  }

  /** What the host-agent writes when it starts: each node's agent configuration, peer its pod's anycast proxy. */
  private writeAgentConfigs(): void {
    if (!this.agentConfigs) return;
    for (const vm of this.twin.nodes.values()) {
      const pod = this.addresses.podOfHypervisor(vm.hypervisor, (h) => this.twin.pairOfHypervisor(h));
      this.agentConfigs.write(vm.name, { name: vm.name, domain: this.twin.domain, peers: [pod.fabricAnycast] });
    }
  }

  async stop(): Promise<void> {
    this.twin.stop();
    this.scheduler.stop();
    await this.control.close();
    await this.transport.shutdown("emulator stopped");
  }

  subscribe(listener: (e: TraceEvent) => void): () => void {
    return this.trace.subscribe(listener);
  }

  recentEvents(): readonly TraceEvent[] {
    if (this.recentNext <= this.recentLimit) return this.recent.slice(0, this.recentNext);
    const start = this.recentNext % this.recentLimit;
    return [...this.recent.slice(start), ...this.recent.slice(0, start)];
  }

  /**
   * Starts a migration of `node` to hypervisor `to` now. Refuses (MigrationRefused) an unknown node or
   * hypervisor, a node already on `to`, and a node whose previous migration is still under way: two
   * overlapping moves of one VM would leave the tracker with records that never converge.
   */
  startMigration(node: string, to: string): { migration: number; node: string; from: string; to: string } {
    const vm = this.twin.nodes.get(node);
    if (!vm) throw new MigrationRefused('unknown-node', `Unknown node ${quoteName(node)} (known: ${[...this.twin.nodes.keys()].join(', ')})`);
    if (this.twin.pairOfHypervisor(to) === undefined) {
      throw new MigrationRefused('unknown-hypervisor', `Unknown hypervisor ${quoteName(to)} (known: ${this.options.scenario.fabric.hypervisors.map((h) => h.name).join(', ')})`);
    }
    const running = this.twin.vmotion.migrationUnderway(node);
    if (running) {
      throw new MigrationRefused('already-migrating', `Node "${node}" is already migrating (migration ${running.index}, ${running.from} -> ${running.to}); start another once it has finished`, running.index);
    }
    if (vm.hypervisor === to) throw new MigrationRefused('already-there', `Node "${node}" already runs on ${to}`);
    const from = vm.hypervisor;
    const migration = this.twin.vmotion.startNow(node, to);
    return { migration, node, from, to };
  }

  /**
   * An operator's policy change at APIC: `{replace?, merge_children?, delete?}` as in a policy_update.
   * Validated whole against what APIC holds before any of it applies; a PolicyValidationError names
   * each problem (list, index, uri, field).
   */
  updatePolicy(body: unknown): { replaced: number; merged: number; deleted: number } {
    const update = validatePolicyUpdate(body, 'POST /policy', { store: this.twin.apic.policy });
    this.twin.apic.updatePolicy(update);
    return { replaced: update.replace.length, merged: update.merge_children.length, deleted: update.delete.length };
  }

  fabricStatus(): unknown {
    const s = this.options.scenario;
    return {
      scenario: s.name,
      timeScale: this.options.timeScale,
      spines: s.fabric.spines,
      anycast: formatEndpoint(this.addresses.first.anycast),
      pods: this.addresses.pods.map((p) => ({
        id: p.id,
        tepPool: p.tepPool ?? null,
        anycast: { fabric: formatEndpoint(p.fabricAnycast), listen: formatEndpoint(p.anycast) },
        vxlanAnycast: p.vxlanAnycast,
        leafPairs: p.leafPairs,
      })),
      control: this.controlAddress ? formatEndpoint(this.controlAddress) : undefined,
      leafPairs: [...this.twin.pairs].map(([pair, leaves]) => ({
        name: pair,
        leaves: leaves.map((l) => ({ name: l.name, id: l.address.id, listen: l.endpoint })),
      })),
      hypervisors: s.fabric.hypervisors.map((h) => ({ name: h.name, leafPair: h.leafPair, fabricPathDn: this.twin.locateHypervisorPath(h.name) })),
    };
  }

  nodesStatus(): unknown {
    return [...this.twin.nodes.values()].map((vm) => ({
      name: vm.name,
      hypervisor: vm.hypervisor,
      leafPair: this.twin.pairOfHypervisor(vm.hypervisor),
      state: vm.state,
      // The address the host-agent holds now (a multipod DHCP renew changes it), not the scenario's.
      infraIp: this.twin.infraIpOf(vm.name) ?? vm.infraIp,
      pods: vm.pods.length,
      annotations: {
        'opflex.cisco.com/node-aci-pod': this.twin.kube.annotation(vm.name, 'opflex.cisco.com/node-aci-pod') ?? null,
        'opflex.cisco.com/aci-pod': this.twin.kube.annotation(vm.name, ACI_POD_SUBNET_ANNOTATION) ?? null,
      },
      agent: this.options.agents ? { health: vm.agent.health, peers: vm.agent.peers() } : null,
    }));
  }

  sessionsStatus(): unknown {
    return [...this.twin.leaves.values()].map((leaf) => ({
      leaf: leaf.name,
      listen: leaf.endpoint,
      sessions: leaf.openSessions().map((s) => ({
        id: s.id,
        agent: s.identity?.name ?? null,
        state: s.state,
        remote: s.rpc.connection.remote,
        subscriptions: s.subscriptions.size,
      })),
      declaredEndpoints: leaf.declaredEndpoints().length,
      policyObjects: leaf.cache.presentUris().length,
    }));
  }

  odevsStatus(): unknown {
    return {
      leaves: [...this.twin.leaves.values()].map((leaf) => ({ leaf: leaf.name, odevs: leaf.currentOdevs() })),
      apic: this.twin.apic.currentOdevs(),
    };
  }

  migrationsStatus(): unknown {
    return this.tracker.records.map((r) => ({
      index: r.index,
      node: r.node,
      from: r.from,
      to: r.to,
      crossLeafPair: r.crossLeafPair,
      converged: r.converged,
      milestones: r.milestones,
      downloadedObjects: r.downloads,
    }));
  }

  metrics(): string {
    return renderMetrics(this.twin, this.counters, this.messages);
  }
}

function indexInPair(s: Scenario, pair: string, leaf: string): number {
  return s.fabric.leafPairs.find((p) => p.name === pair)?.leaves.findIndex((l) => l.name === leaf) ?? 0;
}
