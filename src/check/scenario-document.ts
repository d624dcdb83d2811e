/**
 * A normalised scenario written back as a scenario file: every value explicit (durations in
 * milliseconds, distributions in their tagged forms), so loading the file gives the same scenario
 * and `simulate` the same run. Shrunk reproductions are written with it.
 */
import { stringify } from 'yaml';
import type { Distribution, FabricSpec, FaultEntry, HypervisorSpec, LeafPairSpec, Scenario } from '../scenario/types.ts';

function distribution(d: Distribution): unknown {
  switch (d.kind) {
    case 'fixed':
      return d.valueMs;
    case 'uniform':
      return { uniform: [d.minMs, d.maxMs] };
    case 'normal':
      return { normal: { mean: d.meanMs, sd: d.sdMs, min: d.minMs } };
    case 'lognormal':
      return { lognormal: { median: d.medianMs, sigma: d.sigma, ...(Number.isFinite(d.maxMs) ? { max: d.maxMs } : {}) } };
    case 'exponential':
      return { exponential: { mean: d.meanMs, ...(Number.isFinite(d.maxMs) ? { max: d.maxMs } : {}) } };
  }
}

/** `{ fooMs: 1 }` -> `{ foo: 1 }`, mapping values with `value`. */
function withoutMsSuffix<T>(o: object, value: (v: T) => unknown = (v) => v): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.endsWith('Ms') ? k.slice(0, -2) : k] = value(v as T);
  return out;
}

function faultEntryDocument(f: FaultEntry): Record<string, unknown> {
  return {
    at: f.atMs,
    kind: f.kind,
    ...(f.node !== undefined ? { node: f.node } : {}),
    ...(f.leaf !== undefined ? { leaf: f.leaf } : {}),
    ...(f.hypervisor !== undefined ? { hypervisor: f.hypervisor } : {}),
    ...(f.side !== undefined ? { side: f.side } : {}),
    ...(f.mode !== undefined ? { mode: f.mode } : {}),
    ...(f.forMs !== undefined ? { for: f.forMs } : {}),
    ...(f.delayMs !== undefined ? { delay: f.delayMs } : {}),
  };
}

function leafPairDocument(p: LeafPairSpec): Record<string, unknown> {
  return { name: p.name, leaves: p.leaves.map((l) => ({ name: l.name, id: l.id, address: l.address, port: l.port })) };
}

function hypervisorDocument(h: HypervisorSpec): Record<string, unknown> {
  return { name: h.name, leafPair: h.leafPair, vpc: h.vpc };
}

/** The fabric in the form it was given: one pod's flat lists, or (multipod) each pod with its own. */
function fabricDocument(f: FabricSpec): Record<string, unknown> {
  const anycast = (a: { address: string; port: number }) => `${a.address}:${a.port}`;
  if (!f.pods) {
    return { podId: f.podId, spines: f.spines, anycast: anycast(f.anycast), leafPairs: f.leafPairs.map(leafPairDocument), hypervisors: f.hypervisors.map(hypervisorDocument) };
  }
  const pairs = new Map(f.leafPairs.map((p) => [p.name, p]));
  const hypervisors = new Map(f.hypervisors.map((h) => [h.name, h]));
  return {
    pods: f.pods.map((p) => ({
      id: p.id,
      tepPool: p.tepPool,
      anycast: anycast(p.anycast),
      spines: p.spines,
      leafPairs: p.leafPairs.map((name) => leafPairDocument(pairs.get(name)!)),
      hypervisors: p.hypervisors.map((name) => hypervisorDocument(hypervisors.get(name)!)),
      dhcp: { lease: p.dhcp.leaseMs, offerLatency: distribution(p.dhcp.offerLatencyMs), range: p.dhcp.range },
    })),
    ...(f.interPodLatencyMs ? { interPod: { latency: distribution(f.interPodLatencyMs) } } : {}),
  };
}

function scenarioDocument(s: Scenario): Record<string, unknown> {
  return {
    name: s.name,
    description: s.description,
    seed: s.seed,
    start: s.start,
    duration: s.durationMs,
    fabric: fabricDocument(s.fabric),
    policy: {
      domain: s.policy.domain,
      tenant: s.policy.tenant,
      commonTenant: s.policy.commonTenant,
      encapType: s.policy.encapType,
      vrfs: s.policy.vrfs,
      bridgeDomains: s.policy.bridgeDomains,
      epgs: s.policy.epgs,
      filters: s.policy.filters,
      contracts: s.policy.contracts,
      ...(s.policy.policyFile !== undefined ? { policyFile: s.policy.policyFile } : {}),
    },
    nodes: s.nodes,
    controller: s.controller,
    settings: s.settings,
    timers: withoutMsSuffix(s.timers),
    latencies: withoutMsSuffix<Distribution>(s.latencies, distribution),
    leaf: s.leaf,
    faults: withoutMsSuffix(s.faults),
    migrations: s.migrations.map((m) => ({ at: m.atMs, node: m.node, to: m.to, ...(m.faults ? { faults: withoutMsSuffix(m.faults) } : {}) })),
    evacuations: (s.evacuations ?? []).map((e) => ({ at: e.atMs, hypervisor: e.hypervisor, ...(e.to ? { to: e.to } : {}), concurrency: e.concurrency })),
    flows: s.flows.map((f) => ({ name: f.name, from: f.from, to: f.to, interval: f.intervalMs, start: f.startMs, stop: f.stopMs })),
    faultSchedule: (s.faultSchedule ?? []).map(faultEntryDocument),
  };
}

/** The scenario as YAML, after `header` comment lines. */
export function scenarioYaml(s: Scenario, header: readonly string[] = []): string {
  const comments = header.map((line) => `# ${line}\n`).join('');
  return comments + stringify(scenarioDocument(s), { lineWidth: 0, aliasDuplicateObjects: false });
}
