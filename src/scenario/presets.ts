/**
 * Fabric-scale plans: a `generated:` section plus an evacuation (and optionally planned migrations)
 * and a few probe flows, written as a small scenario file. The presets S, M, L and XL are such plans;
 * `opflex-twin generate` writes one from a preset or from explicit sizes, and `loadPreset(name)` loads
 * one through the ordinary loader (source "preset:<name>").
 *
 * Planning uses `GeneratedLayout` (names, placement and each node's EPGs) and never expands the pods,
 * so writing the XL plan costs milliseconds; loading it expands everything.
 */
import { Document, isMap, isSeq } from 'yaml';
import { GeneratedLayout } from './generated.ts';
import { generatedSchema, type GeneratedInput } from './generated-schema.ts';
import { parseScenario } from './loader.ts';
import { DEFAULT_ANYCAST } from './schema.ts';
import { ScenarioError } from './scenario-error.ts';
import type { Scenario } from './types.ts';

/** In size order, as help and error messages list them. */
export const PRESET_NAMES = ['S', 'M', 'L', 'XL'] as const;
type PresetName = (typeof PRESET_NAMES)[number];

export interface PlanOptions {
  /** Scenario name. */
  name: string;
  description?: string;
  /** The scenario's seed (the expansion uses it too). Default 1. */
  seed?: number;
  generated: GeneratedInput;
  /** Hypervisors to evacuate at once, spread over the fabric. Default 0. */
  evacuate?: number;
  /** Concurrent vMotions per evacuated host. Default 8. */
  concurrency?: number;
  /** Planned migrations of single nodes, each to a hypervisor on the next leaf pair. Default 0. */
  migrate?: number;
  /** When the evacuations and migrations start, in seconds. Default 30. */
  atS?: number;
  /** Moving nodes that get probe flows (two flows each: to and from one of its pods). Default 4. */
  flowNodes?: number;
  /** How the run begins (the scenario's `start`). Default steady: the plan, not the fabric's bootstrap. */
  start?: 'cold' | 'steady';
}

interface Preset {
  name: PresetName;
  summary: string;
  plan: Omit<PlanOptions, 'name'>;
}

export const PRESETS: Record<PresetName, Preset> = {
  S: {
    name: 'S',
    summary: '4 leaf pairs, 16 hypervisors, 64 nodes, 1,280 pods in 40 EPGs; 2 hypervisors evacuated',
    plan: { generated: { leafPairs: 4, hypervisorsPerPair: 4, nodes: 64, podsPerNode: 20, epgs: 40 }, evacuate: 2, concurrency: 8 },
  },
  M: {
    name: 'M',
    summary: '20 leaf pairs, 400 hypervisors, 2,000 nodes, 50,000 pods in 300 EPGs; 20 hypervisors evacuated',
    plan: { generated: { leafPairs: 20, hypervisors: 400, nodes: 2000, podsPerNode: 25, epgs: 300 }, evacuate: 20, concurrency: 8 },
  },
  L: {
    name: 'L',
    summary: '50 leaf pairs, 1,000 hypervisors, 5,000 nodes, 250,000 pods in 1,000 EPGs; 50 hypervisors evacuated',
    plan: { generated: { leafPairs: 50, hypervisors: 1000, nodes: 5000, podsPerNode: 50, epgs: 1000 }, evacuate: 50, concurrency: 8 },
  },
  XL: {
    name: 'XL',
    summary: '100 leaf pairs, 4,000 hypervisors, 20,000 nodes, 1,000,000 pods in 2,000 EPGs; 200 hypervisors evacuated',
    plan: { generated: { leafPairs: 100, hypervisors: 4000, nodes: 20000, podsPerNode: 50, epgs: 2000 }, evacuate: 200, concurrency: 8 },
  },
};

/** A preset by name (case-insensitive); a `ScenarioError` naming the known ones otherwise. */
export function preset(name: string): Preset {
  const known = PRESET_NAMES.find((n) => n === name.toUpperCase());
  if (known === undefined) {
    throw new ScenarioError([{ source: `preset:${name}`, line: 0, column: 0, path: '', message: `unknown preset "${name}" (known: ${PRESET_NAMES.join(', ')})` }]);
  }
  return PRESETS[known];
}

/** Seconds allowed per wave of concurrent vMotions when choosing the duration (pre-copy is 5-20 s by default). */
const WAVE_S = 25;
const TAIL_S = 120;

/** The scenario input (what the YAML file holds) of a plan. */
function planDocument(options: PlanOptions): Record<string, unknown> {
  const seed = options.seed ?? 1;
  const spec = generatedSchema.parse(options.generated);
  const [address, port] = DEFAULT_ANYCAST.split(':');
  const layout = new GeneratedLayout(spec, seed, {
    fabric: { podId: 1, spines: [], leafPairs: [], hypervisors: [], anycast: { address: address!, port: Number(port) } },
    policy: { domain: '', tenant: 'kube', commonTenant: 'common', encapType: 'vxlan', vrfs: [], bridgeDomains: [], epgs: [], filters: [], contracts: [] },
    nodes: [],
  });
  if (layout.problems.length > 0) throw new RangeError(layout.problems.join('; '));
  const H = layout.hypervisors.length;
  const N = layout.nodeNames.length;
  const evacuate = Math.min(options.evacuate ?? 0, Math.max(0, H - 1));
  const concurrency = options.concurrency ?? 8;
  const atS = options.atS ?? 30;

  // Evacuated hosts spread evenly over the fabric (so over many leaf pairs).
  const evacuated: number[] = [];
  for (let j = 0; j < evacuate; j++) evacuated.push(Math.floor((j * H) / evacuate));
  const evacuatedSet = new Set(evacuated);
  const moving = new Set<number>();
  const movingOrder: number[] = [];
  for (const h of evacuated) {
    for (const k of layout.nodesOnHypervisor(h)) {
      moving.add(k);
      movingOrder.push(k);
    }
  }

  // Planned migrations: nodes not being evacuated, each to a host on the next leaf pair.
  const migrations: Record<string, unknown>[] = [];
  const migrate = Math.min(options.migrate ?? 0, N);
  const pairOf = (h: number) => layout.hypervisors[h]!.leafPair;
  const hostsPerPair = Math.max(1, Math.ceil(H / Math.max(1, layout.leafPairs.length)));
  for (let j = 0; j < migrate; j++) {
    let node = Math.floor((j * N) / migrate);
    for (let tries = 0; tries < N && (moving.has(node) || evacuatedSet.has(layout.hypervisorOfNode(node))); tries++) node = (node + 1) % N;
    if (moving.has(node)) break;
    const from = layout.hypervisorOfNode(node);
    let to = (from + hostsPerPair) % H;
    for (let tries = 0; tries < H && (to === from || evacuatedSet.has(to) || (pairOf(to) === pairOf(from) && tries < hostsPerPair * 2)); tries++) to = (to + 1) % H;
    if (to === from || evacuatedSet.has(to)) break;
    moving.add(node);
    movingOrder.push(node);
    migrations.push({ at: `${atS}s`, node: layout.nodeNames[node]!, to: layout.hypervisors[to]!.name });
  }

  // Flows: for a few moving nodes, one of their pods to and from a pod on a node elsewhere.
  const flows: Record<string, unknown>[] = [];
  const flowNodes = Math.min(options.flowNodes ?? 4, movingOrder.length);
  const K = layout.epgsPerNode;
  if (K > 0) {
    for (let f = 0; f < flowNodes; f++) {
      const k = movingOrder[Math.floor((f * movingOrder.length) / flowNodes)]!;
      const epgs = layout.nodeEpgs(k);
      // A pod not in the infra EPG when there is one (pod i is in EPG i % K).
      const i = layout.infraEpg >= 0 && K > 1 ? 1 : 0;
      const epg = epgs[i % K]!;
      const pod = layout.podName(k, i, epg);
      // Probes open connections as the contracts allow: from the pod to the infra EPG it consumes
      // kube-dns from, and to the pod from an EPG that consumes a contract the pod's EPG provides.
      const server = peerPod(layout, k, layout.infraEpg >= 0 ? layout.infraEpg : epg, moving);
      if (server) flows.push({ name: `from-${pod}`, from: pod, to: server });
      const clientEpg = consumerOf(layout, epg);
      const client = clientEpg === undefined ? undefined : peerPod(layout, k, clientEpg, moving);
      if (client) flows.push({ name: `to-${pod}`, from: client, to: pod });
    }
  }

  const waves = Math.ceil(Math.ceil(N / Math.max(H, 1)) / concurrency);
  const durationS = (evacuate > 0 || migrations.length > 0 ? atS + Math.max(1, waves) * WAVE_S : 0) + TAIL_S;
  const doc: Record<string, unknown> = {
    name: options.name,
    description: options.description ?? `${layout.leafPairs.length} leaf pairs, ${H} hypervisors, ${N} nodes, ${N * spec.podsPerNode} pods in ${layout.epgs.length} EPGs`,
    seed,
    start: options.start ?? 'steady',
    duration: `${durationS}s`,
    generated: options.generated,
  };
  if (evacuate > 0) doc['evacuations'] = evacuated.map((h) => ({ at: `${atS}s`, hypervisor: layout.hypervisors[h]!.name, concurrency }));
  if (migrations.length > 0) doc['migrations'] = migrations;
  if (flows.length > 0) doc['flows'] = flows;
  return doc;
}

/**
 * A pod on another node (on another leaf pair when there is one, not itself moving) that node `k`'s pod
 * in EPG `epg` may talk to: in the infra EPG (which provides the contract every EPG consumes), or in
 * the same EPG when there is no infra EPG.
 */
/** An EPG other than `epg` whose pods may open connections to `epg`'s: it consumes a contract `epg` provides. */
function consumerOf(layout: GeneratedLayout, epg: number): number | undefined {
  const provided = new Set(layout.epgPool[epg]!.provides);
  for (let c = 0; c < layout.epgPool.length; c++) {
    if (c !== epg && layout.epgPool[c]!.consumes.some((name) => provided.has(name))) return c;
  }
  return undefined;
}

/** A pod of EPG `want` on a node that is not moving, preferably behind another leaf pair than node `k`'s. */
function peerPod(layout: GeneratedLayout, k: number, want: number, moving: ReadonlySet<number>): string | undefined {
  const N = layout.nodeNames.length;
  const pair = layout.pairIndexOfNode(k);
  let fallback: string | undefined;
  for (let step = 0; step < N; step++) {
    const other = (k + Math.floor(N / 2) + step) % N;
    if (other === k || moving.has(other)) continue;
    const slot = layout.nodeEpgs(other).indexOf(want);
    if (slot < 0) continue;
    const name = layout.podName(other, slot, want);
    if (layout.pairIndexOfNode(other) !== pair) return name;
    fallback ??= name;
  }
  return fallback;
}

/** A plan as a scenario file: `header` lines become a leading comment. */
export function planYaml(options: PlanOptions, header: string[] = []): string {
  const doc = new Document(planDocument(options));
  // One line per evacuation, migration and flow; the generated section on one line too.
  for (const key of ['evacuations', 'migrations', 'flows']) {
    const seq = doc.get(key);
    if (isSeq(seq)) for (const item of seq.items) if (isMap(item)) item.flow = true;
  }
  const generated = doc.get('generated');
  if (isMap(generated)) generated.flow = false;
  if (header.length > 0) doc.commentBefore = header.map((line) => (line === '' ? '' : ` ${line}`)).join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** The scenario file text of a preset. */
export function presetYaml(name: string): string {
  const p = preset(name);
  return planYaml({ name: `preset-${p.name}`, description: `Preset ${p.name}: ${p.summary}`, ...p.plan }, [
    `opflex-twin preset ${p.name}: ${p.summary}.`,
    `Written by src/scenario/presets.ts (opflex-twin generate --preset ${p.name}).`,
  ]);
}

/** Loads a preset through the ordinary loader; its `source` is "preset:<name>". */
export function loadPreset(name: string): Scenario {
  const p = preset(name);
  return parseScenario(presetYaml(p.name), `preset:${p.name}`);
}
