/**
 * Expands a scenario's `generated:` section (generated-schema.ts) into fabric, policy and nodes, merged
 * after whatever the scenario writes explicitly. The expansion is deterministic: it depends only on
 * the section and its seed (default: the scenario's seed), never on the order of anything else.
 *
 * What it builds (docs/scenario-reference.md, "generated"):
 * - leaf pairs `pair-1..`, each with two leaves `leaf-<id>` (ids from 101, TEPs from 10.0.80.64 upward,
 *   skipping ids and addresses the scenario already uses);
 * - hypervisors `esx-1..`, spread evenly over the generated leaf pairs (over the explicit ones when
 *   none are generated), in contiguous blocks: esx-1 and esx-2 on pair-1, ...;
 * - VRFs `vrf-<n>`, bridge domains `bd-<n>`, filters (udp-53, icmp, common TCP ports), contracts
 *   (`kube-dns`, shared, and `svc-<n>`), EPGs `kubernetes|<word>-<n>`. EPG 1 (`infra-1`) has a pod on
 *   every node and provides `kube-dns`, which every EPG consumes; every other EPG provides 1-2 service
 *   contracts and consumes 1-3 contracts in all;
 * - nodes `node-1..` spread evenly over the hypervisors (contiguous blocks), infra IPs from 10.0.0.101
 *   in 10.0.0.0/16 (skipping x.x.x.0, x.x.x.255, 10.0.0.30, 10.0.0.32, the anycast and the leaf TEP
 *   range 10.0.80.0/20), MACs 00:50:56:b0:00:01..;
 * - pods `<epg-short>-<node>-<i>` in `epgsPerNode` distinct EPGs per node. Each EPG has a home leaf
 *   pair; a node draws each EPG from those homed on its own pair with probability `locality`, else from
 *   all EPGs, so a move to another pair finds some EPGs warm and some cold. Pod IPs come from one
 *   aligned block per bridge domain packed from 10.64.0.0 upward; pod MACs follow 0a:58:<ip in hex>.
 *
 * Memory: the pods are plain `PodSpec` objects in one array per node; the only per-pod work is building
 * the name, IP and MAC strings. Everything else is per node, per EPG or per bridge domain.
 */
import { RandomStream, RandomStreams } from '../kernel/random.ts';
import type { GeneratedSpec } from './generated-schema.ts';
import type {
  BridgeDomainSpec,
  ContractSpec,
  EpgSpec,
  FabricSpec,
  FilterSpec,
  HypervisorSpec,
  LeafPairSpec,
  NodeSpec,
  PodSpec,
  PolicySpec,
  VrfSpec,
} from './types.ts';

/** The parts of a scenario the expansion merges with (explicit lists may be empty). */
interface ExplicitParts {
  fabric: FabricSpec;
  policy: PolicySpec;
  nodes: NodeSpec[];
}

interface Expansion {
  fabric: FabricSpec;
  policy: PolicySpec;
  nodes: NodeSpec[];
  /** Clashes with explicit names and impossible requests; empty when the expansion is usable. */
  problems: string[];
}

const DEFAULT_SPINES = ['spine-201', 'spine-202'];
const FIRST_LEAF_ID = 101;
const FIRST_LEAF_ADDRESS = '10.0.80.64';
const FIRST_INFRA_IP = '10.0.0.101';
const POD_SPACE_START = '10.64.0.0';
const SHARED_CONTRACT = 'kube-dns';

const EPG_PREFIX = 'kubernetes|';
const INFRA_WORD = 'infra';
const WORDS = ['web', 'api', 'db', 'cache', 'queue', 'auth', 'search', 'batch', 'ml', 'metrics', 'logs', 'cart', 'pay', 'media', 'mail', 'report'];
const TCP_PORTS = [80, 443, 8080, 8443, 5432, 3306, 6379, 9090, 9092, 27017, 2379, 5672, 11211, 9200, 8000, 3000, 5000, 6443, 10250, 15672, 1433, 1521, 9042, 7000, 8081, 50051, 25, 587, 993, 4222];
/** Most clash messages listed per kind of name. */
const MAX_CLASHES_LISTED = 5;

// ----------------------------------------------------------------------------------------------
// Addresses as 32-bit numbers

const OCTET = Array.from({ length: 256 }, (_, i) => String(i));
const OCTET_DOT = OCTET.map((o) => `${o}.`);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_CODE = Array.from({ length: 16 }, (_, i) => i.toString(16).charCodeAt(0));
/** Reading one character makes V8 flatten a concatenated string now, so no chain of parts is kept. */
let flattenSink = 0;
function flat(s: string): string {
  flattenSink ^= s.charCodeAt(0);
  return s;
}

export function ipToNumber(ip: string): number {
  const p = ip.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

function numberToIp(n: number): string {
  return flat(OCTET_DOT[n >>> 24]! + OCTET_DOT[(n >>> 16) & 255]! + OCTET_DOT[(n >>> 8) & 255]! + OCTET[n & 255]!);
}

/** The Kubernetes / aci-containers pod MAC convention: 0a:58 followed by the IPv4 address in hex. */
export function podMacOf(n: number): string {
  const h = HEX_CODE;
  return String.fromCharCode(
    48, 97, 58, 53, 56, 58, // "0a:58:"
    h[n >>> 28]!, h[(n >>> 24) & 15]!, 58,
    h[(n >>> 20) & 15]!, h[(n >>> 16) & 15]!, 58,
    h[(n >>> 12) & 15]!, h[(n >>> 8) & 15]!, 58,
    h[(n >>> 4) & 15]!, h[n & 15]!,
  );
}

function nodeMacOf(n: number): string {
  return '00:50:56:' + HEX[(n >>> 16) & 255]! + ':' + HEX[(n >>> 8) & 255]! + ':' + HEX[n & 255]!;
}

const LEAF_TEP_RANGE_START = ipToNumber('10.0.80.0');
const LEAF_TEP_RANGE_END = ipToNumber('10.0.95.255');
const INFRA_END = ipToNumber('10.0.255.255');
const POD_SPACE_END = ipToNumber('10.255.255.255');
const RESERVED_INFRA = new Set([ipToNumber('10.0.0.30'), ipToNumber('10.0.0.32')]);
const NODE_MAC_BASE = 0xb00000;

function hostLike(n: number): boolean {
  const last = n & 255;
  return last !== 0 && last !== 255;
}

/** Natural order: esx-2 before esx-10. */
export function compareNames(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

// ----------------------------------------------------------------------------------------------
// Names

/** `kubernetes|web-3` for the 1-based EPG number 3; number 1 is the infra EPG. */
function generatedEpgShort(n: number): string {
  return `${n === 1 ? INFRA_WORD : WORDS[(n - 2) % WORDS.length]!}-${n}`;
}

function filterSpec(n: number): FilterSpec {
  if (n === 1) return { name: 'udp-53', etherType: 'ipv4', protocol: 'udp', ports: [53, 53] };
  if (n === 2) return { name: 'icmp', etherType: 'ipv4', protocol: 'icmp' };
  const port = n - 3 < TCP_PORTS.length ? TCP_PORTS[n - 3]! : 30000 + (n - 3 - TCP_PORTS.length);
  return { name: `tcp-${port}`, etherType: 'ipv4', protocol: 'tcp', ports: [port, port] };
}

class Clashes {
  private readonly byKind = new Map<string, { shown: string[]; more: number }>();

  constructor(private readonly problems: string[]) {}

  /** `explicit` maps each explicit name to where it is written. */
  check(kind: string, name: string, explicit: ReadonlyMap<string, string>): void {
    const where = explicit.get(name);
    if (where === undefined) return;
    let entry = this.byKind.get(kind);
    if (!entry) this.byKind.set(kind, (entry = { shown: [], more: 0 }));
    if (entry.shown.length < MAX_CLASHES_LISTED) entry.shown.push(`"${name}" (${where})`);
    else entry.more++;
  }

  flush(): void {
    for (const [kind, { shown, more }] of this.byKind) {
      const one = shown.length + more === 1;
      this.problems.push(
        `generated ${kind} name${one ? '' : 's'} ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''} ` +
          `${one ? 'clashes with an explicit one' : 'clash with explicit ones'}: rename the explicit ${one ? 'one' : 'ones'} or generate fewer`,
      );
    }
  }
}

function namesAt<T extends { name: string }>(items: readonly T[], path: string): Map<string, string> {
  const out = new Map<string, string>();
  items.forEach((item, i) => {
    if (!out.has(item.name)) out.set(item.name, `${path}[${i}]`);
  });
  return out;
}

// ----------------------------------------------------------------------------------------------
// The layout: everything except the pods' addresses, cheap to build (no per-pod work)

/**
 * Names, placement and EPG choices of a generated section: what presets and `opflex-twin generate`
 * need to plan moves and flows without expanding every pod.
 */
export class GeneratedLayout {
  readonly seed: number;
  readonly leafPairs: LeafPairSpec[] = [];
  readonly hypervisors: HypervisorSpec[] = [];
  readonly vrfs: VrfSpec[] = [];
  /** Generated bridge domains; their `subnets` are filled by `expandGenerated`. */
  readonly bridgeDomains: BridgeDomainSpec[] = [];
  readonly filters: FilterSpec[] = [];
  readonly contracts: ContractSpec[] = [];
  readonly epgs: EpgSpec[] = [];
  /** Generated node names, in order. */
  readonly nodeNames: string[] = [];
  /** EPGs pods are drawn from (the generated ones, or the explicit ones when none are generated). */
  readonly epgPool: readonly EpgSpec[];
  /** Short name of each pool EPG, for pod names. */
  readonly epgShort: readonly string[];
  /** Hypervisors nodes are placed on (the generated ones, or the explicit ones when none are generated). */
  readonly hypervisorPool: readonly HypervisorSpec[];
  /** Distinct EPGs per generated node (epgsPerNode capped by the pool and podsPerNode). */
  readonly epgsPerNode: number;
  /** Pool index of the EPG on every node (the generated infra EPG), or -1. */
  readonly infraEpg: number;
  readonly problems: string[] = [];
  /** Leaf TEP addresses in use, explicit and generated (infra IPs avoid them). */
  readonly leafAddresses: ReadonlySet<number>;

  private readonly pairIndexOfHypervisor: Int32Array;
  /** Home leaf pair (index into the distinct pairs of the hypervisor pool) of each pool EPG, -1 for infra. */
  readonly epgHome: Int32Array;
  private readonly localEpgs: Int32Array[];
  private readonly nodeSeedBase: number;

  constructor(
    readonly spec: GeneratedSpec,
    scenarioSeed: number,
    readonly explicit: ExplicitParts,
  ) {
    this.seed = spec.seed ?? scenarioSeed;
    const random = new RandomStreams(this.seed);
    const clashes = new Clashes(this.problems);
    const f = explicit.fabric;
    const p = explicit.policy;

    // Leaf pairs and leaves
    const explicitPairs = namesAt(f.leafPairs, 'fabric.leafPairs');
    const explicitLeaves = new Map<string, string>();
    const usedIds = new Set<number>();
    const usedAddresses = new Set<number>([ipToNumber(f.anycast.address)]);
    f.leafPairs.forEach((pair, i) =>
      pair.leaves.forEach((leaf, j) => {
        if (!explicitLeaves.has(leaf.name)) explicitLeaves.set(leaf.name, `fabric.leafPairs[${i}].leaves[${j}]`);
        usedIds.add(leaf.id);
        usedAddresses.add(ipToNumber(leaf.address));
      }),
    );
    let nextId = FIRST_LEAF_ID;
    let nextAddress = ipToNumber(FIRST_LEAF_ADDRESS);
    const leaf = () => {
      while (usedIds.has(nextId)) nextId++;
      while (usedAddresses.has(nextAddress) || !hostLike(nextAddress)) nextAddress++;
      const id = nextId++;
      const address = nextAddress++;
      const name = `leaf-${id}`;
      clashes.check('leaf', name, explicitLeaves);
      return { name, id, address: numberToIp(address), port: 8009 };
    };
    for (let n = 1; n <= spec.leafPairs; n++) {
      const name = `pair-${n}`;
      clashes.check('leaf pair', name, explicitPairs);
      this.leafPairs.push({ name, leaves: [leaf(), leaf()] });
    }
    this.leafAddresses = usedAddresses;

    // Hypervisors
    const pairPool = this.leafPairs.length > 0 ? this.leafPairs : f.leafPairs;
    if (spec.hypervisors > 0 && pairPool.length === 0) this.problems.push('generated hypervisors need leaf pairs: set generated.leafPairs or write fabric.leafPairs');
    const explicitHypervisors = namesAt(f.hypervisors, 'fabric.hypervisors');
    if (pairPool.length > 0) {
      for (let h = 0; h < spec.hypervisors; h++) {
        const name = `esx-${h + 1}`;
        clashes.check('hypervisor', name, explicitHypervisors);
        this.hypervisors.push({ name, leafPair: pairPool[Math.floor((h * pairPool.length) / spec.hypervisors)]!.name, vpc: `${name}-vpc` });
      }
    }
    this.hypervisorPool = this.hypervisors.length > 0 ? this.hypervisors : f.hypervisors;
    const pairIndex = new Map<string, number>();
    this.pairIndexOfHypervisor = new Int32Array(this.hypervisorPool.length);
    this.hypervisorPool.forEach((h, i) => {
      let index = pairIndex.get(h.leafPair);
      if (index === undefined) pairIndex.set(h.leafPair, (index = pairIndex.size));
      this.pairIndexOfHypervisor[i] = index;
    });
    const pairCount = Math.max(1, pairIndex.size);

    // Policy: VRFs, bridge domains, filters, contracts, EPGs
    const policyRandom = random.stream('generated:policy');
    const explicitVrfs = namesAt(p.vrfs, 'policy.vrfs');
    for (let n = 1; n <= spec.vrfs; n++) {
      const name = `vrf-${n}`;
      clashes.check('VRF', name, explicitVrfs);
      this.vrfs.push({ name, tenant: p.commonTenant });
    }
    const vrfPool = this.vrfs.length > 0 ? this.vrfs : p.vrfs;
    if (spec.bridgeDomains > 0 && vrfPool.length === 0) this.problems.push('generated bridge domains need VRFs: set generated.vrfs or write policy.vrfs');
    const explicitBds = namesAt(p.bridgeDomains, 'policy.bridgeDomains');
    if (vrfPool.length > 0) {
      for (let n = 1; n <= spec.bridgeDomains; n++) {
        const name = `bd-${n}`;
        clashes.check('bridge domain', name, explicitBds);
        this.bridgeDomains.push({ name, vrf: vrfPool[(n - 1) % vrfPool.length]!.name, subnets: [] });
      }
    }
    const explicitFilters = namesAt(p.filters, 'policy.filters');
    for (let n = 1; n <= spec.filters; n++) {
      const filter = filterSpec(n);
      clashes.check('filter', filter.name, explicitFilters);
      this.filters.push(filter);
    }
    const filterPool = this.filters.length > 0 ? this.filters : p.filters;
    if (spec.contracts > 0 && filterPool.length === 0) this.problems.push('generated contracts need filters: set generated.filters or write policy.filters');
    const explicitContracts = namesAt(p.contracts, 'policy.contracts');
    if (filterPool.length > 0) {
      for (let n = 1; n <= spec.contracts; n++) {
        const name = n === 1 ? SHARED_CONTRACT : `svc-${n}`;
        clashes.check('contract', name, explicitContracts);
        let filters: string[];
        if (n === 1) filters = [filterPool[0]!.name];
        else {
          // Service contracts use the filters after udp-53 when there are any.
          const from = filterPool.length > 1 ? 1 : 0;
          const span = filterPool.length - from;
          const first = from + policyRandom.int(span);
          const second = from + policyRandom.int(span);
          filters = policyRandom.next() < 0.3 && second !== first ? [filterPool[first]!.name, filterPool[second]!.name] : [filterPool[first]!.name];
        }
        this.contracts.push({ name, subjects: [{ name: n === 1 ? 'dns' : 'svc', rules: [{ name: 'allow', direction: 'bidirectional', filters, action: 'allow' }] }] });
      }
    }
    const contractPool = this.contracts.length > 0 ? this.contracts : p.contracts;
    const sharedContract = this.contracts.length > 0;
    const bdPool = this.bridgeDomains.length > 0 ? this.bridgeDomains : p.bridgeDomains;
    if (spec.epgs > 0 && bdPool.length === 0) this.problems.push('generated EPGs need bridge domains: set generated.bridgeDomains or write policy.bridgeDomains');
    const explicitEpgs = namesAt(p.epgs, 'policy.epgs');
    const shorts: string[] = [];
    if (bdPool.length > 0) {
      const pick = (out: string[], exclude: readonly string[]) => {
        // A service contract (index >= 1 when the shared one is generated), not already listed.
        const from = sharedContract && contractPool.length > 1 ? 1 : 0;
        for (let tries = 0; tries < 8; tries++) {
          const c = contractPool[from + policyRandom.int(contractPool.length - from)]!.name;
          if (!out.includes(c) && !exclude.includes(c)) {
            out.push(c);
            return;
          }
        }
      };
      for (let n = 1; n <= spec.epgs; n++) {
        const short = generatedEpgShort(n);
        const name = EPG_PREFIX + short;
        clashes.check('EPG', name, explicitEpgs);
        shorts.push(short);
        const provides: string[] = [];
        const consumes: string[] = [];
        if (contractPool.length > 0) {
          if (sharedContract && n === 1) {
            provides.push(SHARED_CONTRACT);
            if (contractPool.length > 1 && policyRandom.next() < 0.5) pick(provides, []);
            if (contractPool.length > 1) pick(consumes, provides);
            else consumes.push(SHARED_CONTRACT);
          } else if (sharedContract) {
            // Every service contract is provided by some EPG when there are enough EPGs.
            provides.push(contractPool.length > 1 ? contractPool[1 + ((n - 2) % (contractPool.length - 1))]!.name : SHARED_CONTRACT);
            if (contractPool.length > 2 && policyRandom.next() < 0.5) pick(provides, []);
            consumes.push(SHARED_CONTRACT);
            const more = policyRandom.int(3);
            for (let i = 0; i < more && contractPool.length > 1; i++) pick(consumes, provides);
          } else {
            pick(provides, []);
            if (policyRandom.next() < 0.5) pick(provides, []);
            const total = 1 + policyRandom.int(3);
            for (let i = 0; i < total; i++) pick(consumes, provides);
            if (consumes.length === 0) consumes.push(contractPool[policyRandom.int(contractPool.length)]!.name);
          }
        }
        this.epgs.push({ name, bd: bdPool[(n - 1) % bdPool.length]!.name, provides, consumes, intraGroupPolicy: 'allow' });
      }
    }
    this.epgPool = this.epgs.length > 0 ? this.epgs : p.epgs;
    this.epgShort = this.epgs.length > 0 ? shorts : p.epgs.map((e) => e.name.slice(e.name.lastIndexOf('|') + 1).replace(/[^A-Za-z0-9-]+/g, '-'));
    this.infraEpg = this.epgs.length >= 2 && spec.epgsPerNode >= 2 && spec.podsPerNode >= 2 ? 0 : -1;

    // Nodes and where their EPGs live
    const explicitNodes = namesAt(explicit.nodes, 'nodes');
    if (spec.nodes > 0 && this.hypervisorPool.length === 0) this.problems.push('generated nodes need hypervisors: set generated.hypervisors or write fabric.hypervisors');
    if (spec.nodes > 0 && spec.podsPerNode > 0 && this.epgPool.length === 0) this.problems.push('generated pods need EPGs: set generated.epgs or write policy.epgs');
    if (this.hypervisorPool.length > 0) {
      for (let k = 1; k <= spec.nodes; k++) {
        const name = `node-${k}`;
        clashes.check('node', name, explicitNodes);
        this.nodeNames.push(name);
      }
    }
    this.epgsPerNode = Math.min(spec.epgsPerNode, this.epgPool.length, spec.podsPerNode);
    const homeRandom = random.stream('generated:homes');
    this.epgHome = new Int32Array(this.epgPool.length);
    const perPair: number[][] = Array.from({ length: pairCount }, () => []);
    for (let e = 0; e < this.epgPool.length; e++) {
      const home = e === this.infraEpg ? -1 : homeRandom.int(pairCount);
      this.epgHome[e] = home;
      if (home >= 0) perPair[home]!.push(e);
    }
    this.localEpgs = perPair.map((list) => Int32Array.from(list));
    this.nodeSeedBase = random.stream('generated:nodes').nextUint32();
    clashes.flush();
  }

  /** Index into `hypervisorPool` of generated node `k` (0-based). */
  hypervisorOfNode(k: number): number {
    return Math.floor((k * this.hypervisorPool.length) / this.nodeNames.length);
  }

  /** Generated nodes (0-based indices) placed on hypervisor `h` of the pool. */
  nodesOnHypervisor(h: number): number[] {
    const n = this.nodeNames.length;
    const H = this.hypervisorPool.length;
    const out: number[] = [];
    for (let k = Math.ceil((h * n) / H); k < n && this.hypervisorOfNode(k) === h; k++) out.push(k);
    return out;
  }

  /** Index of the leaf pair of generated node `k` among the distinct pairs of the hypervisor pool. */
  pairIndexOfNode(k: number): number {
    return this.pairIndexOfHypervisor[this.hypervisorOfNode(k)]!;
  }

  /**
   * The pool EPG indices of generated node `k` (0-based), `epgsPerNode` distinct ones, written to
   * `out`. Pod `i` of the node is in EPG `out[i % epgsPerNode]`. Depends only on the seed and `k`.
   */
  nodeEpgs(k: number, out: Int32Array = new Int32Array(this.epgsPerNode)): Int32Array {
    const count = this.epgsPerNode;
    const E = this.epgPool.length;
    if (count === 0) return out;
    const random = new RandomStream((this.nodeSeedBase ^ Math.imul(k + 1, 0x9e3779b1)) >>> 0);
    const local = this.localEpgs[this.pairIndexOfNode(k)] ?? new Int32Array(0);
    let j = 0;
    if (this.infraEpg >= 0) out[j++] = this.infraEpg;
    while (j < count) {
      let candidate = -1;
      for (let tries = 0; tries < 16 && candidate < 0; tries++) {
        const c = local.length > 0 && random.next() < this.spec.locality ? local[random.int(local.length)]! : random.int(E);
        if (!taken(out, j, c)) candidate = c;
      }
      if (candidate < 0) {
        // Crowded: the first free EPG from a random start (count <= E, so there is one).
        for (let c = random.int(E), i = 0; i < E; i++, c = (c + 1) % E) {
          if (!taken(out, j, c)) {
            candidate = c;
            break;
          }
        }
      }
      out[j++] = candidate;
    }
    return out;
  }

  /** Name of pod `i` of generated node `k` (0-based) whose EPG has pool index `epg`. */
  podName(k: number, i: number, epg: number): string {
    return `${this.epgShort[epg]!}-${this.nodeNames[k]!}-${i}`;
  }
}

function taken(list: Int32Array, length: number, value: number): boolean {
  for (let i = 0; i < length; i++) if (list[i] === value) return true;
  return false;
}

// ----------------------------------------------------------------------------------------------
// The expansion

/** Expands a `generated:` section and merges it after the explicit parts (which are not modified). */
export function expandGenerated(spec: GeneratedSpec, scenarioSeed: number, explicit: ExplicitParts): Expansion {
  const layout = new GeneratedLayout(spec, scenarioSeed, explicit);
  const problems = layout.problems;
  const f = explicit.fabric;
  const p = explicit.policy;
  const fabric: FabricSpec = {
    podId: f.podId,
    spines: f.spines.length > 0 ? f.spines : DEFAULT_SPINES.slice(),
    leafPairs: [...f.leafPairs, ...layout.leafPairs],
    hypervisors: [...f.hypervisors, ...layout.hypervisors],
    anycast: f.anycast,
  };
  const policy: PolicySpec = {
    ...p,
    vrfs: [...p.vrfs, ...layout.vrfs],
    bridgeDomains: [...p.bridgeDomains, ...layout.bridgeDomains],
    epgs: [...p.epgs, ...layout.epgs],
    filters: [...p.filters, ...layout.filters],
    contracts: [...p.contracts, ...layout.contracts],
  };
  if (problems.length > 0) return { fabric, policy, nodes: explicit.nodes, problems };

  const N = layout.nodeNames.length;
  const K = layout.epgsPerNode;
  const podsPerNode = spec.podsPerNode;
  const pool = layout.epgPool;

  // Pass 1: every node's EPGs, and how many pods each bridge domain gets.
  const nodeEpgs = new Int32Array(N * K);
  const podsOfEpg = new Float64Array(pool.length);
  const slotPods = new Float64Array(K);
  for (let j = 0; j < K; j++) slotPods[j] = j < podsPerNode ? Math.floor((podsPerNode - j - 1) / K) + 1 : 0;
  for (let k = 0; k < N; k++) {
    const out = nodeEpgs.subarray(k * K, (k + 1) * K);
    layout.nodeEpgs(k, out);
    for (let j = 0; j < K; j++) podsOfEpg[out[j]!]! += slotPods[j]!;
  }
  const bdKey = new Map<string, number>();
  for (const bd of layout.bridgeDomains) bdKey.set(bd.name, bdKey.size);
  const bdOfEpg = new Int32Array(pool.length);
  pool.forEach((e, i) => {
    let key = bdKey.get(e.bd);
    if (key === undefined) bdKey.set(e.bd, (key = bdKey.size));
    bdOfEpg[i] = key;
  });
  const podsOfBd = new Float64Array(bdKey.size);
  for (let e = 0; e < pool.length; e++) podsOfBd[bdOfEpg[e]!]! += podsOfEpg[e]!;

  // Explicit pod addresses the generated ones must avoid (usually none).
  const skipIps = new Set<number>();
  const skipMacs = new Set<string>();
  const explicitPodNames = new Map<string, string>();
  explicit.nodes.forEach((n, i) => {
    skipMacs.add(n.mac);
    n.pods.forEach((pod, j) => {
      skipIps.add(ipToNumber(pod.ip));
      skipMacs.add(pod.mac);
      if (!explicitPodNames.has(pod.name)) explicitPodNames.set(pod.name, `nodes[${i}].pods[${j}]`);
    });
  });
  const margin = skipIps.size + skipMacs.size;

  // One aligned block per bridge domain, largest first, packed from 10.64.0.0 (no gaps).
  const order = Array.from({ length: bdKey.size }, (_, i) => i).sort((a, b) => podsOfBd[b]! - podsOfBd[a]! || a - b);
  const blockBase = new Float64Array(bdKey.size);
  const blockPrefix = new Int32Array(bdKey.size);
  let cursor = ipToNumber(POD_SPACE_START);
  for (const key of order) {
    const need = podsOfBd[key]! + 3 + margin;
    let bits = 4;
    while (2 ** bits < need) bits++;
    const size = 2 ** bits;
    cursor = Math.ceil(cursor / size) * size;
    blockBase[key] = cursor;
    blockPrefix[key] = 32 - bits;
    cursor += size;
  }
  if (cursor - 1 > POD_SPACE_END) {
    problems.push(`the generated pods need ${cursor - ipToNumber(POD_SPACE_START)} addresses from ${POD_SPACE_START}, more than fit below 11.0.0.0`);
    return { fabric, policy, nodes: explicit.nodes, problems };
  }
  for (const bd of layout.bridgeDomains) {
    const key = bdKey.get(bd.name)!;
    bd.subnets = [`${numberToIp(blockBase[key]! + 1)}/${blockPrefix[key]}`];
  }
  const next = Float64Array.from(blockBase, (b) => b + 2);

  // Node infra IPs and MACs.
  const explicitInfra = new Set(explicit.nodes.map((n) => ipToNumber(n.infraIp)));
  let infra = ipToNumber(FIRST_INFRA_IP);
  const anycast = ipToNumber(f.anycast.address);
  let nodeMac = NODE_MAC_BASE + 1;

  // Pass 2: the nodes and their pods.
  const nodes: NodeSpec[] = explicit.nodes.slice();
  const prefixes: string[] = new Array<string>(K);
  const epgNames = pool.map((e) => e.name);
  const checkPodNames = explicitPodNames.size > 0;
  const checkAddresses = margin > 0;
  const podClashes: string[] = [];
  for (let k = 0; k < N; k++) {
    while (
      infra <= INFRA_END &&
      (!hostLike(infra) || RESERVED_INFRA.has(infra) || infra === anycast || (infra >= LEAF_TEP_RANGE_START && infra <= LEAF_TEP_RANGE_END) || layout.leafAddresses.has(infra) || explicitInfra.has(infra))
    ) {
      infra++;
    }
    if (infra > INFRA_END) {
      problems.push(`10.0.0.0/16 has no infra IP left for ${layout.nodeNames[k]}`);
      return { fabric, policy, nodes: explicit.nodes, problems };
    }
    let mac = nodeMacOf(nodeMac++);
    while (skipMacs.has(mac)) mac = nodeMacOf(nodeMac++);
    const name = layout.nodeNames[k]!;
    const epgs = nodeEpgs.subarray(k * K, (k + 1) * K);
    for (let j = 0; j < K; j++) prefixes[j] = layout.epgShort[epgs[j]!]! + '-' + name + '-';
    const pods: PodSpec[] = new Array<PodSpec>(podsPerNode);
    for (let i = 0, j = 0; i < podsPerNode; i++, j = j + 1 === K ? 0 : j + 1) {
      const e = epgs[j]!;
      const key = bdOfEpg[e]!;
      let ip = next[key]!;
      if (checkAddresses) while (skipIps.has(ip) || skipMacs.has(podMacOf(ip))) ip++;
      next[key] = ip + 1;
      const podName = flat(prefixes[j]! + i);
      if (checkPodNames && explicitPodNames.has(podName) && podClashes.length < MAX_CLASHES_LISTED) podClashes.push(`"${podName}" (${explicitPodNames.get(podName)})`);
      pods[i] = { name: podName, epg: epgNames[e]!, ip: numberToIp(ip), mac: podMacOf(ip) };
    }
    nodes.push({ name, hypervisor: layout.hypervisorPool[layout.hypervisorOfNode(k)]!.name, infraIp: numberToIp(infra++), mac, pods });
  }
  if (podClashes.length > 0) {
    problems.push(`generated pod name${podClashes.length > 1 ? 's' : ''} ${podClashes.join(', ')} ${podClashes.length > 1 ? 'clash with explicit ones' : 'clashes with an explicit one'}: rename the explicit ${podClashes.length > 1 ? 'ones' : 'one'}`);
  }
  return { fabric, policy, nodes, problems };
}
