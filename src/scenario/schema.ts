/**
 * The zod schema of a scenario file (YAML input) and its normalisation into `Scenario`.
 *
 * Input keys are camelCase, except `settings:` which uses the acc-provision `kube_config` names.
 * Every object is strict (an unknown key is an error). Every default is applied here, durations become
 * milliseconds and distributions one tagged form, so the output is a `Scenario` without its `source`.
 * Cross-references (a pod's EPG exists, a migration's node exists, ...) are checked after this
 * schema by the loader, which also resolves `policy.policyFile` against the scenario's directory.
 *
 * Every default below is listed with its source in docs/scenario-reference.md.
 */
import { z } from 'zod';
import {
  DISTRIBUTION_STRING_PATTERN,
  DURATION_PATTERN,
  durationMsMax,
  exponentialDistribution,
  formatDuration,
  lognormalSigmaMax,
  lognormalDistribution,
  normalDistribution,
  parseDistributionString,
  parseDuration,
  uniformDistribution,
} from './duration.ts';
import { describeValue } from './scenario-error.ts';
import { expandGenerated } from './generated.ts';
import { generatedSchema } from './generated-schema.ts';
import { faultScheduleSchema } from './fault-schema.ts';
import { anycastAddressOf, numberToIpv4, parseTepPool } from '../fabric/tep-pool.ts';
import { isRecord } from '../json-fields.ts';
import type {
  AciPodSpec,
  ContractSpec,
  Distribution,
  EpgSpec,
  EvacuationSpec,
  FabricSpec,
  Faults,
  FilterSpec,
  FlowSpec,
  HypervisorSpec,
  LeafPairSpec,
  LeafSettings,
  LeafSpec,
  Latencies,
  MigrationSpec,
  NodeSpec,
  PolicySpec,
  RuleSpec,
  Scenario,
  Settings,
  Timers,
} from './types.ts';

/** Scenario without `source`, which the loader adds. */
export type ScenarioBody = Omit<Scenario, 'source'>;

const DEFAULT_OPFLEX_PORT = 8009;
export const DEFAULT_ANYCAST = '10.0.0.30:8009';
const DEFAULT_DOMAIN = 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid';
/** Added to the last migration's `at` when `duration` is not given (or used alone without migrations). */
const DEFAULT_TAIL_MS = 120_000;
const DEFAULT_FLOW_INTERVAL = '100ms';

type Ctx = { issues: { push(issue: { code: 'custom'; message: string; input: unknown; path?: PropertyKey[] }): unknown } };

/** Runs a throwing parser inside a transform, turning its error into a custom issue at `path`. */
function guard<T>(ctx: Ctx, input: unknown, path: PropertyKey[], fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof TypeError) && !(err instanceof RangeError)) throw err;
    ctx.issues.push({ code: 'custom', message: err.message, input, path });
    return z.NEVER;
  }
}

// ----------------------------------------------------------------------------------------------
// Primitives

const DURATION_FORMS = 'a duration (milliseconds as a number, or a string such as "250ms", "1.5s", "5m" or "2h")';

/** A duration: a number of milliseconds or a string with a unit; normalised to milliseconds. */
function durationSchema(description = 'A duration: milliseconds as a number, or a string such as "250ms", "1.5s", "5m", "2h".') {
  return z
    .union([z.number().meta({ minimum: 0, maximum: durationMsMax }), z.string().meta({ pattern: DURATION_PATTERN })], {
      error: (iss) => `expected ${DURATION_FORMS}, got ${describeValue(iss.input)}`,
    })
    .meta({ description })
    .transform((v, ctx) => guard(ctx, v, [], () => parseDuration(v)));
}

/** The shortest period, interval or timeout: shorter ones only make a run that never ends. */
const periodMsMin = 1;
/** The longest run a scenario may ask for, written as `duration` or implied by its last migration. */
export const scenarioDurationMsMax = 24 * 3_600_000;

/** A duration that must be at least `periodMsMin` (periods, intervals, timeouts). */
function positiveDurationSchema(description?: string) {
  return durationSchema(description).refine((ms) => ms >= periodMsMin, { error: `must be at least ${formatDuration(periodMsMin)}` });
}

const DISTRIBUTION_FORMS =
  'a distribution: a duration, a range "A..B", {uniform: [A, B]}, {normal: {mean, sd, min?}}, {lognormal: {median, sigma, max?}} or {exponential: {mean, max?}}';

const uniformForm = z
  .strictObject({ uniform: z.tuple([durationSchema(), durationSchema()]) })
  .transform((v, ctx): Distribution => guard(ctx, v, ['uniform'], () => uniformDistribution(v.uniform[0], v.uniform[1])));

const normalForm = z
  .strictObject({
    normal: z.strictObject({
      mean: durationSchema(),
      sd: durationSchema('Standard deviation (a duration).'),
      min: durationSchema('Samples below are clamped to this (default 0).').optional(),
    }),
  })
  .transform((v, ctx): Distribution => guard(ctx, v, ['normal'], () => normalDistribution(v.normal.mean, v.normal.sd, v.normal.min)));

const lognormalForm = z
  .strictObject({
    lognormal: z.strictObject({
      median: durationSchema(),
      sigma: z.number().nonnegative().max(lognormalSigmaMax).meta({ description: 'Shape parameter (no unit): the standard deviation of ln(sample).' }),
      max: durationSchema('Samples above are clamped to this (default: no cap).').optional(),
    }),
  })
  .transform((v, ctx): Distribution =>
    guard(ctx, v, ['lognormal'], () => lognormalDistribution(v.lognormal.median, v.lognormal.sigma, v.lognormal.max)),
  );

const exponentialForm = z
  .strictObject({
    exponential: z.strictObject({
      mean: durationSchema(),
      max: durationSchema('Samples above are clamped to this (default: no cap).').optional(),
    }),
  })
  .transform((v, ctx): Distribution => guard(ctx, v, ['exponential'], () => exponentialDistribution(v.exponential.mean, v.exponential.max)));

/** A latency distribution in any accepted form; normalised to a tagged `Distribution` in milliseconds. */
function distributionSchema(description: string) {
  return z
    .union(
      [
        z.number().meta({ minimum: 0, description: 'A fixed value in milliseconds.' }),
        z.string().meta({ pattern: DISTRIBUTION_STRING_PATTERN, description: 'A fixed duration ("250ms") or a uniform range ("10ms..200ms").' }),
        uniformForm,
        normalForm,
        lognormalForm,
        exponentialForm,
      ],
      { error: (iss) => `expected ${DISTRIBUTION_FORMS}, got ${describeValue(iss.input)}` },
    )
    .meta({ description })
    .transform((v, ctx): Distribution => (typeof v === 'object' ? v : guard(ctx, v, [], () => parseDistributionString(v))));
}

const name = (description?: string) => {
  const s = z.string().min(1);
  return description === undefined ? s : s.meta({ description });
};

const ipv4 = (description: string) =>
  z.ipv4({ error: (iss) => `expected an IPv4 address such as "10.0.0.101", got ${describeValue(iss.input)}` }).meta({ description });

const port = z.int().min(1).max(65535);

const MAC_RE = /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;

const mac = (description: string) =>
  z
    .string()
    .regex(MAC_RE, { error: (iss) => `expected a MAC address such as "00:50:56:aa:01:01", got ${describeValue(iss.input)}` })
    .meta({ description })
    .transform((v) => v.toLowerCase().replaceAll('-', ':'));

const HOST_PORT_RE = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/;

const anycastSchema = z
  .string()
  .meta({ pattern: '^\\d{1,3}(\\.\\d{1,3}){3}(:\\d{1,5})?$', description: 'The anycast OpFlex proxy as "address:port" (port defaults to 8009).' })
  .transform((v, ctx) => {
    const m = HOST_PORT_RE.exec(v.trim());
    const addressOk = m !== null && z.ipv4().safeParse(m[1]).success;
    const portNumber = m?.[2] === undefined ? DEFAULT_OPFLEX_PORT : Number(m[2]);
    if (!m || !addressOk || portNumber < 1 || portNumber > 65535) {
      ctx.issues.push({ code: 'custom', message: `expected "address:port" with an IPv4 address, such as "${DEFAULT_ANYCAST}", got ${describeValue(v)}`, input: v });
      return z.NEVER;
    }
    return { address: m[1]!, port: portNumber };
  });

// ----------------------------------------------------------------------------------------------
// settings: acc-provision kube_config names, integers in seconds as in that file

/**
 * Whole seconds as acc-provision writes them; a duration string with a unit ("10s", "2m") is read too,
 * so `compare --vary dhcp_delay=1s,5s` works. A string that is not whole seconds stays a string and is refused.
 */
const seconds = (def: number, description: string, min = 0) =>
  z.preprocess(wholeSecondsOf, z.int().min(min).default(def)).meta({ description: `${description} (seconds)` });

function wholeSecondsOf(value: unknown): unknown {
  if (typeof value !== 'string' || !/[a-z]\s*$/i.test(value)) return value;
  try {
    const ms = parseDuration(value);
    return ms % 1000 === 0 ? ms / 1000 : value;
  } catch {
    return value;
  }
}

export const settingsSchema = z.strictObject({
  enable_opflex_agent_reconnect: z.boolean().default(false).meta({ description: 'Controller resets the agent when the source ODev is deleted.' }),
  opflex_agent_reset_wait_delay: seconds(5, 'reset.conf is ignored if a PlatformConfig-delete reset happened less than this ago'),
  opflex_device_reconnect_wait_timeout: seconds(25, 'Multipod: wait after the ODev count drops before the annotation goes to none'),
  opflex_device_delete_timeout: seconds(1800, 'Controller purges cached stale ODevs after this'),
  aci_multipod: z.boolean().default(false).meta({ description: 'Multipod VM migration handling (DHCP renew for a new infra IP).' }),
  dhcp_delay: seconds(5, 'Host-agent wait between DHCP release and renew steps'),
  dhcp_renew_max_retry_count: z.int().min(0).default(5).meta({ description: 'DHCP renew attempts' }),
  opflex_agent_policy_retry_delay_timer: seconds(10, 'Base of the agent policy retry back-off', 1),
  opflex_switch_sync_delay: seconds(5, 'Agent wait after PlatformConfig resolves before switch sync'),
  opflex_agent_statistics: z.boolean().default(true).meta({ description: 'Agent sends observables (state_report).' }),
});

// ----------------------------------------------------------------------------------------------
// timers (YAML keys without the Ms suffix)

export const timersSchema = z
  .strictObject({
    bounceAging: durationSchema('Bounce entry aging (bounceAgeIntvl).').prefault('630s'),
    localAging: durationSchema('Local endpoint aging (localEpAgeIntvl).').prefault('900s'),
    remoteAging: durationSchema('Remote endpoint aging (remoteEpAgeIntvl).').prefault('300s'),
    moveFrequencyPerS: z.int().min(0).default(256).meta({ description: 'Endpoint move dampening threshold per BD (moves per second; 0 disables).' }),
    holdInterval: durationSchema('Learning disabled this long once the move frequency is exceeded (holdIntvl).').prefault('300s'),
    keepaliveFirst: positiveDurationSchema('First agent echo after connect.').prefault('10s'),
    keepaliveRepeat: positiveDurationSchema('Agent echo period after the first.').prefault('15s'),
    keepaliveTimeout: positiveDurationSchema('Session dropped after this long without hearing from the peer.').prefault('120s'),
    handshakeTimeout: positiveDurationSchema('OpFlex handshake timeout.').prefault('45s'),
    connectTimeout: positiveDurationSchema('Connect watchdog.').prefault('30s'),
    reconnectPacing: positiveDurationSchema('Agent retries one down peer per tick of this period.').prefault('1250ms'),
    controllerLoop: positiveDurationSchema('aci-containers controller annotation loop period.').prefault('1s'),
    leafPolicyGcDelay: durationSchema('Leaf keeps an unused policy object this long before collecting it.').prefault('60s'),
    prr: durationSchema('Agent policy resolve refresh rate (opflex.timers.prr; at least 15 s).')
      .refine((ms) => ms >= 15_000, { message: 'must be at least 15s (the agent\'s minimum prr)' })
      .prefault('7200s'),
    prrInterval: positiveDurationSchema('Proxy decrements prr subscriptions every this period (opflex_server prr_interval_secs).').prefault('60s'),
  })
  .transform(
    (t): Timers => ({
      bounceAgingMs: t.bounceAging,
      localAgingMs: t.localAging,
      remoteAgingMs: t.remoteAging,
      moveFrequencyPerS: t.moveFrequencyPerS,
      holdIntervalMs: t.holdInterval,
      keepaliveFirstMs: t.keepaliveFirst,
      keepaliveRepeatMs: t.keepaliveRepeat,
      keepaliveTimeoutMs: t.keepaliveTimeout,
      handshakeTimeoutMs: t.handshakeTimeout,
      connectTimeoutMs: t.connectTimeout,
      reconnectPacingMs: t.reconnectPacing,
      controllerLoopMs: t.controllerLoop,
      leafPolicyGcDelayMs: t.leafPolicyGcDelay,
      prrMs: t.prr,
      prrIntervalMs: t.prrInterval,
    }),
  );

// ----------------------------------------------------------------------------------------------
// latencies (YAML keys without the Ms suffix)

export const latenciesSchema = z
  .strictObject({
    preCopy: distributionSchema('vMotion pre-copy: memory copied while the VM runs.').prefault('5s..20s'),
    stun: distributionSchema('vMotion stun: VM paused until resumed on the destination.').prefault('200ms..1s'),
    garp: distributionSchema('Resume -> RARP/GARP on the wire.').prefault('0ms..5ms'),
    epmLearn: distributionSchema('Destination leaf EPM learns the endpoint.').prefault('10ms..100ms'),
    coopUpdate: distributionSchema('COOP report -> both leaves updated.').prefault('10ms..100ms'),
    proxyReaction: distributionSchema('Source leaf proxy sees its device moved -> sends the PlatformConfig delete.').prefault('50ms..500ms'),
    odevCreate: distributionSchema('Destination ODev created after the move.').prefault('1s..5s'),
    odevDisconnect: distributionSchema('Source ODev marked disconnected after its session ends.').prefault('10ms..100ms'),
    odevDelete: distributionSchema('Disconnected ODev deleted.').prefault('500ms..3s'),
    opflexLink: distributionSchema('One-way agent <-> leaf OpFlex message latency.').prefault('0.1ms..0.5ms'),
    connect: distributionSchema('TCP+TLS connect to a peer.').prefault('0.5ms..1.5ms'),
    leafServe: distributionSchema('Leaf serving an object it already holds.').prefault('1ms..5ms'),
    apicFetch: distributionSchema('Leaf fetching an object from APIC.').prefault('100ms..1s'),
    apicEvent: distributionSchema('APIC websocket event -> controller.').prefault('50ms..500ms'),
    k8sWatch: distributionSchema('Kubernetes watch latency (annotation -> host-agent).').prefault('100ms..1s'),
    controllerResync: distributionSchema("Controller's APIC websocket resync after its node is stunned.").prefault('5s..30s'),
  })
  .transform(
    (l): Latencies => ({
      preCopyMs: l.preCopy,
      stunMs: l.stun,
      garpMs: l.garp,
      epmLearnMs: l.epmLearn,
      coopUpdateMs: l.coopUpdate,
      proxyReactionMs: l.proxyReaction,
      odevCreateMs: l.odevCreate,
      odevDisconnectMs: l.odevDisconnect,
      odevDeleteMs: l.odevDelete,
      opflexLinkMs: l.opflexLink,
      connectMs: l.connect,
      leafServeMs: l.leafServe,
      apicFetchMs: l.apicFetch,
      apicEventMs: l.apicEvent,
      k8sWatchMs: l.k8sWatch,
      controllerResyncMs: l.controllerResync,
    }),
  );

export const leafSchema = z.strictObject({
  downloadConcurrency: z.int().min(1).default(4).meta({ description: 'Concurrent APIC fetches per leaf; more queue.' }),
}) satisfies z.ZodType<LeafSettings, unknown>;

/** Multipod faults: the DHCP server and the host-agent's renew cycle (docs/multipod.md). */
const MULTIPOD_FAULT_KEYS = {
  dhcpOfferExtraDelay: durationSchema("Multipod: added to the pod DHCP server's offer latency (a slow server).").optional(),
  dhcpSilent: z.boolean().optional().meta({ description: 'Multipod: the DHCP server never answers; every renew attempt times out.' }),
  dhcpLeaseHeld: z.boolean().optional().meta({ description: 'Multipod: the first offer after the release is an address another node still holds; the client declines it.' }),
  multicastRouteLost: z.boolean().optional().meta({ description: 'Multipod: the host-agent does not re-add the 224.0.0.0/4 route after the renew.' }),
};

export const faultsSchema = z
  .strictObject({
    platformConfigDeleteMissed: z.boolean().default(false).meta({ description: 'The source proxy never sends the PlatformConfig delete.' }),
    platformConfigDeleteExtraDelay: durationSchema('Added to proxyReaction: the slow case.').prefault(0),
    odevCreateExtraDelay: durationSchema('Added to odevCreate: the slow ODev case.').prefault(0),
    ...MULTIPOD_FAULT_KEYS,
  })
  .transform(
    (f): Faults => ({
      platformConfigDeleteMissed: f.platformConfigDeleteMissed,
      platformConfigDeleteExtraDelayMs: f.platformConfigDeleteExtraDelay,
      odevCreateExtraDelayMs: f.odevCreateExtraDelay,
      dhcpOfferExtraDelayMs: f.dhcpOfferExtraDelay ?? 0,
      dhcpSilent: f.dhcpSilent ?? false,
      dhcpLeaseHeld: f.dhcpLeaseHeld ?? false,
      multicastRouteLost: f.multicastRouteLost ?? false,
    }),
  );

// ----------------------------------------------------------------------------------------------
// fabric

const leafSpecSchema = z
  .strictObject({
    name: name('Leaf switch name, e.g. "leaf-101".'),
    id: z.int().min(1).meta({ description: 'APIC node id, e.g. 101.' }),
    address: ipv4('Infra TEP address its OpFlex proxy listens on.'),
    port: port.default(DEFAULT_OPFLEX_PORT).meta({ description: 'OpFlex proxy port.' }),
  })
  .transform((l): LeafSpec => ({ name: l.name, id: l.id, address: l.address, port: l.port }));

const leafPairSchema = z
  .strictObject({
    name: name('vPC leaf pair name.'),
    leaves: z.array(leafSpecSchema).length(2).meta({ description: 'Exactly two leaves (the vPC pair).' }),
  })
  .transform((p): LeafPairSpec => ({ name: p.name, leaves: [p.leaves[0]!, p.leaves[1]!] }));

const hypervisorSchema = z
  .strictObject({
    name: name('Hypervisor (ESXi host) name.'),
    leafPair: name('The leaf pair its uplink vPC lands on.'),
    vpc: name('vPC policy group name in the ODev fabricPathDn (default "<name>-vpc").').optional(),
  })
  .transform((h): HypervisorSpec => ({ name: h.name, leafPair: h.leafPair, vpc: h.vpc ?? `${h.name}-vpc` }));

const tepPoolSchema = z
  .string()
  .meta({ description: 'TEP pool of the pod as a CIDR, e.g. "10.1.0.0/16".' })
  .transform((v, ctx) => {
    try {
      return parseTepPool(v.trim());
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: v });
      return z.NEVER;
    }
  });

const dhcpServerSchema = z.strictObject({
  lease: positiveDurationSchema('Lease time the pod DHCP server grants.').prefault('24h'),
  offerLatency: distributionSchema('DISCOVER -> OFFER/ACK back at the client. [assumption]').prefault('5ms..50ms'),
  range: z
    .strictObject({ first: ipv4('First address handed out.'), last: ipv4('Last address handed out.') })
    .optional()
    .meta({ description: 'Addresses handed out (default: pool base + 64 to the last address but one).' }),
});

/** One ACI pod (the multipod form of `fabric`). */
const aciPodSchema = z.strictObject({
  id: z.int().min(1).meta({ description: 'ACI pod id.' }),
  tepPool: tepPoolSchema,
  anycast: anycastSchema.optional().meta({ description: 'The pod anycast OpFlex proxy (default: pool base .30, port 8009).' }),
  spines: z.array(name()).min(1).meta({ description: 'Spine switch names of this pod (its COOP oracle).' }),
  leafPairs: z.array(leafPairSchema).min(1),
  hypervisors: z.array(hypervisorSchema).min(1),
  dhcp: dhcpServerSchema.prefault({}).meta({ description: 'The pod DHCP server for the infra VLAN.' }),
});

/** spines, leafPairs and hypervisors are required unless the scenario has a `generated:` section or lists `pods`. */
const fabricSchema = z.strictObject({
  podId: z.int().min(1).default(1).meta({ description: 'ACI pod id (single-pod form; the multipod form gives each pod its id).' }),
  spines: z.array(name()).min(1).optional().meta({ description: 'Spine switch names (COOP oracles).' }),
  leafPairs: z.array(leafPairSchema).min(1).optional(),
  hypervisors: z.array(hypervisorSchema).min(1).optional(),
  anycast: anycastSchema.prefault(DEFAULT_ANYCAST),
  pods: z.array(aciPodSchema).min(1).optional().meta({ description: 'Multipod form: the ACI pods, each with its TEP pool, anycast proxy, spines, leaf pairs, hypervisors and DHCP server.' }),
  interPod: z
    .strictObject({ latency: distributionSchema('One-way spine-to-spine latency over the IPN. [assumption]').prefault('1ms..5ms') })
    .prefault({})
    .meta({ description: 'The inter-pod network (multipod form).' }),
});

/** The multipod form normalised: pods with defaults applied, and the flat lists the model reads. */
function multipodFabric(pods: z.output<typeof aciPodSchema>[], interPodLatencyMs: Distribution): FabricSpec {
  const aciPods: AciPodSpec[] = pods.map((p) => {
    const anycast = p.anycast ?? { address: anycastAddressOf(p.tepPool), port: DEFAULT_OPFLEX_PORT };
    const range = p.dhcp.range ?? { first: numberToIpv4(p.tepPool.base + DHCP_RANGE_OFFSET), last: numberToIpv4(p.tepPool.base + p.tepPool.size - 2) };
    return {
      id: p.id,
      tepPool: p.tepPool.cidr,
      anycast,
      spines: p.spines,
      leafPairs: p.leafPairs.map((l) => l.name),
      hypervisors: p.hypervisors.map((h) => h.name),
      dhcp: { leaseMs: p.dhcp.lease, offerLatencyMs: p.dhcp.offerLatency, range },
    };
  });
  return {
    podId: aciPods[0]!.id,
    spines: pods.flatMap((p) => p.spines),
    leafPairs: pods.flatMap((p) => p.leafPairs),
    hypervisors: pods.flatMap((p) => p.hypervisors),
    anycast: aciPods[0]!.anycast,
    pods: aciPods,
    interPodLatencyMs,
  };
}

/** Default first DHCP address: past the pool's low addresses (anycast proxy .30, VXLAN anycast .32). [assumption] */
const DHCP_RANGE_OFFSET = 64;

// ----------------------------------------------------------------------------------------------
// policy

const filterSchema = z
  .strictObject({
    name: name('Filter (L2-L4 classifier) name.'),
    etherType: z.enum(['ipv4', 'ipv6', 'arp', 'unspecified']).default('ipv4'),
    protocol: z.enum(['tcp', 'udp', 'icmp', 'unspecified']).default('unspecified'),
    ports: z
      .union([port, z.tuple([port, port])], { error: (iss) => `expected a port (1-65535) or a range [from, to], got ${describeValue(iss.input)}` })
      .optional()
      .meta({ description: 'Destination port, or inclusive range [from, to]; absent for any port.' }),
  })
  .transform((f, ctx): FilterSpec => {
    const out: FilterSpec = { name: f.name, etherType: f.etherType, protocol: f.protocol };
    if (f.ports !== undefined) {
      const range: [number, number] = typeof f.ports === 'number' ? [f.ports, f.ports] : f.ports;
      if (range[0] > range[1]) {
        ctx.issues.push({ code: 'custom', message: `port range [${range[0]}, ${range[1]}] is reversed: from must not be greater than to`, input: f.ports, path: ['ports'] });
      }
      if (f.protocol !== 'tcp' && f.protocol !== 'udp') {
        ctx.issues.push({ code: 'custom', message: `ports need protocol tcp or udp, but protocol is ${f.protocol}`, input: f.ports, path: ['ports'] });
      }
      out.ports = range;
    }
    return out;
  });

const ruleSchema = z
  .strictObject({
    name: name('Rule name.'),
    direction: z.enum(['in', 'out', 'bidirectional']).default('bidirectional'),
    filters: z.array(name()).min(1).meta({ description: 'Filter names (policy.filters).' }),
    action: z.enum(['allow', 'deny']).default('allow'),
  })
  .transform((r): RuleSpec => ({ name: r.name, direction: r.direction, filters: r.filters, action: r.action }));

const contractSchema = z
  .strictObject({
    name: name('Contract name.'),
    subjects: z.array(z.strictObject({ name: name('Subject name.'), rules: z.array(ruleSchema).min(1) })).min(1),
  })
  .transform((c): ContractSpec => ({ name: c.name, subjects: c.subjects.map((s) => ({ name: s.name, rules: s.rules })) }));

const epgSchema = z
  .strictObject({
    name: name('EPG name as the agent resolves it, e.g. "kubernetes|kube-default".'),
    bd: name('Bridge domain name.'),
    provides: z.array(name()).default([]).meta({ description: 'Contracts this EPG provides.' }),
    consumes: z.array(name()).default([]).meta({ description: 'Contracts this EPG consumes.' }),
    intraGroupPolicy: z.enum(['allow', 'require-contract']).default('allow'),
  })
  .transform((e): EpgSpec => ({ name: e.name, bd: e.bd, provides: e.provides, consumes: e.consumes, intraGroupPolicy: e.intraGroupPolicy }));

const cidr = z
  .cidrv4({ error: (iss) => `expected a gateway address with prefix such as "10.2.0.1/16", got ${describeValue(iss.input)}` })
  .meta({ description: 'Gateway address with prefix length, e.g. "10.2.0.1/16".' });

const policySchema = z
  .strictObject({
    domain: name('OpFlex / VMM domain (the PlatformConfig name).').default(DEFAULT_DOMAIN),
    tenant: name('PolicySpace of the cluster objects.').default('kube'),
    commonTenant: name('PolicySpace of shared objects (filters, actions, default VRF tenant).').default('common'),
    encapType: z.enum(['vxlan', 'vlan']).default('vxlan'),
    vrfs: z
      .array(z.strictObject({ name: name('VRF (routing domain) name.'), tenant: name('Tenant holding it (default: commonTenant).').optional() }))
      .default([]),
    bridgeDomains: z
      .array(z.strictObject({ name: name('Bridge domain name.'), vrf: name('VRF name.'), subnets: z.array(cidr).min(1) }))
      .default([]),
    epgs: z.array(epgSchema).default([]),
    filters: z.array(filterSchema).default([]),
    contracts: z.array(contractSchema).default([]),
    policyFile: name('opflex_server policy file (JSON array of managed objects), relative to the scenario file.').optional(),
  })
  .transform((p): PolicySpec => {
    const out: PolicySpec = {
      domain: p.domain,
      tenant: p.tenant,
      commonTenant: p.commonTenant,
      encapType: p.encapType,
      vrfs: p.vrfs.map((v) => ({ name: v.name, tenant: v.tenant ?? p.commonTenant })),
      bridgeDomains: p.bridgeDomains.map((b) => ({ name: b.name, vrf: b.vrf, subnets: b.subnets })),
      epgs: p.epgs,
      filters: p.filters,
      contracts: p.contracts,
    };
    if (p.policyFile !== undefined) out.policyFile = p.policyFile;
    return out;
  });

// ----------------------------------------------------------------------------------------------
// nodes, controller, migrations, flows

const podSchema = z.strictObject({
  name: name('Pod name, unique in the scenario.'),
  epg: name('EPG name (policy.epgs).'),
  ip: ipv4('Pod IP address.'),
  mac: mac('Pod MAC address.'),
});

const nodeSchema = z
  .strictObject({
    name: name('Kubernetes node name.'),
    hypervisor: name('Hypervisor the node VM starts on.'),
    infraIp: ipv4('Infra-VLAN address (the agent ODev devId).'),
    mac: mac('Uplink MAC of the node.'),
    pods: z.array(podSchema).default([]),
  })
  .transform((n): NodeSpec => ({ name: n.name, hypervisor: n.hypervisor, infraIp: n.infraIp, mac: n.mac, pods: n.pods }));

const migrationSchema = z
  .strictObject({
    at: durationSchema('When the migration starts, from the start of the run.'),
    node: name('Node to migrate.'),
    to: name('Destination hypervisor.'),
    faults: z
      .strictObject({
        platformConfigDeleteMissed: z.boolean().optional().meta({ description: 'This migration only: the source proxy never sends the PlatformConfig delete.' }),
        platformConfigDeleteExtraDelay: durationSchema('This migration only: added to proxyReaction.').optional(),
        ...MULTIPOD_FAULT_KEYS,
      })
      .optional()
      .meta({ description: 'Faults for this migration only, over the scenario-wide faults.' }),
  })
  .transform((m): MigrationSpec => ({
    atMs: m.at,
    node: m.node,
    to: m.to,
    ...(m.faults
      ? {
          faults: {
            ...(m.faults.platformConfigDeleteMissed !== undefined ? { platformConfigDeleteMissed: m.faults.platformConfigDeleteMissed } : {}),
            ...(m.faults.platformConfigDeleteExtraDelay !== undefined ? { platformConfigDeleteExtraDelayMs: m.faults.platformConfigDeleteExtraDelay } : {}),
            ...(m.faults.dhcpOfferExtraDelay !== undefined ? { dhcpOfferExtraDelayMs: m.faults.dhcpOfferExtraDelay } : {}),
            ...(m.faults.dhcpSilent !== undefined ? { dhcpSilent: m.faults.dhcpSilent } : {}),
            ...(m.faults.dhcpLeaseHeld !== undefined ? { dhcpLeaseHeld: m.faults.dhcpLeaseHeld } : {}),
            ...(m.faults.multicastRouteLost !== undefined ? { multicastRouteLost: m.faults.multicastRouteLost } : {}),
          },
        }
      : {}),
  }));

const evacuationSchema = z
  .strictObject({
    at: durationSchema('When the evacuation starts, from the start of the run.'),
    hypervisor: name('Hypervisor to evacuate (as entering maintenance mode).'),
    to: z.array(name()).min(1).optional().meta({ description: 'Hypervisors the VMs may move to (default: every other hypervisor).' }),
    concurrency: z.int().min(1).default(8).meta({ description: 'Most vMotions from this host at a time.' }),
  })
  .transform((e): EvacuationSpec => ({ atMs: e.at, hypervisor: e.hypervisor, ...(e.to ? { to: e.to } : {}), concurrency: e.concurrency }));

const flowSchema = z
  .strictObject({
    name: name('Flow name.'),
    from: name('Source pod name.'),
    to: name('Destination pod name.'),
    protocol: z.enum(['tcp', 'udp', 'icmp']).optional().meta({
      description: 'Protocol of the probe packets (default: the first protocol a contract between the two EPGs permits, else tcp).',
    }),
    port: port.optional().meta({
      description: 'Destination port of a tcp or udp probe (default: the first port a contract between the two EPGs permits for the protocol, else 80).',
    }),
    interval: positiveDurationSchema('One probe packet per interval.').prefault(DEFAULT_FLOW_INTERVAL),
    start: durationSchema('First packet time.').prefault(0),
    stop: durationSchema('No packet after this time (default: the scenario duration).').optional(),
  })
  .check(
    z.superRefine((f, ctx) => {
      if (f.protocol === 'icmp' && f.port !== undefined) {
        ctx.addIssue({ code: 'custom', message: `icmp has no ports: drop port ${f.port} or use protocol tcp or udp`, input: f.port, path: ['port'] });
      }
    }),
  );

// ----------------------------------------------------------------------------------------------
// the whole scenario

/** The input object, before whole-scenario defaults (duration, controller node, flow stop). */
const scenarioInputSchema = z
  .strictObject({
    name: name('Scenario name.'),
    description: z.string().default(''),
    seed: z.int().min(0).default(1).meta({ description: 'Root seed of every random stream.' }),
    duration: positiveDurationSchema('Simulated time (default: last migration or evacuation + 120s, or 120s).').optional(),
    start: z.enum(['cold', 'steady']).default('cold').meta({
      description:
        'How the run begins. cold: every agent boots at time 0 and the bootstrap is simulated message by message (anycast redirect, resolves, declares, ODevs). ' +
        'steady: the fabric as it is once that has settled (sessions ready, policy held and subscribed, endpoints declared and learned, ODevs connected), built without messages; for large fabrics, where the bootstrap would dominate the run.',
    }),
    fabric: fabricSchema.optional(),
    policy: policySchema.prefault({}),
    nodes: z.array(nodeSchema).min(1).optional(),
    generated: generatedSchema.optional().meta({ description: 'Sizes of a fabric, policy and node population the loader expands and merges with the explicit ones.' }),
    controller: z
      .strictObject({ node: name('Node whose VM runs the aci-containers-controller pod (default: the first node).').optional() })
      .optional(),
    settings: settingsSchema.prefault({}),
    timers: timersSchema.prefault({}),
    latencies: latenciesSchema.prefault({}),
    leaf: leafSchema.prefault({}),
    faults: faultsSchema.prefault({}),
    migrations: z.array(migrationSchema).default([]),
    evacuations: z.array(evacuationSchema).default([]),
    flows: z.array(flowSchema).default([]),
    faultSchedule: faultScheduleSchema(durationSchema),
  })
  .check(
    // fabric (with spines, leafPairs, hypervisors) and nodes are required unless `generated:` is given.
    // Runs even when other keys have issues, so a missing section is reported with everything else.
    z.superRefine(
      (s: unknown, ctx) => {
        if (!isRecord(s) || s.generated !== undefined) return;
        const { fabric, nodes } = s;
        const missing = (path: string[], expected: 'object' | 'array') => ctx.addIssue({ code: 'invalid_type', expected, input: undefined, path });
        if (fabric === undefined) missing(['fabric'], 'object');
        else if (isRecord(fabric)) {
          if (fabric.pods !== undefined) {
            for (const key of ['spines', 'leafPairs', 'hypervisors']) {
              if (fabric[key] !== undefined) ctx.addIssue({ code: 'custom', message: `${key} belongs inside each pod when fabric lists pods`, input: fabric[key], path: ['fabric', key] });
            }
          } else for (const key of ['spines', 'leafPairs', 'hypervisors']) if (fabric[key] === undefined) missing(['fabric', key], 'array');
        }
        if (nodes === undefined) missing(['nodes'], 'array');
      },
      { when: () => true },
    ),
  )
  .meta({
    title: 'opflex-twin scenario',
    description: 'A digital-twin scenario: fabric, policy, nodes (or a generated: section), settings, timers, latencies, faults, migrations, evacuations and flows.',
  });

/** The scenario schema: YAML data in, a normalised scenario (without `source`) out. */
export const scenarioSchema = scenarioInputSchema.transform((s, ctx): ScenarioBody => {
  let fabric: FabricSpec = s.fabric?.pods ? multipodFabric(s.fabric.pods, s.fabric.interPod.latency) : {
    podId: s.fabric?.podId ?? 1,
    spines: s.fabric?.spines ?? [],
    leafPairs: s.fabric?.leafPairs ?? [],
    hypervisors: s.fabric?.hypervisors ?? [],
    anycast: s.fabric?.anycast ?? { address: DEFAULT_ANYCAST.split(':')[0]!, port: DEFAULT_OPFLEX_PORT },
  };
  let policy = s.policy;
  let nodes: NodeSpec[] = s.nodes ?? [];
  if (s.generated !== undefined) {
    const expanded = expandGenerated(s.generated, s.seed, { fabric, policy, nodes });
    for (const message of expanded.problems) ctx.issues.push({ code: 'custom', message, input: undefined, path: ['generated'] });
    if (expanded.problems.length === 0 && expanded.nodes.length === 0) {
      ctx.issues.push({ code: 'custom', message: 'the scenario has no nodes: generate some (generated.nodes) or list them under nodes', input: undefined, path: ['generated'] });
    }
    if (ctx.issues.length > 0) return z.NEVER;
    ({ fabric, policy, nodes } = expanded);
  }
  const lastStartMs = Math.max(s.migrations.reduce((max, m) => Math.max(max, m.atMs), 0), s.evacuations.reduce((max, e) => Math.max(max, e.atMs), 0));
  const durationMs = s.duration ?? (s.migrations.length + s.evacuations.length > 0 ? lastStartMs : 0) + DEFAULT_TAIL_MS;
  if (durationMs > scenarioDurationMsMax) {
    const limit = `the longest run accepted is ${formatDuration(scenarioDurationMsMax)}`;
    if (s.duration !== undefined) {
      ctx.issues.push({ code: 'custom', message: `${formatDuration(durationMs)} is too long: ${limit}`, input: s.duration, path: ['duration'] });
    } else {
      const latest = s.migrations.findIndex((m) => m.atMs === lastStartMs);
      const path = latest >= 0 ? ['migrations', latest, 'at'] : ['evacuations', s.evacuations.findIndex((e) => e.atMs === lastStartMs), 'at'];
      ctx.issues.push({ code: 'custom', message: `${formatDuration(lastStartMs)} makes the run last ${formatDuration(durationMs)} (the last start + ${formatDuration(DEFAULT_TAIL_MS)}): ${limit}`, input: lastStartMs, path });
    }
    return z.NEVER;
  }
  const settings: Settings = s.settings;
  const flows: FlowSpec[] = s.flows.map((f) => ({
    name: f.name,
    from: f.from,
    to: f.to,
    ...(f.protocol !== undefined ? { protocol: f.protocol } : {}),
    ...(f.port !== undefined ? { port: f.port } : {}),
    intervalMs: f.interval,
    startMs: f.start,
    stopMs: f.stop ?? durationMs,
  }));
  return {
    name: s.name,
    description: s.description,
    seed: s.seed,
    start: s.start,
    durationMs,
    fabric,
    policy,
    nodes,
    controller: { node: s.controller?.node ?? nodes[0]!.name },
    settings,
    timers: s.timers,
    latencies: s.latencies,
    leaf: s.leaf,
    faults: s.faults,
    migrations: s.migrations,
    evacuations: s.evacuations,
    flows,
    ...(s.faultSchedule.length > 0 ? { faultSchedule: s.faultSchedule } : {}),
  };
});
