/**
 * Host evacuation, as vSphere maintenance mode does it: at `at`, every VM on the hypervisor is
 * vMotioned away, at most `concurrency` at a time (vSphere allows 8 concurrent vMotions per host by
 * default); the next starts when one resumes on its destination. Each VM goes to the least-loaded
 * target at that moment: fewest VMs, counting a VM that is migrating at its destination, ties broken
 * by name in natural order (esx-2 before esx-10). A host under evacuation (maintenance) is never a
 * target, so evacuating many hosts at once never moves a VM onto another host being emptied.
 *
 * Each move is an ordinary `VMotion` migration: it emits the same `migration-start`, stun, resume and
 * GARP events as a planned one (its `migration` index continues after the planned ones), so the
 * milestone tracker reports it like any other. The evacuation itself emits `evacuation-start`,
 * `evacuation-done` and, when no target is left, `evacuation-blocked` (actor `evacuation`).
 *
 * A VM that is already migrating away when the evacuation starts is left to that migration; a VM that
 * lands on the host while it is being evacuated is moved away too.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import { compareNames } from '../scenario/generated.ts';
import type { EvacuationSpec, HypervisorSpec } from '../scenario/types.ts';
import type { NodeVm } from './node-vm.ts';
import type { VMotion } from './vmotion.ts';

interface EvacuationContext {
  scheduler: Scheduler;
  trace: Trace;
  vmotion: VMotion;
  nodes: ReadonlyMap<string, NodeVm>;
  hypervisors: readonly Pick<HypervisorSpec, 'name'>[];
}

/** One evacuation's progress (also what tests and reports can read). */
interface EvacuationState {
  index: number;
  spec: EvacuationSpec;
  /** VMs it had to move (those on the host at the start, plus any that landed there meanwhile). */
  vms: number;
  /** Moves that completed (the VM resumed on its target). */
  moved: number;
  /** Moves under way now. */
  active: number;
  /** Most moves ever under way at once. */
  peakActive: number;
  startMs: number | undefined;
  doneMs: number | undefined;
  blocked: boolean;
}

interface Running extends EvacuationState {
  /** Candidate targets (host numbers) in natural name order (shared when the spec lists none). */
  targets: Int32Array;
  queue: NodeVm[];
  next: number;
  /** VMs migrating onto the host: they are moved away once they land. */
  arriving: number;
}

export class HostEvacuations {
  readonly evacuations: EvacuationState[] = [];
  /**
   * Hosts by number (the scenario's in natural name order, then any other a VM or an evacuation
   * names): a fabric has thousands, and each move scans them all for the least loaded.
   */
  private readonly hostNumbers = new Map<string, number>();
  private readonly hostNames: string[] = [];
  /** VMs per host number, a migrating VM counted at its destination. */
  private loads = new Int32Array(0);
  /** Per host number: 1 once its evacuation has started (in maintenance mode, never a target). */
  private inMaintenance = new Uint8Array(0);
  /** Migrating VMs: node -> destination hypervisor. */
  private readonly inFlight = new Map<string, string>();
  /** vMotion index -> the evacuation that started it. */
  private readonly own = new Map<number, Running>();
  private readonly running = new Map<string, Running>();
  private readonly allTargets: Int32Array;

  constructor(private readonly ctx: EvacuationContext) {
    this.allTargets = this.numbered(ctx.hypervisors.map((h) => h.name));
    for (const vm of ctx.nodes.values()) this.loads[this.hostNumber(vm.hypervisor)]!++;
    ctx.vmotion.observe({ started: this.onStarted, finished: this.onFinished });
  }

  schedule(spec: EvacuationSpec): EvacuationState {
    const ev: Running = {
      index: this.evacuations.length,
      spec,
      vms: 0,
      moved: 0,
      active: 0,
      peakActive: 0,
      startMs: undefined,
      doneMs: undefined,
      blocked: false,
      targets: spec.to ? this.numbered(spec.to) : this.allTargets,
      queue: [],
      next: 0,
      arriving: 0,
    };
    this.evacuations.push(ev);
    this.ctx.scheduler.at(spec.atMs, this.begin, ev);
    return ev;
  }

  private readonly begin = (ev: Running): void => {
    const host = ev.spec.hypervisor;
    ev.startMs = this.ctx.scheduler.now();
    this.inMaintenance[this.hostNumber(host)] = 1;
    this.running.set(host, ev);
    for (const vm of this.ctx.nodes.values()) if (vm.hypervisor === host && !this.inFlight.has(vm.name)) ev.queue.push(vm);
    for (const to of this.inFlight.values()) if (to === host) ev.arriving++;
    ev.vms = ev.queue.length + ev.arriving;
    this.ctx.trace.emit('evacuation', 'evacuation-start', { evacuation: ev.index, hypervisor: host, vms: ev.vms, concurrency: ev.spec.concurrency });
    // After every evacuation due at this instant has begun, so none picks a host that enters maintenance now.
    this.ctx.scheduler.after(0, this.firstPump, ev);
  };

  private readonly firstPump = (ev: Running): void => this.pump(ev);

  /** Starts moves until `concurrency` are under way or the queue is empty; finishes when all are done. */
  private pump(ev: Running): void {
    const host = ev.spec.hypervisor;
    while (!ev.blocked && ev.active < ev.spec.concurrency && ev.next < ev.queue.length) {
      const vm = ev.queue[ev.next]!;
      if (vm.hypervisor !== host || this.inFlight.has(vm.name)) {
        ev.next++; // moved away by something else meanwhile
        ev.vms--;
        continue;
      }
      const target = this.leastLoaded(ev);
      if (target === undefined) {
        ev.blocked = true;
        this.ctx.trace.emit('evacuation', 'evacuation-blocked', {
          evacuation: ev.index, hypervisor: host, remaining: ev.queue.length - ev.next, reason: 'no target hypervisor left outside maintenance',
        });
        break;
      }
      ev.next++;
      this.shift(host, target);
      ev.active++;
      ev.peakActive = Math.max(ev.peakActive, ev.active);
      this.own.set(this.ctx.vmotion.startNow(vm.name, target), ev);
    }
    if (ev.doneMs === undefined && ev.active === 0 && ev.arriving === 0 && (ev.blocked || ev.next >= ev.queue.length)) {
      ev.doneMs = this.ctx.scheduler.now();
      this.running.delete(host);
      this.ctx.trace.emit('evacuation', 'evacuation-done', {
        evacuation: ev.index, hypervisor: host, vms: ev.moved, concurrency: ev.spec.concurrency,
        durationMs: ev.doneMs - ev.startMs!, ...(ev.blocked ? { remaining: ev.queue.length - ev.next } : {}),
      });
    }
  }

  private leastLoaded(ev: Running): string | undefined {
    const { loads, inMaintenance } = this;
    const targets = ev.targets;
    let best = -1;
    let bestLoad = Infinity;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (inMaintenance[t] === 0 && loads[t]! < bestLoad) {
        best = t;
        bestLoad = loads[t]!;
      }
    }
    return best < 0 ? undefined : this.hostNames[best];
  }

  private shift(from: string, to: string): void {
    this.loads[this.hostNumber(from)]!--;
    this.loads[this.hostNumber(to)]!++;
  }

  private hostNumber(name: string): number {
    let n = this.hostNumbers.get(name);
    if (n !== undefined) return n;
    n = this.hostNames.length;
    this.hostNames.push(name);
    this.hostNumbers.set(name, n);
    if (n >= this.loads.length) {
      const loads = new Int32Array(Math.max(16, 2 * n));
      loads.set(this.loads);
      this.loads = loads;
      const inMaintenance = new Uint8Array(loads.length);
      inMaintenance.set(this.inMaintenance);
      this.inMaintenance = inMaintenance;
    }
    return n;
  }

  /** The numbers of these hosts, in their names' natural order (duplicates kept, as the names were). */
  private numbered(names: readonly string[]): Int32Array {
    const sorted = [...names].sort(compareNames);
    const out = new Int32Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) out[i] = this.hostNumber(sorted[i]!);
    return out;
  }

  private readonly onStarted = (index: number, node: NodeVm, from: string, to: string): void => {
    this.inFlight.set(node.name, to);
    if (this.own.has(index)) return; // counted when it was chosen
    this.shift(from, to);
    const target = this.running.get(to);
    if (target) {
      target.arriving++;
      target.vms++;
    }
  };

  private readonly onFinished = (index: number, node: NodeVm, skipped: boolean): void => {
    const to = this.inFlight.get(node.name);
    this.inFlight.delete(node.name);
    const ev = this.own.get(index);
    if (ev) {
      this.own.delete(index);
      ev.active--;
      if (skipped) {
        // Something else had put the VM on the chosen target already: undo the reservation.
        const target = node.hypervisor;
        this.shift(target, ev.spec.hypervisor);
        ev.vms--;
      } else ev.moved++;
      this.pump(ev);
      return;
    }
    if (skipped || to === undefined) return;
    const landedOn = this.running.get(to);
    if (landedOn) {
      landedOn.arriving = Math.max(0, landedOn.arriving - 1);
      landedOn.queue.push(node);
      this.pump(landedOn);
    }
  };
}

/** Schedules a scenario's evacuations on a twin's vMotion (a no-op without evacuations). */
export function scheduleEvacuations(ctx: EvacuationContext, specs: readonly EvacuationSpec[] | undefined): HostEvacuations | undefined {
  if (!specs || specs.length === 0) return undefined;
  const evacuations = new HostEvacuations(ctx);
  for (const spec of specs) evacuations.schedule(spec);
  return evacuations;
}
