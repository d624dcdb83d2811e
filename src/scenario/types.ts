/**
 * A scenario after validation and normalisation: every default applied, every duration in
 * milliseconds, every distribution in one tagged form. The YAML input shape (with duration strings,
 * shorthands and optional fields) is defined by `schema.ts`; this is what the model consumes.
 */

/** A latency or duration distribution, always in milliseconds. */
export type Distribution =
  | { kind: 'fixed'; valueMs: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'normal'; meanMs: number; sdMs: number; minMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number; maxMs: number }
  | { kind: 'exponential'; meanMs: number; maxMs: number };

export interface LeafSpec {
  name: string;
  /** APIC node id, e.g. 101. */
  id: number;
  /** Infra TEP address the OpFlex proxy listens on, e.g. "10.0.80.64". */
  address: string;
  port: number;
}

export interface LeafPairSpec {
  name: string;
  leaves: [LeafSpec, LeafSpec];
  /** vPC protection group name used in fabricPathDn, e.g. "topology/pod-1/protpaths-101-102". */
}

export interface HypervisorSpec {
  name: string;
  leafPair: string;
  /** vPC policy group (interface) name, used in the ODev's fabricPathDn `pathep-[<vpc>]`. */
  vpc: string;
}

export interface FabricSpec {
  podId: number;
  spines: string[];
  leafPairs: LeafPairSpec[];
  hypervisors: HypervisorSpec[];
  /** The anycast OpFlex proxy, "10.0.0.30:8009". */
  anycast: { address: string; port: number };
  /**
   * The ACI pods, when the scenario lists them (`fabric.pods`); absent for the single-pod form. The
   * lists above then hold every pod's spines, leaf pairs and hypervisors, and podId/anycast the first pod's.
   */
  pods?: AciPodSpec[];
  /** One-way spine-to-spine latency over the inter-pod network (multipod only). */
  interPodLatencyMs?: Distribution;
}

/** A pod's DHCP server for the infra VLAN (aci-fabric-behavior.md 1.2, 5.3). */
export interface DhcpServerSpec {
  /** Lease time. */
  leaseMs: number;
  /** DISCOVER -> OFFER/ACK at the client. */
  offerLatencyMs: Distribution;
  /** First and last address it hands out (inclusive), inside the pod's TEP pool. */
  range: { first: string; last: string };
}

/** One ACI pod of a multipod fabric. */
export interface AciPodSpec {
  id: number;
  /** TEP pool as a CIDR, e.g. "10.1.0.0/16": infra addresses of its leaves and nodes come from it. */
  tepPool: string;
  /** The pod's anycast OpFlex proxy (default: pool base + .30, port 8009). */
  anycast: { address: string; port: number };
  spines: string[];
  /** Names of the leaf pairs and hypervisors in this pod (their specs are in the fabric's flat lists). */
  leafPairs: string[];
  hypervisors: string[];
  dhcp: DhcpServerSpec;
}

export interface FilterSpec {
  name: string;
  etherType: 'ipv4' | 'ipv6' | 'arp' | 'unspecified';
  protocol: 'tcp' | 'udp' | 'icmp' | 'unspecified';
  /** Destination port range, inclusive; absent for any port. */
  ports?: [number, number];
}

export interface RuleSpec {
  name: string;
  direction: 'in' | 'out' | 'bidirectional';
  filters: string[];
  action: 'allow' | 'deny';
}

export interface ContractSpec {
  name: string;
  subjects: { name: string; rules: RuleSpec[] }[];
}

export interface VrfSpec {
  name: string;
  /** Tenant (PolicySpace) holding it: VRFs usually live in "common". */
  tenant: string;
}

export interface BridgeDomainSpec {
  name: string;
  vrf: string;
  /** Gateway addresses with prefix, e.g. "10.2.0.1/16". */
  subnets: string[];
}

export interface EpgSpec {
  name: string;
  bd: string;
  provides: string[];
  consumes: string[];
  intraGroupPolicy: 'allow' | 'require-contract';
}

export interface PolicySpec {
  /** The OpFlex domain / VMM domain object name, e.g. "comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid". */
  domain: string;
  /** PolicySpace of the cluster's objects (BDs, EPGs, contracts). */
  tenant: string;
  /** PolicySpace of shared objects (filters, actions). */
  commonTenant: string;
  encapType: 'vxlan' | 'vlan';
  vrfs: VrfSpec[];
  bridgeDomains: BridgeDomainSpec[];
  epgs: EpgSpec[];
  filters: FilterSpec[];
  contracts: ContractSpec[];
  /** Absolute path of an opflex_server policy file (JSON array of MOs) to serve instead of / beside the above. */
  policyFile?: string;
}

export interface PodSpec {
  name: string;
  epg: string;
  ip: string;
  mac: string;
}

export interface NodeSpec {
  name: string;
  hypervisor: string;
  /** Infra-VLAN address of the node: the agent's ODev devId is this as a 32-bit integer. */
  infraIp: string;
  /** Uplink MAC of the node (identity `data.mac`, ODev `mac`). */
  mac: string;
  pods: PodSpec[];
}

/** acc-provision `kube_config` names, as users already write them. */
export interface Settings {
  enable_opflex_agent_reconnect: boolean;
  /** seconds */
  opflex_agent_reset_wait_delay: number;
  /** seconds (multipod only) */
  opflex_device_reconnect_wait_timeout: number;
  /** seconds */
  opflex_device_delete_timeout: number;
  aci_multipod: boolean;
  /** seconds */
  dhcp_delay: number;
  dhcp_renew_max_retry_count: number;
  /** seconds */
  opflex_agent_policy_retry_delay_timer: number;
  /** seconds */
  opflex_switch_sync_delay: number;
  opflex_agent_statistics: boolean;
}

/** Fabric and agent timers (all milliseconds) that are not acc-provision settings. */
export interface Timers {
  bounceAgingMs: number;
  localAgingMs: number;
  remoteAgingMs: number;
  moveFrequencyPerS: number;
  holdIntervalMs: number;
  keepaliveFirstMs: number;
  keepaliveRepeatMs: number;
  keepaliveTimeoutMs: number;
  handshakeTimeoutMs: number;
  connectTimeoutMs: number;
  reconnectPacingMs: number;
  controllerLoopMs: number;
  /** How long a leaf keeps a policy object nobody uses before garbage-collecting it. [assumption] */
  leafPolicyGcDelayMs: number;
  /** How long a proxy keeps a prr subscription without refresh: opflex_server decrements every 60 s. */
  prrIntervalMs: number;
  /** Agent policy resolve refresh rate (opflex.timers.prr). */
  prrMs: number;
}

/** Latencies without a public figure are parameters; see docs/scenario-reference.md for sources. */
export interface Latencies {
  preCopyMs: Distribution;
  stunMs: Distribution;
  /** Resume -> RARP/GARP on the wire. */
  garpMs: Distribution;
  epmLearnMs: Distribution;
  coopUpdateMs: Distribution;
  /** Leaf proxy sees its device moved -> sends the PlatformConfig delete. */
  proxyReactionMs: Distribution;
  odevCreateMs: Distribution;
  odevDisconnectMs: Distribution;
  odevDeleteMs: Distribution;
  /** One-way agent <-> leaf OpFlex message latency. */
  opflexLinkMs: Distribution;
  /** TCP+TLS connect to a peer. */
  connectMs: Distribution;
  /** Leaf serving an object it already holds. */
  leafServeMs: Distribution;
  /** Leaf fetching an object from APIC. */
  apicFetchMs: Distribution;
  /** APIC websocket event -> controller. */
  apicEventMs: Distribution;
  /** Kubernetes watch latency (annotation -> host-agent). */
  k8sWatchMs: Distribution;
  /** Controller's APIC websocket resync after its node is stunned. */
  controllerResyncMs: Distribution;
}

export interface LeafSettings {
  /** Concurrent APIC fetches per leaf; more queue. [assumption] */
  downloadConcurrency: number;
}

export interface Faults {
  /** The source proxy never sends the PlatformConfig delete (a known issue). */
  platformConfigDeleteMissed: boolean;
  /** Added to proxyReactionMs: the slow case. */
  platformConfigDeleteExtraDelayMs: number;
  /** Added to odevCreateMs: the slow ODev case the reconnect feature targets. */
  odevCreateExtraDelayMs: number;
  /** Added to the DHCP server's offer latency: a slow server (multipod). */
  dhcpOfferExtraDelayMs: number;
  /** The DHCP server never answers: every renew attempt times out (multipod). */
  dhcpSilent: boolean;
  /** The first offer after the release is an address another node still holds: the client declines it. */
  dhcpLeaseHeld: boolean;
  /** The host-agent does not re-add the 224.0.0.0/4 route after the renew (a known issue). */
  multicastRouteLost: boolean;
}

/** Fault keys a migration may set for itself. */
export type MigrationFaultKey =
  | 'platformConfigDeleteMissed'
  | 'platformConfigDeleteExtraDelayMs'
  | 'dhcpOfferExtraDelayMs'
  | 'dhcpSilent'
  | 'dhcpLeaseHeld'
  | 'multicastRouteLost';

/** The fault menu (src/scenario/fault-schema.ts, docs/scenario-reference.md "faultSchedule"). */
export type FaultKind =
  | 'session-reset'
  | 'partition'
  | 'message-delay'
  | 'message-duplicate'
  | 'leaf-reload'
  | 'proxy-restart'
  | 'apic-slow'
  | 'apic-unreachable'
  | 'coop-delay'
  | 'coop-loss'
  | 'garp-lost'
  | 'platform-config-delete-lost'
  | 'platform-config-delete-late'
  | 'odev-late'
  | 'agent-restart'
  | 'host-agent-restart'
  | 'controller-restart'
  | 'ping-pong'
  | 'evacuation-overlap';

/** One timed fault: when, what, on which target, for how long or how much. */
export interface FaultEntry {
  atMs: number;
  kind: FaultKind;
  node?: string;
  leaf?: string;
  hypervisor?: string;
  /** session-reset: which end closes the session. */
  side?: 'agent' | 'leaf';
  /** partition: messages held until it heals, or lost. */
  mode?: 'hold' | 'drop';
  forMs?: number;
  delayMs?: number;
}

export interface MigrationSpec {
  atMs: number;
  node: string;
  to: string;
  /** Faults for this migration only, over the scenario-wide ones. */
  faults?: Partial<Pick<Faults, MigrationFaultKey>>;
}

/** Moving every VM off a hypervisor, as entering maintenance mode does (src/host/evacuation.ts). */
export interface EvacuationSpec {
  atMs: number;
  hypervisor: string;
  /** Hypervisors the VMs may move to; absent: every other hypervisor. */
  to?: string[];
  /** Most vMotions from this host at a time (vSphere's default per host is 8). */
  concurrency: number;
}

/** What a traffic probe can send. */
export type ProbeProtocol = 'tcp' | 'udp' | 'icmp';

export interface FlowSpec {
  name: string;
  /** A pod name (pod names are unique in a scenario). */
  from: string;
  to: string;
  /** Absent: taken from the policy (docs/scenario-reference.md, flows), else tcp. */
  protocol?: ProbeProtocol;
  /** Destination port of a tcp or udp probe; absent: taken from the policy, else 80. */
  port?: number;
  intervalMs: number;
  startMs: number;
  stopMs: number;
}

interface ControllerSpec {
  /** The node whose VM runs the aci-containers-controller pod. */
  node: string;
}

export interface Scenario {
  name: string;
  description: string;
  /** Path of the file it came from, or "built-in:<name>". */
  source: string;
  seed: number;
  /** cold: the bootstrap is simulated; steady: the run begins from its settled state. */
  start: 'cold' | 'steady';
  durationMs: number;
  fabric: FabricSpec;
  policy: PolicySpec;
  nodes: NodeSpec[];
  controller: ControllerSpec;
  settings: Settings;
  timers: Timers;
  latencies: Latencies;
  leaf: LeafSettings;
  faults: Faults;
  migrations: MigrationSpec[];
  /** Host evacuations (absent in scenarios built in code: none). */
  evacuations?: EvacuationSpec[];
  flows: FlowSpec[];
  /** Faults injected at given times (absent in scenarios built in code: none). */
  faultSchedule?: FaultEntry[];
}
