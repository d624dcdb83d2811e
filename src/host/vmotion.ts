/**
 * A live migration of a node VM (aci-fabric-behavior.md section 2, steps 1-4): pre-copy while the
 * VM runs, stun while it is paused and resumed on the destination host, then RARP/GARP from the
 * destination, which the destination leaves' EPM learns.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { Latencies, MigrationSpec } from '../scenario/types.ts';
import type { NodeVm } from './node-vm.ts';

interface VMotionHooks {
  node(name: string): NodeVm;
  pairOfHypervisor(hypervisor: string): string;
  /** The GARP reached the destination pair: its leaves learn the device (after the EPM latency). */
  announce(node: NodeVm, pair: string): void;
  onStart?(node: NodeVm, spec: MigrationSpec): void;
  onStun?(node: NodeVm): void;
  onResume?(node: NodeVm): void;
}

/** Told about every migration, planned or started at run time (host evacuations use this). */
interface VMotionObserver {
  /** Pre-copy began (after `migration-start`); not called for a skipped migration. */
  started?(index: number, node: NodeVm, from: string, to: string): void;
  /** The VM runs on its destination (after `resume`), or the migration was skipped. */
  finished?(index: number, node: NodeVm, skipped: boolean): void;
}

interface Move {
  index: number;
  spec: MigrationSpec;
  node: NodeVm;
  from: string;
  /** Moves of the same VM that came due while this one was under way. */
  deferred: Move[];
}

export class VMotion {
  private readonly moves: Move[] = [];
  private readonly observers: VMotionObserver[] = [];
  /** Per node, the migration moving it now: from its start (or `startNow`) until its GARP went out. */
  private readonly underway = new Map<string, Move>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
    private readonly latencies: Latencies,
    private readonly hooks: VMotionHooks,
  ) {}

  schedule(spec: MigrationSpec): number {
    const index = this.moves.length;
    const move: Move = { index, spec, node: this.hooks.node(spec.node), from: '', deferred: [] };
    this.moves.push(move);
    this.scheduler.at(spec.atMs, this.begin, move);
    return index;
  }

  /** Adds an observer of every migration from now on. */
  observe(observer: VMotionObserver): void {
    this.observers.push(observer);
  }

  /** Starts a migration now (the emulator's control API, host evacuations); returns its index. */
  startNow(node: string, to: string): number {
    const index = this.schedule({ atMs: this.scheduler.now(), node, to });
    // Underway already: its start is queued for this instant, and a second request must see it
    // (unless another move of the node is under way, which this one will wait for).
    if (!this.underway.has(node)) this.underway.set(node, this.moves[index]!);
    return index;
  }

  /** The migration moving `node` right now (started, not yet announced by its GARP), if any. */
  migrationUnderway(node: string): { index: number; from: string; to: string } | undefined {
    const move = this.underway.get(node);
    if (!move) return undefined;
    return { index: move.index, from: move.from || move.node.hypervisor, to: move.spec.to };
  }

  private finish(move: Move): void {
    if (this.underway.get(move.node.name) === move) this.underway.delete(move.node.name);
    // Moves of the VM that waited for this one start now, in the order they were due.
    for (const waiting of move.deferred.splice(0)) this.begin(waiting);
  }

  private readonly begin = (move: Move): void => {
    const running = this.underway.get(move.node.name);
    if (running !== undefined && running !== move) {
      // vCenter runs one vMotion of a VM at a time: another waits until the one under way is done.
      this.trace.emit('vmotion', 'migration-deferred', { migration: move.index, node: move.node.name, behind: running.index });
      running.deferred.push(move);
      return;
    }
    move.from = move.node.hypervisor;
    if (move.from === move.spec.to) {
      this.finish(move);
      this.trace.emit('vmotion', 'migration-skipped', { migration: move.index, node: move.node.name, reason: 'already on that hypervisor' });
      for (const o of this.observers) o.finished?.(move.index, move.node, true);
      return;
    }
    this.underway.set(move.node.name, move);
    this.hooks.onStart?.(move.node, move.spec);
    this.trace.emit('vmotion', 'migration-start', {
      migration: move.index,
      node: move.node.name,
      from: move.from,
      to: move.spec.to,
      fromPair: this.hooks.pairOfHypervisor(move.from),
      toPair: this.hooks.pairOfHypervisor(move.spec.to),
    });
    for (const o of this.observers) o.started?.(move.index, move.node, move.from, move.spec.to);
    this.scheduler.after(this.random.sample(this.latencies.preCopyMs), this.stun, move);
  };

  private readonly stun = (move: Move): void => {
    move.node.state = 'stunned';
    this.trace.emit('vmotion', 'stun-start', { migration: move.index, node: move.node.name });
    this.hooks.onStun?.(move.node);
    this.scheduler.after(this.random.sample(this.latencies.stunMs), this.resume, move);
  };

  private readonly resume = (move: Move): void => {
    move.node.hypervisor = move.spec.to;
    move.node.state = 'running';
    this.trace.emit('vmotion', 'resume', { migration: move.index, node: move.node.name, hypervisor: move.spec.to });
    this.hooks.onResume?.(move.node);
    for (const o of this.observers) o.finished?.(move.index, move.node, false);
    this.scheduler.after(this.random.sample(this.latencies.garpMs), this.garp, move);
  };

  private readonly garp = (move: Move): void => {
    const pair = this.hooks.pairOfHypervisor(move.spec.to);
    this.finish(move);
    this.trace.emit('vmotion', 'garp', { migration: move.index, node: move.node.name, pair });
    this.hooks.announce(move.node, pair);
  };
}
