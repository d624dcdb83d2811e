/**
 * Injects a fault schedule into a twin from the outside, through its seams: the transport (a
 * FaultyTransport around the links), the scheduler (each fault starts and heals at its time), the
 * APIC's and COOP's entry points (wrapped on the instance) and the actors' public methods (a leaf's
 * reload, a proxy restart, an agent or host-agent or controller pod restart, a migration). Every
 * fault emits `fault-start` and `fault-end` with its kind and target. No randomness: a schedule is
 * fully described by its entries.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { RandomStreams } from '../kernel/random.ts';
import type { RpcMessage } from '../opflex/message.ts';
import type { Odev } from '../fabric/odev.ts';
import { HostEvacuations } from '../host/evacuation.ts';
import type { FaultEntry } from '../scenario/types.ts';
import type { Twin } from '../twin.ts';
import type { FaultyTransport, LinkFaults, LinkVerdict } from './faulty-transport.ts';
import { field } from '../json-fields.ts';
import { lookup } from '../lookup.ts';

/** The target of a fault as one string, as trace events and reports name it. */
export function faultTarget(f: FaultEntry): string {
  if (f.node !== undefined && f.leaf !== undefined) return `${f.node}<->${f.leaf}`;
  return f.node ?? f.leaf ?? f.hypervisor ?? (f.kind.startsWith('apic') ? 'apic' : f.kind.startsWith('coop') ? 'coop' : f.kind.startsWith('controller') ? 'aci-controller' : 'fabric');
}

/** vSphere's default most concurrent vMotions per host. */
const EVACUATION_CONCURRENCY = 8;

interface Active {
  entry: FaultEntry;
  /** coop-loss: whether its one update was lost already. */
  spent: boolean;
}

function isPlatformConfigDelete(message: RpcMessage): boolean {
  if (message.kind !== 'request' || message.method !== 'policy_update') return false;
  for (const item of message.params) {
    const deletes = field(item, 'delete');
    if (Array.isArray(deletes) && deletes.some((d) => field(d, 'subject') === 'PlatformConfig')) return true;
  }
  return false;
}

export class FaultInjector implements LinkFaults {
  private readonly active = new Set<Active>();
  private transport: FaultyTransport | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStreams,
    private readonly schedule: readonly FaultEntry[],
  ) {}

  /** Nodes between `migration-start` and `resume` (a ping-pong waits for the move under way). */
  private readonly migrating = new Set<string>();

  /** Evacuations the faults start, built before the twin starts so they see every move under way. */
  private evacuations: HostEvacuations | undefined;

  /** Wires the injector into a built twin (before it starts) and schedules every fault. */
  install(twin: Twin, transport: FaultyTransport): void {
    this.transport = transport;
    // The scenario's own evacuations (started with the twin) take the faults' ones too, so a host in
    // maintenance is never a target; without any, the injector keeps its own.
    if (this.schedule.some((f) => f.kind === 'evacuation-overlap') && (twin.scenario.evacuations ?? []).length === 0) {
      this.evacuations = new HostEvacuations({ scheduler: this.scheduler, trace: this.trace, vmotion: twin.vmotion, nodes: twin.nodes, hypervisors: twin.scenario.fabric.hypervisors });
    }
    if (this.schedule.some((f) => f.kind === 'ping-pong')) {
      this.trace.subscribe((e) => {
        if (e.event === 'migration-start') this.migrating.add(e.data.node as string);
        else if (e.event === 'resume') this.migrating.delete(e.data.node as string);
      });
    }
    for (const leaf of twin.leaves.values()) transport.leafAt.set(leaf.endpoint, leaf.name);
    this.wrapApic(twin);
    this.wrapCoop(twin);
    this.wrapGarp(twin);
    this.schedule.forEach((entry, index) => this.scheduler.at(entry.atMs, () => this.begin(twin, entry, index)));
  }

  private activeOf(kind: FaultEntry['kind'], match: (e: FaultEntry) => boolean = () => true): Active | undefined {
    for (const a of this.active) if (a.entry.kind === kind && match(a.entry)) return a;
    return undefined;
  }

  // ---- LinkFaults --------------------------------------------------------------------------------

  verdict(node: string, leaf: string, fromAgent: boolean, message: RpcMessage): LinkVerdict {
    if (this.active.size === 0) return { action: 'pass' };
    let verdict: LinkVerdict = { action: 'pass' };
    for (const { entry: f } of this.active) {
      if (!fromAgent && f.node === node && f.leaf === undefined && isPlatformConfigDelete(message)) {
        if (f.kind === 'platform-config-delete-lost') {
          this.trace.emit('fault', 'message-lost', { kind: f.kind, node, leaf });
          return { action: 'drop', fault: f.kind };
        }
        if (f.kind === 'platform-config-delete-late') return { action: 'delay', delayMs: f.delayMs!, fault: f.kind };
      }
      if (f.node !== node || f.leaf !== leaf) continue;
      if (f.kind === 'partition') return f.mode === 'drop' ? { action: 'drop', fault: f.kind } : { action: 'hold', fault: f.kind };
      if (f.kind === 'message-delay') verdict = { action: 'delay', delayMs: f.delayMs!, fault: f.kind };
      else if (f.kind === 'message-duplicate' && verdict.action === 'pass') verdict = { action: 'duplicate', fault: f.kind };
    }
    return verdict;
  }

  // ---- Seams wrapped on the instance --------------------------------------------------------------

  private wrapApic(twin: Twin): void {
    const apic = twin.apic;
    const fetch = apic.fetch.bind(apic);
    const waiting: { uri: string; done: Parameters<typeof fetch>[1] }[] = [];
    apic.fetch = (uri, done) => {
      if (this.activeOf('apic-unreachable')) {
        waiting.push({ uri, done });
        return;
      }
      const slow = this.activeOf('apic-slow');
      if (slow) this.scheduler.after(slow.entry.delayMs!, () => fetch(uri, done));
      else fetch(uri, done);
    };
    this.onHeal.set('apic-unreachable', () => {
      // The leaves' queued fetches are retried once APIC answers again [assumption].
      for (const w of waiting.splice(0)) apic.fetch(w.uri, w.done);
    });

    const upsert = apic.upsertOdev.bind(apic);
    const remove = apic.deleteOdev.bind(apic);
    const nodeOfDn = new Map<string, string>();
    let releaseAtMs = 0;
    const later = (node: string, run: () => void): boolean => {
      const late = this.activeOf('odev-late', (e) => e.node === node);
      if (!late && releaseAtMs <= this.scheduler.now()) return false;
      releaseAtMs = Math.max(this.scheduler.now() + (late?.entry.delayMs ?? 0), releaseAtMs);
      this.scheduler.at(releaseAtMs, run);
      return true;
    };
    apic.upsertOdev = (odev: Odev) => {
      nodeOfDn.set(odev.dn, odev.hostName);
      const copy = { ...odev };
      if (!later(odev.hostName, () => upsert(copy))) upsert(copy);
    };
    apic.deleteOdev = (dn: string) => {
      const node = nodeOfDn.get(dn) ?? '';
      if (!later(node, () => remove(dn))) remove(dn);
    };
  }

  private wrapCoop(twin: Twin): void {
    const coop = twin.coop;
    const report = coop.report.bind(coop);
    coop.report = (key, pair) => {
      const loss = this.activeOf('coop-loss', () => true);
      if (loss && !loss.spent) {
        loss.spent = true;
        this.trace.emit('fault', 'coop-update-lost', { key, pair });
        return;
      }
      const delay = this.activeOf('coop-delay');
      if (delay) this.scheduler.after(delay.entry.delayMs!, () => report(key, pair));
      else report(key, pair);
    };
  }

  private wrapGarp(twin: Twin): void {
    for (const leaf of twin.leaves.values()) {
      const learn = leaf.learnDevice.bind(leaf);
      leaf.learnDevice = (node: string) => {
        if (this.activeOf('garp-lost', (e) => e.node === node)) {
          this.trace.emit('fault', 'garp-lost', { node, leaf: leaf.name });
          return;
        }
        learn(node);
      };
    }
  }

  // ---- Start and heal ------------------------------------------------------------------------------

  private readonly onHeal = new Map<FaultEntry['kind'], () => void>();

  private begin(twin: Twin, entry: FaultEntry, index: number): void {
    const target = faultTarget(entry);
    this.trace.emit('fault', 'fault-start', { kind: entry.kind, target, fault: index, forMs: entry.forMs, delayMs: entry.delayMs });
    const active: Active = { entry, spent: false };
    this.active.add(active);
    const end = (): void => {
      this.active.delete(active);
      this.trace.emit('fault', 'fault-end', { kind: entry.kind, target, fault: index });
    };
    const transport = this.transport;
    if (!transport) throw new Error('the fault injector began a fault before it was attached to a transport');
    switch (entry.kind) {
      case 'session-reset': {
        const { agentSide, leafSide } = transport.sessions(needed(entry, 'node'), needed(entry, 'leaf'));
        for (const c of entry.side === 'leaf' ? leafSide : agentSide) c.close(`fault: session reset (${entry.side} side)`);
        end();
        return;
      }
      case 'partition':
        this.scheduler.after(needed(entry, 'forMs'), () => {
          end();
          transport.heal(needed(entry, 'node'), needed(entry, 'leaf'));
        });
        return;
      case 'leaf-reload': {
        const leaf = lookup(twin.leaves, needed(entry, 'leaf'), 'leaf');
        leaf.reload();
        this.scheduler.after(needed(entry, 'forMs'), () => {
          leaf.startProxy();
          // The rebooted leaf learns the devices behind its ports again from their traffic.
          for (const vm of twin.nodes.values()) leaf.learnDevice(vm.name);
          end();
        });
        return;
      }
      case 'proxy-restart': {
        const leaf = lookup(twin.leaves, needed(entry, 'leaf'), 'leaf');
        leaf.stopProxy('fault: proxy restart');
        this.scheduler.after(needed(entry, 'forMs'), () => {
          leaf.startProxy();
          end();
        });
        return;
      }
      case 'agent-restart': {
        const vm = lookup(twin.nodes, needed(entry, 'node'), 'node');
        const old = vm.agent;
        old.stop();
        this.scheduler.after(needed(entry, 'forMs'), () => {
          // On the node's own links (in a multipod fabric, gated by where its address reaches), as the
          // first process was; unless a reload (the host-agent rewrote its configuration) started one meanwhile.
          if (vm.agent === old) twin.startAgentProcess(vm.name, old.config, this.random.stream(`agent:${vm.name}:restart-${index}`));
          end();
        });
        return;
      }
      case 'host-agent-restart':
        lookup(twin.hostAgents, needed(entry, 'node'), 'node').restart();
        end();
        return;
      case 'controller-restart':
        twin.controller.podStopped();
        this.scheduler.after(needed(entry, 'forMs'), () => {
          twin.controller.podStarted();
          end();
        });
        return;
      case 'ping-pong':
        this.pingPong(twin, entry, end);
        return;
      case 'evacuation-overlap':
        (twin.evacuations ?? this.evacuations)!.schedule({ atMs: this.scheduler.now(), hypervisor: needed(entry, 'hypervisor'), concurrency: EVACUATION_CONCURRENCY });
        end();
        return;
      default:
        this.scheduler.after(needed(entry, 'forMs'), () => {
          end();
          this.onHeal.get(entry.kind)?.();
        });
    }
  }

  /**
   * A second migration of the node before the first converged: as soon as the move under way (if
   * any) has resumed, the node moves back to the hypervisor it started on, or, when it is there, to
   * the first other hypervisor.
   */
  private pingPong(twin: Twin, entry: FaultEntry, end: () => void): void {
    const vm = lookup(twin.nodes, needed(entry, 'node'), 'node');
    const origin = twin.scenario.nodes.find((n) => n.name === vm.name)!.hypervisor;
    const go = (): void => {
      const back = vm.hypervisor !== origin ? origin : twin.scenario.fabric.hypervisors.find((h) => h.name !== vm.hypervisor)?.name;
      if (back !== undefined) twin.vmotion.startNow(vm.name, back);
      end();
    };
    if (!this.migrating.has(vm.name)) {
      go();
      return;
    }
    const unsubscribe = this.trace.subscribe((e) => {
      if (e.event === 'resume' && e.data.node === vm.name) {
        unsubscribe();
        this.scheduler.after(0, go);
      }
    });
  }
}

/** A field the fault's kind requires: the scenario schema checked it is there. */
function needed<K extends 'node' | 'leaf' | 'hypervisor' | 'forMs'>(entry: FaultEntry, key: K): NonNullable<FaultEntry[K]> {
  const value = entry[key];
  if (value == null) throw new Error(`fault ${entry.kind} has no ${key}`);
  return value;
}
