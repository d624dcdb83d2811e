/**
 * Cross-reference checks on a scenario that passed the schema: every name that must exist does
 * (hypervisors' leaf pairs, BDs' VRFs, EPGs' BDs and contracts, rules' filters, pods' EPGs, nodes,
 * migration and evacuation hosts, flow pods, fault targets), names are unique per kind, and
 * migrations, evacuations and flows fit the timeline.
 */
import { parseTepPool, poolContains } from '../fabric/tep-pool.ts';
import { hasRepeatedNumber } from '../model/linear-probing.ts';
import { formatDuration } from './duration.ts';
import type { ScenarioBody } from './schema.ts';
import { formatPath, type Path, type RawIssue } from './yaml-positions.ts';

/** Most names listed in an "unknown ... (known: ...)" message. */
const MAX_KNOWN_LISTED = 10;

/** Names of one kind: a Set, or a Map from each name to where it first appears. */
interface KnownNames {
  has(value: string): boolean;
  keys(): Iterable<string>;
}

function knownList(names: KnownNames): string {
  const all: string[] = [];
  for (const name of names.keys()) {
    all.push(name);
    if (all.length > MAX_KNOWN_LISTED) break;
  }
  if (all.length === 0) return 'none defined';
  const shown = all.slice(0, MAX_KNOWN_LISTED).join(', ');
  return `known: ${all.length > MAX_KNOWN_LISTED ? `${shown}, ...` : shown}`;
}

/** Where a node (pod 0) or one of its pods (pod j + 1) is, in one number, for the checks on every pod. */
const POD_SLOTS = 2 ** 21;

/** A valid dotted IPv4 address as a number. */
function ipv4Number(ip: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + c - 48;
  }
  return n * 256 + part;
}

/** The last four bytes of a normalised MAC address (lowercase, colons) as a number. */
function macLow32(mac: string): number {
  let n = 0;
  for (let i = 6; i < mac.length; i++) {
    const c = mac.charCodeAt(i);
    if (c !== 58) n = ((n << 4) | (c <= 57 ? c - 48 : c - 87)) >>> 0;
  }
  return n;
}

/** Two 32-bit FNV-1a style hashes of a string combined into 53 bits (a repeat among a million is ~1e-4 likely by chance). */
function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 2097152 + ((b >>> 11) & 0x1fffff);
}


/**
 * Every reference resolves, names are unique per kind, migrations and flows fit the timeline.
 * `lineOf` places a path (for "first used at line N").
 */
/** Where the i-th entry of a flat fabric list is in the file: `fabric.<list>[i]`, or inside its pod in the multipod form. */
function fabricListPaths(s: ScenarioBody, list: 'leafPairs' | 'hypervisors' | 'spines', count: number): Path[] {
  const pods = s.fabric.pods;
  if (!pods) return Array.from({ length: count }, (_, i) => ['fabric', list, i]);
  return pods.flatMap((pod, p) => pod[list].map((_, j) => ['fabric', 'pods', p, list, j] as Path));
}

/**
 * The multipod form's own rules: unique pod ids, pools that do not overlap, every leaf, anycast
 * proxy, DHCP range and node infra address inside its pod's pool, and leaf pairs within one pod.
 */
function podIssues(s: ScenarioBody, pairPaths: Path[], hypervisorPaths: Path[]): RawIssue[] {
  const issues: RawIssue[] = [];
  const pods = s.fabric.pods!;
  const pools = pods.map((p) => parseTepPool(p.tepPool));
  const podIndexOfPair = new Map<string, number>();
  const podIndexOfHypervisor = new Map<string, number>();
  pods.forEach((pod, p) => {
    pod.leafPairs.forEach((name) => podIndexOfPair.set(name, p));
    pod.hypervisors.forEach((name) => podIndexOfHypervisor.set(name, p));
  });
  const firstId = new Map<number, number>();
  pods.forEach((pod, p) => {
    const earlier = firstId.get(pod.id);
    if (earlier !== undefined) issues.push({ path: ['fabric', 'pods', p, 'id'], message: `duplicate pod id ${pod.id} (also pods[${earlier}])` });
    else firstId.set(pod.id, p);
    for (let q = 0; q < p; q++) {
      const a = pools[p]!;
      const b = pools[q]!;
      if (a.base < b.base + b.size && b.base < a.base + a.size) issues.push({ path: ['fabric', 'pods', p, 'tepPool'], message: `TEP pool ${pod.tepPool} overlaps pod ${pods[q]!.id}'s ${pods[q]!.tepPool}` });
    }
    if (!poolContains(pools[p]!, pod.anycast.address)) issues.push({ path: ['fabric', 'pods', p, 'anycast'], message: `anycast ${pod.anycast.address} is outside pod ${pod.id}'s TEP pool ${pod.tepPool}` });
    for (const end of ['first', 'last'] as const) {
      if (!poolContains(pools[p]!, pod.dhcp.range[end])) issues.push({ path: ['fabric', 'pods', p, 'dhcp', 'range', end], message: `DHCP range ${end} ${pod.dhcp.range[end]} is outside pod ${pod.id}'s TEP pool ${pod.tepPool}` });
    }
  });
  s.fabric.leafPairs.forEach((pair, i) => {
    const p = podIndexOfPair.get(pair.name)!;
    pair.leaves.forEach((leaf, j) => {
      if (!poolContains(pools[p]!, leaf.address)) issues.push({ path: [...pairPaths[i]!, 'leaves', j, 'address'], message: `leaf "${leaf.name}" address ${leaf.address} is outside pod ${pods[p]!.id}'s TEP pool ${pods[p]!.tepPool}` });
    });
  });
  s.fabric.hypervisors.forEach((h, i) => {
    const own = podIndexOfHypervisor.get(h.name)!;
    const pairPod = podIndexOfPair.get(h.leafPair);
    if (pairPod !== undefined && pairPod !== own) issues.push({ path: [...hypervisorPaths[i]!, 'leafPair'], message: `leaf pair "${h.leafPair}" is in pod ${pods[pairPod]!.id}, not in hypervisor "${h.name}"'s pod ${pods[own]!.id}` });
  });
  s.nodes.forEach((n, i) => {
    const p = podIndexOfHypervisor.get(n.hypervisor);
    if (p !== undefined && !poolContains(pools[p]!, n.infraIp)) issues.push({ path: ['nodes', i, 'infraIp'], message: `infra address ${n.infraIp} of node "${n.name}" is outside pod ${pods[p]!.id}'s TEP pool ${pods[p]!.tepPool} (hypervisor "${n.hypervisor}")` });
  });
  return issues;
}

export function crossCheck(s: ScenarioBody, lineOf: (path: Path) => number): RawIssue[] {
  const issues: RawIssue[] = [];

  /** Reports the second and later uses of a value; `what` reads like `leaf name`. */
  const unique = (what: string, entries: { value: string; path: Path }[]): Set<string> => {
    const first = new Map<string, Path>();
    for (const e of entries) {
      const earlier = first.get(e.value);
      if (earlier) issues.push({ path: e.path, message: `duplicate ${what} "${e.value}" (first used at line ${lineOf(earlier)}, ${formatPath(earlier)})` });
      else first.set(e.value, e.path);
    }
    return new Set(first.keys());
  };
  /** `unique` for values located by a number (see POD_SLOTS): paths are built only for a duplicate. */
  const uniqueAt = (what: string, first: Map<string, number>, value: string, at: number, pathOf: (at: number) => Path): void => {
    const earlier = first.get(value);
    if (earlier === undefined) first.set(value, at);
    else issues.push({ path: pathOf(at), message: `duplicate ${what} "${value}" (first used at line ${lineOf(pathOf(earlier))}, ${formatPath(pathOf(earlier))})` });
  };
  const reference = (what: string, value: string, known: KnownNames, path: Path): boolean => {
    if (known.has(value)) return true;
    issues.push({ path, message: `unknown ${what} "${value}" (${knownList(known)})` });
    return false;
  };

  // Fabric (in the multipod form the flat lists are the pods' lists one after the other)
  const f = s.fabric;
  const pairPaths = fabricListPaths(s, 'leafPairs', f.leafPairs.length);
  const hypervisorPaths = fabricListPaths(s, 'hypervisors', f.hypervisors.length);
  const spinePaths = fabricListPaths(s, 'spines', f.spines.length);
  unique('spine name', f.spines.map((value, i) => ({ value, path: spinePaths[i]! })));
  const pairs = unique('leaf pair name', f.leafPairs.map((p, i) => ({ value: p.name, path: [...pairPaths[i]!, 'name'] })));
  const leaves = f.leafPairs.flatMap((p, i) => p.leaves.map((leaf, j) => ({ leaf, path: [...pairPaths[i]!, 'leaves', j] as Path })));
  unique('leaf name', leaves.map(({ leaf, path }) => ({ value: leaf.name, path: [...path, 'name'] })));
  unique('leaf id', leaves.map(({ leaf, path }) => ({ value: String(leaf.id), path: [...path, 'id'] })));
  unique('leaf address', leaves.map(({ leaf, path }) => ({ value: leaf.address, path: [...path, 'address'] })));
  const hypervisors = unique('hypervisor name', f.hypervisors.map((h, i) => ({ value: h.name, path: [...hypervisorPaths[i]!, 'name'] })));
  f.hypervisors.forEach((h, i) => reference('leaf pair', h.leafPair, pairs, [...hypervisorPaths[i]!, 'leafPair']));
  const vpcOwner = new Map<string, string>();
  f.hypervisors.forEach((h, i) => {
    const key = `${h.leafPair}\u0000${h.vpc}`;
    const owner = vpcOwner.get(key);
    if (owner === undefined) vpcOwner.set(key, h.name);
    else issues.push({ path: [...hypervisorPaths[i]!, 'vpc'], message: `vPC "${h.vpc}" on leaf pair "${h.leafPair}" is already used by hypervisor "${owner}"` });
  });
  if (f.pods) issues.push(...podIssues(s, pairPaths, hypervisorPaths));

  // Policy
  const p = s.policy;
  const vrfs = unique('VRF name', p.vrfs.map((v, i) => ({ value: v.name, path: ['policy', 'vrfs', i, 'name'] })));
  const bds = unique('bridge domain name', p.bridgeDomains.map((b, i) => ({ value: b.name, path: ['policy', 'bridgeDomains', i, 'name'] })));
  const epgs = unique('EPG name', p.epgs.map((e, i) => ({ value: e.name, path: ['policy', 'epgs', i, 'name'] })));
  const filters = unique('filter name', p.filters.map((x, i) => ({ value: x.name, path: ['policy', 'filters', i, 'name'] })));
  const contracts = unique('contract name', p.contracts.map((c, i) => ({ value: c.name, path: ['policy', 'contracts', i, 'name'] })));
  p.bridgeDomains.forEach((b, i) => reference('VRF', b.vrf, vrfs, ['policy', 'bridgeDomains', i, 'vrf']));
  p.epgs.forEach((e, i) => {
    reference('bridge domain', e.bd, bds, ['policy', 'epgs', i, 'bd']);
    e.provides.forEach((c, j) => reference('contract', c, contracts, ['policy', 'epgs', i, 'provides', j]));
    e.consumes.forEach((c, j) => reference('contract', c, contracts, ['policy', 'epgs', i, 'consumes', j]));
  });
  p.contracts.forEach((c, i) => {
    unique(`subject name in contract "${c.name}"`, c.subjects.map((sub, j) => ({ value: sub.name, path: ['policy', 'contracts', i, 'subjects', j, 'name'] })));
    c.subjects.forEach((sub, j) => {
      const base: Path = ['policy', 'contracts', i, 'subjects', j, 'rules'];
      unique(`rule name in subject "${sub.name}"`, sub.rules.map((r, k) => ({ value: r.name, path: [...base, k, 'name'] })));
      sub.rules.forEach((r, k) => r.filters.forEach((x, m) => reference('filter', x, filters, [...base, k, 'filters', m])));
    });
  });

  // Nodes and pods: one pass over every pod, without a path or entry object per pod (a generated
  // scenario has a million), so paths are built only for the issues.
  const nodes = unique('node name', s.nodes.map((n, i) => ({ value: n.name, path: ['nodes', i, 'name'] })));
  unique('infra IP', s.nodes.map((n, i) => ({ value: n.infraIp, path: ['nodes', i, 'infraIp'] })));
  const podPath = (field: string) => (at: number): Path => {
    const i = Math.floor(at / POD_SLOTS);
    const j = at % POD_SLOTS;
    return j === 0 ? ['nodes', i, field] : ['nodes', i, 'pods', j - 1, field];
  };
  const namePath = podPath('name');
  const ipPath = podPath('ip');
  const macPath = podPath('mac');
  // Fast pass: every name, IP and MAC as a number (a 53-bit hash of the name, the IPv4 address, the
  // low 32 bits of the MAC) in a typed array, sorted to find repeats. A repeat there may be a hash or
  // half-MAC coincidence, so only then does an exact second pass find the duplicates and where each
  // is first used. The pod names flows refer to are looked up in the same pass.
  const podCount = s.nodes.reduce((sum, n) => sum + n.pods.length, 0);
  const nameHashes = new Float64Array(podCount);
  const ipNumbers = new Uint32Array(podCount);
  const macNumbers = new Uint32Array(s.nodes.length + podCount);
  const podNames = new Map<string, number>();
  for (const fl of s.flows) for (const name of [fl.from, fl.to]) podNames.set(name, 0);
  const flowEnds = podNames.size > 0;
  let k = 0;
  for (let i = 0; i < s.nodes.length; i++) macNumbers[k++] = macLow32(s.nodes[i]!.mac);
  // With a policy file, a pod may use an EPG defined only in that file: the policy-file loader checks those.
  const checkEpgs = p.policyFile === undefined;
  for (let i = 0, at = 0; i < s.nodes.length; i++) {
    const n = s.nodes[i]!;
    if (!hypervisors.has(n.hypervisor)) reference('hypervisor', n.hypervisor, hypervisors, ['nodes', i, 'hypervisor']);
    const pods = n.pods;
    for (let j = 0; j < pods.length; j++, at++) {
      const pod = pods[j]!;
      nameHashes[at] = hash53(pod.name);
      ipNumbers[at] = ipv4Number(pod.ip);
      macNumbers[k++] = macLow32(pod.mac);
      if (checkEpgs && !epgs.has(pod.epg)) reference('EPG', pod.epg, epgs, ['nodes', i, 'pods', j, 'epg']);
      if (flowEnds && podNames.has(pod.name)) podNames.set(pod.name, 1);
    }
  }
  for (const [name, found] of podNames) if (found === 0) podNames.delete(name);
  /** For "unknown pod" messages: the first pods of the scenario, as the other kinds list theirs. */
  const somePods: KnownNames = {
    has: (name) => podNames.has(name),
    *keys() {
      for (const n of s.nodes) for (const pod of n.pods) yield pod.name;
    },
  };
  const namesRepeat = hasRepeatedNumber(nameHashes);
  const ipsRepeat = hasRepeatedNumber(ipNumbers);
  const macsRepeat = hasRepeatedNumber(macNumbers);
  if (namesRepeat || ipsRepeat || macsRepeat) {
    const names = new Map<string, number>();
    const ips = new Map<string, number>();
    const macs = new Map<string, number>();
    if (macsRepeat) s.nodes.forEach((n, i) => uniqueAt('MAC address', macs, n.mac, i * POD_SLOTS, macPath));
    s.nodes.forEach((n, i) =>
      n.pods.forEach((pod, j) => {
        const at = i * POD_SLOTS + j + 1;
        if (namesRepeat) uniqueAt('pod name', names, pod.name, at, namePath);
        if (ipsRepeat) uniqueAt('pod IP', ips, pod.ip, at, ipPath);
        if (macsRepeat) uniqueAt('MAC address', macs, pod.mac, at, macPath);
      }),
    );
  }

  reference('node', s.controller.node, nodes, ['controller', 'node']);

  // Migrations, in time order (stable for equal times): where each node is at that moment.
  const location = new Map(s.nodes.map((n) => [n.name, n.hypervisor]));
  const order = s.migrations.map((m, i) => ({ m, i })).sort((a, b) => a.m.atMs - b.m.atMs || a.i - b.i);
  for (const { m, i } of order) {
    const nodeOk = reference('node', m.node, nodes, ['migrations', i, 'node']);
    const toOk = reference('hypervisor', m.to, hypervisors, ['migrations', i, 'to']);
    if (m.atMs >= s.durationMs) {
      issues.push({ path: ['migrations', i, 'at'], message: `${formatDuration(m.atMs)} is not before the end of the scenario (duration ${formatDuration(s.durationMs)})` });
    }
    if (nodeOk && toOk) {
      if (location.get(m.node) === m.to) {
        issues.push({ path: ['migrations', i, 'to'], message: `node "${m.node}" is already on hypervisor "${m.to}" at ${formatDuration(m.atMs)}` });
      }
      location.set(m.node, m.to);
    }
  }

  // Evacuations
  (s.evacuations ?? []).forEach((e, i) => {
    const hostOk = reference('hypervisor', e.hypervisor, hypervisors, ['evacuations', i, 'hypervisor']);
    if (e.atMs >= s.durationMs) {
      issues.push({ path: ['evacuations', i, 'at'], message: `${formatDuration(e.atMs)} is not before the end of the scenario (duration ${formatDuration(s.durationMs)})` });
    }
    if (e.to !== undefined) {
      const seen = new Set<string>();
      e.to.forEach((t, j) => {
        const path: Path = ['evacuations', i, 'to', j];
        if (!reference('hypervisor', t, hypervisors, path)) return;
        if (t === e.hypervisor) issues.push({ path, message: `"${t}" is the hypervisor being evacuated: list only other hypervisors` });
        else if (seen.has(t)) issues.push({ path, message: `hypervisor "${t}" is listed twice` });
        seen.add(t);
      });
    } else if (hostOk && hypervisors.size < 2) {
      issues.push({ path: ['evacuations', i, 'hypervisor'], message: `there is no other hypervisor to move the VMs of "${e.hypervisor}" to` });
    }
  });

  // Flows
  unique('flow name', s.flows.map((fl, i) => ({ value: fl.name, path: ['flows', i, 'name'] })));
  s.flows.forEach((fl, i) => {
    const fromOk = reference('pod', fl.from, somePods, ['flows', i, 'from']);
    const toOk = reference('pod', fl.to, somePods, ['flows', i, 'to']);
    if (fromOk && toOk && fl.from === fl.to) issues.push({ path: ['flows', i, 'to'], message: `a flow needs two different pods, but from and to are both "${fl.to}"` });
    if (fl.stopMs > s.durationMs) {
      issues.push({ path: ['flows', i, 'stop'], message: `${formatDuration(fl.stopMs)} is after the end of the scenario (duration ${formatDuration(s.durationMs)})` });
    } else if (fl.startMs >= fl.stopMs) {
      issues.push({ path: ['flows', i, 'start'], message: `start (${formatDuration(fl.startMs)}) must be before stop (${formatDuration(fl.stopMs)})` });
    }
  });

  // Fault targets
  const faultLeaves = new Set(f.leafPairs.flatMap((pair) => pair.leaves.map((l) => l.name)));
  (s.faultSchedule ?? []).forEach((fault, i) => {
    if (fault.node !== undefined) reference('node', fault.node, nodes, ['faultSchedule', i, 'node']);
    if (fault.leaf !== undefined) reference('leaf', fault.leaf, faultLeaves, ['faultSchedule', i, 'leaf']);
    if (fault.hypervisor !== undefined) reference('hypervisor', fault.hypervisor, hypervisors, ['faultSchedule', i, 'hypervisor']);
  });

  return issues;
}
