/**
 * Draws a fault schedule for a seed from the fault menu: how many faults, which kinds (in swarm mode
 * each seed first draws which kinds are enabled at all), when (mostly around the scenario's
 * migrations, where races live), on what (mostly the moving nodes and their source and destination
 * leaves) and for how long. Its random stream is its own ("check:schedule"), so the model's streams
 * are those of the same seed without faults.
 */
import { RandomStreams, type RandomStream } from '../kernel/random.ts';
import { FAULT_KINDS } from '../scenario/fault-schema.ts';
import type { FaultEntry, FaultKind, Scenario } from '../scenario/types.ts';
import { quietFromMs, settleMs } from './checked-run.ts';

export interface ScheduleOptions {
  kinds: readonly FaultKind[];
  swarm: boolean;
}

/** Faults per seed: 1 to this many. */
const faultsPerSeedMax = 5;

/** Ranges (ms) each kind's duration and magnitude are drawn from; boot and restart times are [assumption]. */
const FOR_RANGE_MS: Partial<Record<FaultKind, [number, number]>> = {
  partition: [1_000, 60_000],
  'message-delay': [1_000, 30_000],
  'message-duplicate': [1_000, 20_000],
  'leaf-reload': [30_000, 180_000],
  'proxy-restart': [1_000, 10_000],
  'apic-slow': [5_000, 60_000],
  'apic-unreachable': [5_000, 60_000],
  'coop-delay': [1_000, 30_000],
  'coop-loss': [1_000, 20_000],
  'garp-lost': [1_000, 30_000],
  'platform-config-delete-lost': [5_000, 40_000],
  'platform-config-delete-late': [5_000, 40_000],
  'odev-late': [5_000, 40_000],
  'agent-restart': [500, 10_000],
  'controller-restart': [5_000, 60_000],
};
const DELAY_RANGE_MS: Partial<Record<FaultKind, [number, number]>> = {
  'message-delay': [50, 5_000],
  'apic-slow': [1_000, 10_000],
  'coop-delay': [500, 10_000],
  'platform-config-delete-late': [1_000, 30_000],
  'odev-late': [1_000, 30_000],
};

function pick<T>(r: RandomStream, list: readonly T[]): T {
  return list[r.int(list.length)]!;
}

function draw(r: RandomStream, [min, max]: [number, number]): number {
  return Math.round(r.uniform(min, max));
}

/** The scenario a seed runs: the base with the seed, a drawn schedule, no probe flows, long enough to settle. */
export function scenarioForSeed(base: Scenario, seed: number, options: ScheduleOptions): Scenario {
  const r = new RandomStreams(seed).stream('check:schedule');
  let kinds = [...options.kinds];
  if (options.swarm) {
    const enabled = kinds.filter(() => r.next() < 0.5);
    kinds = enabled.length > 0 ? enabled : [pick(r, kinds)];
  }
  const count = kinds.length === 0 ? 0 : 1 + r.int(faultsPerSeedMax);
  const schedule: FaultEntry[] = [];
  for (let i = 0; i < count; i++) schedule.push(drawFault(r, base, pick(r, kinds)));
  schedule.sort((a, b) => a.atMs - b.atMs);
  return withSchedule(base, seed, schedule);
}

/** The base scenario with this seed and schedule, its flows dropped and its duration long enough to settle. */
export function withSchedule(base: Scenario, seed: number, schedule: FaultEntry[]): Scenario {
  const s: Scenario = { ...base, seed, flows: [], faultSchedule: schedule };
  s.durationMs = Math.max(base.durationMs, quietFromMs(s) + settleMs);
  return s;
}

function drawFault(r: RandomStream, s: Scenario, kind: FaultKind): FaultEntry {
  const spec = FAULT_KINDS[kind];
  const migration = s.migrations.length > 0 && r.next() < 0.8 ? pick(r, s.migrations) : undefined;
  const atMs = migration ? Math.max(0, migration.atMs + Math.round(r.uniform(-5_000, 35_000))) : Math.round(r.uniform(5_000, Math.max(10_000, s.durationMs - 30_000)));
  const node = migration && r.next() < 0.8 ? migration.node : pick(r, s.nodes).name;
  const entry: FaultEntry = { atMs, kind };
  const targets: readonly string[] = spec.targets;
  if (targets.includes('node')) entry.node = node;
  if (targets.includes('leaf')) {
    const vm = s.nodes.find((n) => n.name === node)!;
    const pairs = [s.fabric.hypervisors.find((h) => h.name === vm.hypervisor)!.leafPair];
    if (migration) pairs.push(s.fabric.hypervisors.find((h) => h.name === migration.to)!.leafPair);
    const pairName = pick(r, pairs);
    const pair = s.fabric.leafPairs.find((p) => p.name === pairName)!;
    entry.leaf = pick(r, pair.leaves).name;
  }
  if (targets.includes('hypervisor')) {
    const moving = migration ? [migration.to, s.nodes.find((n) => n.name === migration.node)!.hypervisor] : s.fabric.hypervisors.map((h) => h.name);
    entry.hypervisor = pick(r, moving);
  }
  if (kind === 'session-reset') entry.side = r.next() < 0.5 ? 'agent' : 'leaf';
  if (kind === 'partition') entry.mode = r.next() < 0.5 ? 'hold' : 'drop';
  const forRange = FOR_RANGE_MS[kind];
  if (spec.for && forRange) entry.forMs = draw(r, forRange);
  const delayRange = DELAY_RANGE_MS[kind];
  if (spec.delay && delayRange) entry.delayMs = draw(r, delayRange);
  return entry;
}
