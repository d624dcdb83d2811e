/**
 * A leaf's policy cache: which objects it holds and the download queue to APIC. An object is served
 * from the cache when present; otherwise it is queued for download, with at most `concurrency`
 * fetches in flight per leaf, and every resolve waiting on it is answered when it arrives. Whether
 * an object is in use is the leaf's to say (some session subscribes to it); one nobody uses is
 * garbage-collected after a delay.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler, TimerHandle } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { ManagedObject } from '../model/managed-object.ts';
import type { Distribution } from '../scenario/types.ts';

export interface PolicySource {
  /** Fetches an object's subtree (parents first); [] when the object does not exist. */
  fetch(uri: string, done: (objects: ManagedObject[]) => void): void;
}

type Waiter = (objects: ManagedObject[]) => void;


interface CacheEntry {
  subject: string;
  uri: string;
  state: 'queued' | 'fetching' | 'present';
  objects: ManagedObject[];
  waiters: Waiter[];
  requestedBy: string;
  gcTimer: TimerHandle | undefined;
}

export interface PolicyCacheOptions {
  concurrency: number;
  serveLatency: Distribution;
  gcDelayMs: number;
  /** Bound on objects waiting for a download slot. */
  maxQueued?: number;
  /** Whether anything still uses the object (the leaf: a session subscribes to it). */
  inUse(uri: string): boolean;
}

export class PolicyCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly queue: CacheEntry[] = [];
  private queueHead = 0;
  private active = 0;
  private readonly maxQueued: number;

  constructor(
    private readonly leaf: string,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly source: PolicySource,
    private readonly random: RandomStream,
    private readonly options: PolicyCacheOptions,
  ) {
    this.maxQueued = options.maxQueued ?? 1_000_000;
  }

  /** True when the object is held (downloaded and not collected). */
  has(uri: string): boolean {
    return this.entries.get(uri)?.state === 'present';
  }

  /** URIs currently held. */
  presentUris(): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) if (e.state === 'present') out.push(e.uri);
    return out;
  }

  get queueDepth(): number {
    return this.queue.length - this.queueHead;
  }

  get downloadsInFlight(): number {
    return this.active;
  }

  resolve(subject: string, uri: string, requestedBy: string, done: Waiter): void {
    let entry = this.entries.get(uri);
    if (entry) {
      this.keep(entry);
      if (entry.state === 'present') {
        this.trace.emit(this.leaf, 'policy-served', { uri, subject, from: 'cache', requestedBy });
        const latency = this.random.sample(this.options.serveLatency);
        if (latency > 0) this.scheduler.after(latency, done, entry.objects);
        else done(entry.objects);
      } else {
        entry.waiters.push(done);
      }
      return;
    }
    if (this.queueDepth >= this.maxQueued) {
      this.trace.emit(this.leaf, 'policy-download-rejected', { uri, subject, requestedBy, queued: this.queueDepth });
      this.scheduler.after(0, done, []);
      return;
    }
    entry = { subject, uri, state: 'queued', objects: [], waiters: [done], requestedBy, gcTimer: undefined };
    this.entries.set(uri, entry);
    this.queue.push(entry);
    this.trace.emit(this.leaf, 'policy-download-queued', { uri, subject, requestedBy, queued: this.queueDepth });
    this.pump();
  }

  /**
   * The object held already, as on a leaf that has served it for a while (steady start): `current`
   * gives its subtree when it is not held yet; nothing is held when that is empty. Returns what the
   * leaf would answer.
   */
  seed(subject: string, uri: string, current: () => ManagedObject[]): ManagedObject[] {
    let entry = this.entries.get(uri);
    if (!entry) {
      const objects = current();
      if (objects.length === 0) return objects;
      entry = { subject, uri, state: 'present', objects, waiters: [], requestedBy: '', gcTimer: undefined };
      this.entries.set(uri, entry);
      this.trace.emit(this.leaf, 'policy-present', { uri, subject });
    }
    this.keep(entry);
    return entry.state === 'present' ? entry.objects : [];
  }

  /**
   * APIC changed these objects: every held entry that contains one of them (the entry's URI is the
   * object's or an ancestor's) is refreshed from the source's current subtree.
   */
  refresh(changedUris: readonly string[], current: (uri: string) => ManagedObject[]): void {
    for (const entry of this.entries.values()) {
      if (entry.state !== 'present') continue;
      if (!changedUris.some((uri) => uri.startsWith(entry.uri))) continue;
      const objects = current(entry.uri);
      if (objects.length === 0) {
        this.entries.delete(entry.uri);
        this.trace.emit(this.leaf, 'policy-gc', { uri: entry.uri, subject: entry.subject, reason: 'deleted at APIC' });
      } else {
        entry.objects = objects;
        this.trace.emit(this.leaf, 'policy-refreshed', { uri: entry.uri, subject: entry.subject });
      }
    }
  }

  /** The leaf reloaded: everything held or queued is gone (downloads in flight land nowhere). */
  dropAll(): void {
    for (const entry of this.entries.values()) this.scheduler.cancel(entry.gcTimer);
    this.entries.clear();
    this.queue.length = 0;
    this.queueHead = 0;
  }

  /** Nothing uses the object any more (the leaf's last subscriber went): collect it after the delay. */
  release(uri: string): void {
    const entry = this.entries.get(uri);
    if (entry?.state === 'present') this.scheduleGc(entry);
  }

  /** The object is wanted again: a pending collection is called off. */
  private keep(entry: CacheEntry): void {
    if (entry.gcTimer !== undefined) {
      this.scheduler.cancel(entry.gcTimer);
      entry.gcTimer = undefined;
    }
  }

  private scheduleGc(entry: CacheEntry): void {
    if (entry.gcTimer !== undefined) return;
    entry.gcTimer = this.scheduler.after(this.options.gcDelayMs, this.collect, entry);
  }

  private readonly collect = (entry: CacheEntry): void => {
    entry.gcTimer = undefined;
    if (this.options.inUse(entry.uri) || this.entries.get(entry.uri) !== entry) return;
    this.entries.delete(entry.uri);
    this.trace.emit(this.leaf, 'policy-gc', { uri: entry.uri, subject: entry.subject });
  };

  private pump(): void {
    while (this.active < this.options.concurrency && this.queueHead < this.queue.length) {
      const entry = this.queue[this.queueHead++]!;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      entry.state = 'fetching';
      this.active++;
      this.trace.emit(this.leaf, 'policy-download', {
        uri: entry.uri,
        subject: entry.subject,
        requestedBy: entry.requestedBy,
        queued: this.queueDepth,
        inFlight: this.active,
      });
      this.source.fetch(entry.uri, (objects) => this.fetched(entry, objects));
    }
  }

  private fetched(entry: CacheEntry, objects: ManagedObject[]): void {
    this.active--;
    const waiters = entry.waiters;
    entry.waiters = [];
    if (objects.length === 0) {
      this.entries.delete(entry.uri);
      this.trace.emit(this.leaf, 'policy-missing', { uri: entry.uri, subject: entry.subject });
    } else {
      entry.state = 'present';
      entry.objects = objects;
      this.trace.emit(this.leaf, 'policy-present', { uri: entry.uri, subject: entry.subject });
      if (!this.options.inUse(entry.uri)) this.scheduleGc(entry);
    }
    for (const w of waiters) w(objects);
    this.pump();
  }
}
