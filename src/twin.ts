/**
 * The whole twin assembled from a scenario on a given clock and transport: APIC, COOP, leaves and
 * their OpFlex proxies, the anycast proxy, node VMs with their opflex-agents, vMotion, the data
 * plane and traffic probes. The same assembly runs in simulation (virtual clock, in-memory links)
 * and live (real clock, sockets).
 */
import type { RandomStream, RandomStreams } from './kernel/random.ts';
import type { Scheduler } from './kernel/scheduler.ts';
import type { Trace } from './kernel/trace.ts';
import { AnycastProxy } from './fabric/anycast-proxy.ts';
import { AciPods } from './fabric/aci-pods.ts';
import { DhcpServer, dhcpClientId } from './fabric/dhcp-server.ts';
import { InfraReachableTransport } from './fabric/infra-reachability.ts';
import { InterPodNetwork } from './fabric/inter-pod-network.ts';
import { Apic } from './fabric/apic.ts';
import { CoopOracle } from './fabric/coop.ts';
import { ContractMatcher } from './fabric/contract-matcher.ts';
import { DataPlane, type PodInfo } from './fabric/data-plane.ts';
import type { FabricView, LeafAddress, NodeLocation } from './fabric/fabric-view.ts';
import { Leaf } from './fabric/leaf.ts';
import type { LeafLimits } from './fabric/leaf-limits.ts';
import { RegistrationSlots } from './fabric/registration-slots.ts';
import { PodIpOwners } from './fabric/pod-ip-owners.ts';
import { vpcPathDn } from './fabric/odev.ts';
import { TrafficProbes, type ProbeOutcomeListener } from './fabric/traffic-probe.ts';
import { AciController } from './host/aci-controller.ts';
import { HostAgent, type AgentConfigWriter, type AgentConfiguration, type MultipodHostSide } from './host/host-agent.ts';
import { KubeApi } from './host/kube-api.ts';
import { NodeVm } from './host/node-vm.ts';
import { PodEndpoint } from './host/pod-endpoint.ts';
import { VMotion } from './host/vmotion.ts';
import { scheduleEvacuations, type HostEvacuations } from './host/evacuation.ts';
import { startSteady } from './steady-start.ts';
import type { LocalEndpoint } from './opflex/agent-processor.ts';
import { policyClosure } from './model/policy-closure.ts';
import { buildPolicyUniverse, epgUri, platformConfigUri } from './model/policy-builder.ts';
import type { ObjectStore } from './model/object-store.ts';
import { UriInterner } from './model/uri-interner.ts';
import type { TrackerContext } from './report/migration-tracker.ts';
import { OpflexAgent, type AgentConfig } from './opflex/agent.ts';
import { EchoTally, keepaliveExpiresAnswered } from './opflex/echo-tally.ts';
import type { KeepaliveTimers } from './opflex/rpc-endpoint.ts';
import type { Faults, MigrationSpec, Scenario } from './scenario/types.ts';
import type { Endpoint, Transport } from './transport/transport.ts';
import { lookup } from './lookup.ts';

export interface TwinOptions {
  scheduler: Scheduler;
  transport: Transport;
  trace: Trace;
  random: RandomStreams;
  /** Echo keepalives on every session (on by default; large simulations may turn them off). */
  keepalive?: boolean;
  /**
   * The transport loses no message sent on an open connection (in-memory links without faults):
   * keepalive echoes are then counted, not sent, where nothing else can lose one either (a single
   * pod) and the timers cannot expire while echoes are answered (src/opflex/echo-tally.ts).
   */
  losslessLinks?: boolean;
  /** Where leaves listen: their scenario TEP address (simulation) or a loopback address (live). */
  leafEndpoint?: (leaf: LeafAddress, index: number) => Endpoint;
  anycastEndpoint?: Endpoint;
  /** Policy universe to serve instead of the one built from the scenario's policy section. */
  policy?: ObjectStore;
  /** Build agents for the nodes (live emulation may leave that to real agents). */
  agents?: boolean;
  /** Play the scenario's migrations (live emulation starts them from its control API instead). */
  playMigrations?: boolean;
  onProbe?: ProbeOutcomeListener;
  /** Bounds of every leaf's registry and sessions (DEFAULT_LEAF_LIMITS where not given). */
  leafLimits?: Partial<LeafLimits>;
  /** Where a node's host-agent writes reset.conf when its agent runs in another process. */
  resetConfWriter?: (node: string) => () => void;
  /** Multipod: where a pod's anycast proxy listens (default: its scenario address). */
  podAnycastEndpoint?: (podId: number, scenarioEndpoint: Endpoint) => Endpoint;
  /** Multipod: where a node's host-agent writes the rewritten agent configuration (default: the in-process agent reloads it). */
  agentConfigWriter?: AgentConfigWriter;
}

export class Twin implements FabricView {
  readonly podId: number;
  readonly domain: string;
  readonly platformConfigUri: string;
  readonly apic: Apic;
  readonly coop: CoopOracle;
  readonly leaves = new Map<string, Leaf>();
  readonly pairs = new Map<string, Leaf[]>();
  readonly anycast: AnycastProxy;
  /** Every pod's anycast proxy (one in a single-pod fabric: `anycast`). */
  readonly anycasts: AnycastProxy[] = [];
  readonly aciPods: AciPods;
  /** Multipod: each pod's COOP oracle and DHCP server, by pod id. */
  readonly coops = new Map<number, CoopOracle>();
  readonly dhcpServers = new Map<number, DhcpServer>();
  private readonly platformConfigDeletes = new Map<string, number>();
  private agentReloads = 0;
  readonly nodes = new Map<string, NodeVm>();
  readonly dataPlane: DataPlane;
  readonly probes: TrafficProbes;
  readonly vmotion: VMotion;
  readonly kube: KubeApi;
  readonly hostAgents = new Map<string, HostAgent>();
  readonly controller: AciController;
  /** The scenario's host evacuations once started (none: undefined); hosts in maintenance are never targets. */
  evacuations: HostEvacuations | undefined;
  private readonly hypervisorPair = new Map<string, string>();
  private readonly hypervisorPath = new Map<string, string>();
  private readonly leafAddresses = new Map<string, LeafAddress[]>();
  /** The URI numbering the agents share (and the leaves too, unless they serve live peers). */
  private agentUris!: UriInterner;
  private readonly policyNeededByEpg = new Map<string, string[]>();
  /** The scenario's contracts as the data plane applies them. */
  readonly contracts: ContractMatcher;
  private readonly infraIps = new Map<string, string>();
  private readonly nodesByInfraIp = new Map<string, string>();
  private readonly podIpOwners: PodIpOwners;
  private readonly macs = new Map<string, string>();
  private readonly currentMigration = new Map<string, MigrationSpec>();
  private readonly locations = new Map<string, NodeLocation>();
  private echoTally: EchoTally | undefined;

  constructor(
    readonly scenario: Scenario,
    private readonly o: TwinOptions,
  ) {
    const { scheduler, trace, random } = o;
    const s = scenario;
    this.podId = s.fabric.podId;
    this.domain = s.policy.domain;
    this.platformConfigUri = platformConfigUri(s.policy.domain);
    this.podIpOwners = new PodIpOwners(s.nodes);
    const policy = o.policy ?? buildPolicyUniverse(s.policy);
    this.apic = new Apic(scheduler, trace, random.stream('apic'), policy, s.latencies.apicFetchMs);
    this.aciPods = new AciPods(s.fabric);
    if (this.aciPods.multipod) {
      const ipn = new InterPodNetwork(scheduler, trace, random.stream('ipn'), s.fabric.interPodLatencyMs!);
      for (const id of this.aciPods.ids) {
        const coop = new CoopOracle(scheduler, trace, random.stream(`coop:pod-${id}`), s.latencies.coopUpdateMs, `coop:pod-${id}`, ipn);
        ipn.join(coop);
        this.coops.set(id, coop);
      }
      this.coop = this.coops.get(this.aciPods.ids[0]!)!;
    } else {
      this.coop = new CoopOracle(scheduler, trace, random.stream('coop'), s.latencies.coopUpdateMs);
      this.coops.set(this.podId, this.coop);
    }

    const keepalive = this.keepaliveTimers();

    let leafIndex = 0;
    for (const pair of s.fabric.leafPairs) {
      const addresses = pair.leaves.map((l) => {
        const at = o.leafEndpoint?.({ name: l.name, id: l.id, pair: pair.name, host: l.address, port: l.port }, leafIndex++) ?? { host: l.address, port: l.port };
        return { name: l.name, id: l.id, pair: pair.name, host: at.host, port: at.port };
      });
      this.leafAddresses.set(pair.name, addresses);
    }
    // One URI numbering for the simulation's agents and leaves. A live leaf (serving real peers on
    // a loopback address) numbers its own, so a peer flooding it holds only that leaf's table.
    const uris = (this.agentUris = new UriInterner());
    const leafUris = o.leafEndpoint === undefined ? uris : undefined;
    for (const [pairName, addresses] of this.leafAddresses) {
      const list: Leaf[] = [];
      // The pair's leaves register the same endpoints: one table numbers them for both.
      const registrationSlots = new RegistrationSlots();
      for (const address of addresses) {
        const leaf = new Leaf(address, {
          registrationSlots,
          scheduler,
          transport: o.transport,
          trace,
          random: random.stream(`leaf:${address.name}`),
          subscriptionHashSeed: random.stream(`subscription-hash:${address.name}`).int(0x7fffffff),
          apic: this.apic,
          coop: this.coops.get(this.aciPods.podOfPair(pairName))!,
          fabric: this,
          timers: s.timers,
          latencies: s.latencies,
          faults: s.faults,
          downloadConcurrency: s.leaf.downloadConcurrency,
          keepalive,
          maxOutstandingPerSession: 4096,
          ...(o.leafLimits ? { limits: o.leafLimits } : {}),
          ...(leafUris ? { uris: leafUris } : {}),
        });
        this.leaves.set(leaf.name, leaf);
        list.push(leaf);
      }
      this.pairs.set(pairName, list);
    }
    for (const h of s.fabric.hypervisors) {
      this.hypervisorPair.set(h.name, h.leafPair);
      const [first, second] = this.leafAddresses.get(h.leafPair) ?? [];
      if (!first || !second) throw new Error(`hypervisor ${h.name}: leaf pair ${h.leafPair} needs two leaves`);
      this.hypervisorPath.set(h.name, vpcPathDn(this.aciPods.podOfHypervisor(h.name), [first.id, second.id], h.vpc));
    }
    const anycastAt = o.anycastEndpoint ?? { host: s.fabric.anycast.address, port: s.fabric.anycast.port };
    // A leaf's proxy answers the anycast address: its session bound is the leaves'.
    const anycastLimits = o.leafLimits?.sessionsPerLeafMax !== undefined ? { sessionsMax: o.leafLimits.sessionsPerLeafMax } : {};
    if (this.aciPods.multipod) {
      for (const id of this.aciPods.ids) {
        const spec = this.aciPods.spec(id)!;
        const scenarioAt = { host: spec.anycast.address, port: spec.anycast.port };
        const at = o.podAnycastEndpoint?.(id, scenarioAt) ?? (id === this.aciPods.ids[0] && o.anycastEndpoint ? o.anycastEndpoint : scenarioAt);
        this.aciPods.bindEndpoint(at, id);
        this.anycasts.push(new AnycastProxy(at, scheduler, o.transport, trace, this, keepalive, { pod: { id, refusal: (node) => this.anycastRefusal(id, node) }, ...anycastLimits }));
        const dhcp = new DhcpServer(id, spec.dhcp, scheduler, trace, random.stream(`dhcp:pod-${id}`));
        dhcp.reserve(spec.anycast.address);
        this.dhcpServers.set(id, dhcp);
      }
      for (const [pairName, addresses] of this.leafAddresses) {
        const id = this.aciPods.podOfPair(pairName);
        for (const a of addresses) this.aciPods.bindEndpoint(a, id);
        for (const leaf of s.fabric.leafPairs.find((p) => p.name === pairName)!.leaves) this.dhcpServers.get(id)!.reserve(leaf.address);
      }
      for (const spec of s.nodes) {
        const id = this.aciPods.podOfAddress(spec.infraIp);
        if (id !== undefined) this.dhcpServers.get(id)!.seedLease(dhcpClientId(spec.mac), spec.infraIp);
      }
      this.anycast = this.anycasts[0]!;
    } else {
      this.anycast = new AnycastProxy(anycastAt, scheduler, o.transport, trace, this, keepalive, anycastLimits);
      this.anycasts.push(this.anycast);
    }

    for (const epg of s.policy.epgs) {
      const needed = policyClosure(policy, [{ subject: 'GbpEpGroup', uri: epgUri(s.policy.tenant, epg.name) }]).map((r) => r.uri);
      this.policyNeededByEpg.set(epg.name, needed);
    }
    this.contracts = new ContractMatcher(s.policy);

    for (const spec of s.nodes) {
      this.infraIps.set(spec.name, spec.infraIp);
      this.nodesByInfraIp.set(spec.infraIp, spec.name);
      this.macs.set(spec.name, spec.mac);
      const agent = new OpflexAgent(
        {
          name: spec.name,
          domain: s.policy.domain,
          mac: spec.mac,
          configuredPeers: [this.anycastEndpointFor(spec.infraIp) ?? anycastAt],
          prrS: s.timers.prrMs / 1000,
          retryDelayS: s.settings.opflex_agent_policy_retry_delay_timer,
          resetWaitDelayS: s.settings.opflex_agent_reset_wait_delay,
          keepalive,
          handshakeTimeoutMs: s.timers.handshakeTimeoutMs,
          reconnectPacingMs: s.timers.reconnectPacingMs,
          platformConfigUri: this.platformConfigUri,
          uris,
          ...(this.aciPods.multipod ? { onPlatformConfigDeleted: () => this.platformConfigDeletes.set(spec.name, scheduler.now()) } : {}),
        },
        scheduler,
        this.agentTransport(spec.name),
        trace,
        random.stream(`agent:${spec.name}`),
      );
      this.nodes.set(spec.name, new NodeVm(spec, agent));
    }

    this.kube = new KubeApi(scheduler, trace, random.stream('kube'), s.latencies.k8sWatchMs);
    for (const vm of this.nodes.values()) {
      const write = o.resetConfWriter?.(vm.name) ?? (() => vm.agent.onResetFileChanged());
      const multipod = this.aciPods.multipod && s.settings.aci_multipod ? this.multipodHostSide(vm) : undefined;
      this.hostAgents.set(vm.name, new HostAgent(vm.name, scheduler, trace, this.kube, write, multipod));
    }
    this.controller = new AciController(
      s.controller.node, this.podId, s.nodes.map((n) => n.name), scheduler, trace, random.stream('aci-controller'),
      this.apic, this.kube, s.settings, s.timers, s.latencies, (podId) => this.aciPods.tepPool(podId),
    );

    this.dataPlane = new DataPlane({
      pairOfNode: (node) => lookup(this.hypervisorPair, lookup(this.nodes, node, 'node').hypervisor, 'hypervisor'),
      pathOfNode: (node) => lookup(this.hypervisorPath, lookup(this.nodes, node, 'node').hypervisor, 'hypervisor'),
      isStunned: (node) => lookup(this.nodes, node, 'node').state === 'stunned',
      leavesOfPair: (pair) => lookup(this.pairs, pair, 'leaf pair'),
      coopOwner: (ip) => this.coop.owner(ip),
      policyNeeded: (epg) => this.policyNeededByEpg.get(epg) ?? [],
      contractVerdict: (a, b, packet, reply) => this.contracts.verdict(a, b, packet, reply),
    });
    this.probes = new TrafficProbes(scheduler, trace, this.dataPlane, o.onProbe ?? (() => {}));
    this.vmotion = new VMotion(scheduler, trace, random.stream('vmotion'), s.latencies, {
      node: (name) => lookup(this.nodes, name, 'node'),
      pairOfHypervisor: (h) => lookup(this.hypervisorPair, h, 'hypervisor'),
      onStart: (node, spec) => this.currentMigration.set(node.name, spec),
      onStun: (node) => {
        if (node.name === this.controller.node) this.controller.onNodeStunned();
      },
      onResume: (node) => {
        if (node.name === this.controller.node) this.controller.onNodeResumed();
        this.noticePodChange(node);
      },
      announce: (node, pair) => {
        for (const leaf of lookup(this.pairs, pair, 'leaf pair')) {
          o.scheduler.after(random.stream('epm').sample(s.latencies.epmLearnMs), () => leaf.learnDevice(node.name));
        }
      },
    });
  }

  // ---- Multipod --------------------------------------------------------------------------------

  /** The anycast proxy endpoint of the pod whose TEP pool holds the address (multipod only). */
  private anycastEndpointFor(ip: string): Endpoint | undefined {
    const id = this.aciPods.podOfAddress(ip);
    return id === undefined ? undefined : this.anycasts[this.aciPods.ids.indexOf(id)]!.endpoint;
  }

  /** The transport an agent dials with: in a multipod fabric, only what its infra VLAN reaches. */
  /** The keepalive timers every session shares (none when keepalives are off), counting echoes where they cannot matter. */
  private keepaliveTimers(): KeepaliveTimers | undefined {
    if (!(this.o.keepalive ?? true)) return undefined;
    const t = this.scenario.timers;
    const timers: KeepaliveTimers = { firstMs: t.keepaliveFirstMs, repeatMs: t.keepaliveRepeatMs, timeoutMs: t.keepaliveTimeoutMs };
    if (this.o.losslessLinks && !this.aciPods.multipod && !keepaliveExpiresAnswered(timers)) {
      this.echoTally = new EchoTally(timers.repeatMs);
      timers.counted = this.echoTally;
    }
    return timers;
  }

  /** Keepalive echoes counted instead of sent so far (each answered: as many replies went back). */
  countedEchoes(): number {
    return this.echoTally?.echoesUntil(this.o.scheduler.now()) ?? 0;
  }

  private agentTransport(node: string): Transport {
    if (!this.aciPods.multipod) return this.o.transport;
    return new InfraReachableTransport(this.o.transport, this.o.scheduler, (to) => this.unreachableFrom(node, to), this.scenario.timers.connectTimeoutMs);
  }

  /** The transport a steady start opens the agents' links on: each agent's end gated as its own connects are. */
  private steadyStartTransport(): Transport {
    const inner = this.o.transport;
    return {
      connect: (to, handler, from) => inner.connect(to, handler, from),
      listen: (at, onAccept) => inner.listen(at, onAccept),
      establish: (to, from) => (this.agentTransport(from) as InfraReachableTransport).establish(to, from),
    };
  }

  /** Why a node cannot reach a fabric endpoint now (see src/fabric/infra-reachability.ts), or undefined. */
  private unreachableFrom(node: string, to: Endpoint): string | undefined {
    const target = this.aciPods.podOfEndpoint(to);
    const vm = this.nodes.get(node);
    if (target === undefined || !vm) return undefined;
    const here = this.aciPods.podOfHypervisor(vm.hypervisor);
    const ip = this.infraIps.get(node)!;
    const own = this.aciPods.podOfAddress(ip);
    if (here === target && own === target) return undefined;
    return `${to.host}:${to.port} (pod ${target}) is unreachable from node ${node} in pod ${here} with infra address ${ip}${own === undefined ? '' : ` of pod ${own}'s pool`}`;
  }

  /** Why pod `podId`'s anycast proxy cannot serve the node (live agents are not behind the reachability model). */
  private anycastRefusal(podId: number, node: string): string | undefined {
    const ip = this.infraIps.get(node);
    const vm = this.nodes.get(node);
    if (!ip || !vm) return undefined;
    if (this.aciPods.podOfAddress(ip) !== podId) return `infra address ${ip} of "${node}" is not in pod ${podId}'s TEP pool ${this.aciPods.tepPool(podId)}`;
    if (this.aciPods.podOfHypervisor(vm.hypervisor) !== podId) return `"${node}" runs in pod ${this.aciPods.podOfHypervisor(vm.hypervisor)}, not in pod ${podId}`;
    return undefined;
  }

  private multipodHostSide(vm: NodeVm): MultipodHostSide {
    const s = this.scenario;
    return {
      random: this.o.random.stream(`host-agent:${vm.name}`),
      domain: s.policy.domain,
      clientId: dhcpClientId(vm.mac),
      dhcpDelayMs: s.settings.dhcp_delay * 1000,
      attemptsMax: s.settings.dhcp_renew_max_retry_count,
      dhcpServer: () => this.dhcpServers.get(this.aciPods.podOfHypervisor(vm.hypervisor))!,
      faults: () => this.faultsFor(vm.name),
      infraAddress: () => this.infraIps.get(vm.name)!,
      podOfAddress: (ip) => this.aciPods.podOfAddress(ip),
      anycastFor: (ip) => {
        const at = this.anycastEndpointFor(ip) ?? this.anycast.endpoint;
        return { hostname: at.host, port: at.port };
      },
      setInfraAddress: (ip) => this.setInfraAddress(vm, ip),
      platformConfigDeletedAtMs: () => this.platformConfigDeletes.get(vm.name),
      writeAgentConfig: this.o.agentConfigWriter ?? ((node, config) => this.reloadAgent(node, config)),
    };
  }

  /** dhclient configured a new infra address: the node's devId changes and its GARP reaches its leaves. */
  private setInfraAddress(vm: NodeVm, ip: string): void {
    const old = this.infraIps.get(vm.name);
    if (old !== undefined) this.nodesByInfraIp.delete(old);
    this.infraIps.set(vm.name, ip);
    this.nodesByInfraIp.set(ip, vm.name);
    const pair = this.hypervisorPair.get(vm.hypervisor)!;
    for (const leaf of this.pairs.get(pair)!) {
      this.o.scheduler.after(this.o.random.stream('epm').sample(this.scenario.latencies.epmLearnMs), () => leaf.learnDevice(vm.name));
    }
  }

  /** The in-process agent reloads its rewritten configuration: a new process connects to the new peers. */
  private reloadAgent(node: string, config: AgentConfiguration): void {
    const old = lookup(this.nodes, node, 'node').agent;
    old.stop();
    const configuredPeers = config.peers.map((p) => ({ host: p.hostname, port: p.port }));
    this.o.trace.emit(`agent:${node}`, 'agent-reload', { node, peers: configuredPeers.map((p) => `${p.host}:${p.port}`).join(',') });
    this.startAgentProcess(node, { ...old.config, configuredPeers }, this.o.random.stream(`agent:${node}:reload-${++this.agentReloads}`));
  }

  /**
   * A new agent process on the node in place of its current one (which the caller stopped): this
   * configuration, the links the node's own agent dials on (in a multipod fabric gated by where its
   * infra address reaches), its pods declared again.
   */
  startAgentProcess(node: string, config: AgentConfig, random: RandomStream): OpflexAgent {
    const vm = lookup(this.nodes, node, 'node');
    const agent = new OpflexAgent(config, this.o.scheduler, this.agentTransport(node), this.o.trace, random);
    vm.replaceAgent(agent);
    agent.start();
    for (const endpoint of this.localEndpointsOf(vm)) agent.addEndpoint(endpoint);
    return agent;
  }

  /** The VM resumed: in a multipod fabric, a move to another pod leaves it with an address of the old pod's pool. */
  private noticePodChange(vm: NodeVm): void {
    if (!this.aciPods.multipod) return;
    const ip = this.infraIps.get(vm.name)!;
    const addressPod = this.aciPods.podOfAddress(ip);
    const nowIn = this.aciPods.podOfHypervisor(vm.hypervisor);
    if (addressPod === undefined || addressPod === nowIn) return;
    const handled = this.scenario.settings.aci_multipod;
    this.o.trace.emit(`host-agent:${vm.name}`, 'pod-changed', { node: vm.name, fromPod: addressPod, toPod: nowIn, infraIp: ip, aciMultipod: handled });
    if (!handled) {
      this.o.trace.emit(`host-agent:${vm.name}`, 'infra-address-stranded', {
        node: vm.name,
        why: `aci_multipod is off: nothing renews ${ip} (pod ${addressPod}'s pool) now that the node runs in pod ${nowIn}, so its agent never reaches a leaf again`,
      });
    }
  }

  // ---- FabricView ------------------------------------------------------------------------------

  podOfPair(pair: string): number {
    return this.aciPods.podOfPair(pair);
  }

  locateNode(node: string): NodeLocation | undefined {
    const vm = this.nodes.get(node);
    if (!vm) return undefined;
    // Asked for every endpoint a leaf registers: one object per node until it moves.
    const known = this.locations.get(node);
    if (known?.hypervisor === vm.hypervisor) return known;
    const location: NodeLocation = { node, hypervisor: vm.hypervisor, pair: lookup(this.hypervisorPair, vm.hypervisor, 'hypervisor'), path: lookup(this.hypervisorPath, vm.hypervisor, 'hypervisor') };
    this.locations.set(node, location);
    return location;
  }

  infraIpOf(node: string): string | undefined {
    return this.infraIps.get(node);
  }

  nodeOfInfraIp(ip: string): string | undefined {
    return this.nodesByInfraIp.get(ip);
  }

  nodeOfPodIp(ip: string): string | undefined {
    return this.podIpOwners.nodeOf(ip);
  }

  faultsFor(node: string): Faults {
    const own = this.currentMigration.get(node)?.faults;
    return own ? { ...this.scenario.faults, ...own } : this.scenario.faults;
  }

  macOf(node: string): string | undefined {
    return this.macs.get(node);
  }

  leavesOfPair(pair: string): readonly LeafAddress[] {
    return this.leafAddresses.get(pair) ?? [];
  }

  pairOfHypervisor(hypervisor: string): string | undefined {
    return this.hypervisorPair.get(hypervisor);
  }

  locateHypervisorPath(hypervisor: string): string {
    return lookup(this.hypervisorPath, hypervisor, 'hypervisor');
  }

  /** Policy URIs a leaf must hold to forward for an EPG (its closure). */
  policyNeeded(epg: string): readonly string[] {
    return this.policyNeededByEpg.get(epg) ?? [];
  }

  private readonly epgUris = new Map<string, string>();

  /** An EPG's URI, one string per EPG however many pods name it. */
  private epgUriOf(epg: string): string {
    let uri = this.epgUris.get(epg);
    if (uri === undefined) this.epgUris.set(epg, (uri = epgUri(this.scenario.policy.tenant, epg)));
    return uri;
  }

  /** What the migration tracker needs to know, answered from this twin. */
  trackerContext(): TrackerContext {
    const needed = new Map<string, string[]>();
    const leafNames = new Map<string, string[]>();
    return {
      infraIpOf: (node) => this.infraIpOf(node)!,
      leavesOfPair: (pair) => {
        let names = leafNames.get(pair);
        if (!names) leafNames.set(pair, (names = this.pairs.get(pair)?.map((l) => l.name) ?? []));
        return names;
      },
      pathOfHypervisor: (h) => this.locateHypervisorPath(h),
      policyNeededBy: (node) => {
        let uris = needed.get(node);
        if (!uris) {
          const set = new Set<string>([this.platformConfigUri]);
          for (const pod of this.nodes.get(node)?.pods ?? []) for (const uri of this.policyNeeded(pod.epg)) set.add(uri);
          needed.set(node, (uris = [...set]));
        }
        return uris;
      },
      endpointCountOf: (node) => 2 * (this.nodes.get(node)?.pods.length ?? 0),
    };
  }

  // ---- Running ---------------------------------------------------------------------------------

  /**
   * Starts listeners, then either boots the fabric (announces every node on its leaves, starts the
   * controller, host-agents and agents) or, for a steady start with agents in process, takes up the
   * settled state directly (src/steady-start.ts); schedules migrations, evacuations and flows.
   */
  start(): void {
    const s = this.scenario;
    for (const leaf of this.leaves.values()) leaf.start();
    for (const anycast of this.anycasts) anycast.start();
    const inProcess = this.o.agents !== false;
    const steady = s.start === 'steady' && inProcess;
    if (steady) {
      startSteady({
        transport: this.aciPods.multipod ? this.steadyStartTransport() : this.o.transport,
        trace: this.o.trace,
        random: this.o.random.stream('steady-start'),
        podId: this.podId,
        prrS: s.timers.prrMs / 1000,
        keepaliveRepeatMs: s.timers.keepaliveRepeatMs,
        nodes: this.nodes.values(),
        pairOf: (vm) => lookup(this.hypervisorPair, vm.hypervisor, 'hypervisor'),
        leavesOfPair: (pair) => lookup(this.pairs, pair, 'leaf pair'),
        addressesOfPair: (pair) => lookup(this.leafAddresses, pair, 'leaf pair'),
        endpointsOf: (vm) => this.localEndpointsOf(vm),
        policySubtree: (uri) => this.apic.policy.subtree(uri),
        agentUris: this.agentUris,
        // A single pod's COOP learns every node and pod of the fabric.
        ...(this.aciPods.multipod ? {} : { coop: this.coop }),
      });
    } else {
      for (const vm of this.nodes.values()) {
        const pair = lookup(this.hypervisorPair, vm.hypervisor, 'hypervisor');
        for (const leaf of lookup(this.pairs, pair, 'leaf pair')) leaf.learnDevice(vm.name);
      }
    }
    this.controller.start();
    if (steady) this.controller.seed();
    for (const vm of this.nodes.values()) {
      const hostAgent = lookup(this.hostAgents, vm.name, 'node');
      if (steady) hostAgent.startSteady();
      else if (inProcess || this.o.resetConfWriter) hostAgent.start();
    }
    if (inProcess && !steady) {
      for (const vm of this.nodes.values()) {
        vm.agent.start();
        for (const endpoint of this.localEndpointsOf(vm)) vm.agent.addEndpoint(endpoint);
      }
    }
    if (this.o.playMigrations !== false) for (const m of s.migrations) this.vmotion.schedule(m);
    if (this.o.playMigrations !== false) this.evacuations = scheduleEvacuations({ scheduler: this.o.scheduler, trace: this.o.trace, vmotion: this.vmotion, nodes: this.nodes, hypervisors: s.fabric.hypervisors }, s.evacuations);
    const pods = this.podsNamed(s.flows.flatMap((f) => [f.from, f.to]));
    for (const f of s.flows) {
      const from = lookup(pods, f.from, 'pod');
      const to = lookup(pods, f.to, 'pod');
      this.probes.add(f, from, to, this.contracts.trafficOf(f, from.epg, to.epg));
    }
  }

  /** The named pods with their nodes (one pass over the nodes; fabrics have a million pods). */
  podsNamed(names: Iterable<string>): Map<string, PodInfo> {
    const wanted = new Set(names);
    const found = new Map<string, PodInfo>();
    for (const vm of this.nodes.values()) {
      for (const pod of vm.pods) if (wanted.has(pod.name)) found.set(pod.name, { name: pod.name, node: vm.name, ip: pod.ip, epg: pod.epg });
    }
    return found;
  }

  /** The node's pods as its agent's local endpoints (the .ep files the host-agent writes). */
  private localEndpointsOf(vm: NodeVm): LocalEndpoint[] {
    return vm.pods.map((pod) => new PodEndpoint(vm.name, pod, this.epgUriOf(pod.epg)));
  }

  stop(): void {
    for (const vm of this.nodes.values()) vm.agent.stop();
    for (const leaf of this.leaves.values()) leaf.stop();
    for (const anycast of this.anycasts) anycast.stop();
  }
}
