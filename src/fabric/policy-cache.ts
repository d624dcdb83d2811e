/**
 * A leaf's policy cache: which objects it holds and the download queue to APIC. An object is served
 * from the cache when present; otherwise it is queued for download, with at most `concurrency`
 * fetches in flight per leaf, and every resolve waiting on it is answered when it arrives. Whether
 * an object is in use is the leaf's to say (some session subscribes to it); one nobody uses is
 * garbage-collected after a delay.
 *
 * The queue is shared by every session of the leaf, so it is bounded per leaf and per requester (a
 * session), and served fairly: each requester's first `downloadsInOrderPerRequester` downloads take
 * their turn in arrival order, the rest wait in the requester's own overflow and move up one by one
 * as its earlier downloads complete (served round-robin when nothing else waits). A session
 * flooding the leaf with resolves thus delays another session's download by at most that many of
 * its own. A requester that goes away (abandon) takes its waits with it: a queued download nobody
 * waits for any more leaves the queue.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler, TimerHandle } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { ManagedObject } from '../model/managed-object.ts';
import type { ResolveAnswer } from '../opflex/proxy-session.ts';
import type { Distribution } from '../scenario/types.ts';

export interface PolicySource {
  /** Fetches an object's subtree (parents first); [] when the object does not exist. */
  fetch(uri: string, done: (objects: ManagedObject[]) => void): void;
}

/** Objects waiting for a download slot on one leaf, over all its sessions. */
const DOWNLOADS_QUEUED_PER_LEAF_MAX = 65_536;
/** Downloads (queued or in flight) one session may wait on at once. */
export const DOWNLOADS_PER_REQUESTER_MAX = 4096;
/** Of those, how many take their turn in arrival order (more than an agent asks for at once). */
const DOWNLOADS_IN_ORDER_PER_REQUESTER = 64;

/** Who waits for a download (the leaf: a session); compared by identity. */
type Requester = object;

type Done = (answer: ResolveAnswer) => void;

interface Waiter {
  requester: Requester;
  done: Done;
}

/**
 * The waiters of an entry nobody waits for: one frozen array for all of them, since a leaf holds an
 * entry per policy object it serves (thousands) and nearly all of them are present with no waiter.
 */
const NO_WAITERS = Object.freeze([]) as unknown as Waiter[];

interface CacheEntry {
  subject: string;
  uri: string;
  /** 'dropped': left the queue before its turn (nobody waited any more). */
  state: 'queued' | 'fetching' | 'present' | 'dropped';
  objects: ManagedObject[];
  waiters: Waiter[];
  requestedBy: string;
  gcTimer: TimerHandle | undefined;
  /** While queued: in the shared arrival-order queue, or in a requester's overflow. */
  lane: 'in-order' | 'overflow' | undefined;
  /** The requester whose in-order share this download takes, until it completes. */
  chargedTo: RequesterState | undefined;
  /** The requester whose overflow holds it, while its lane is 'overflow'. */
  overflowOf: RequesterState | undefined;
}

interface RequesterState {
  /** Downloads (queued or in flight) this requester waits on. */
  readonly waiting: Set<CacheEntry>;
  /** Downloads charged to its in-order share. */
  inOrder: number;
  /** Its downloads past the share, oldest first (stale ones skipped when taken). */
  overflow: CacheEntry[];
  overflowHead: number;
}

interface PolicyCacheOptions {
  concurrency: number;
  serveLatency: Distribution;
  gcDelayMs: number;
  /** Default DOWNLOADS_QUEUED_PER_LEAF_MAX. */
  downloadsQueuedMax?: number;
  /** Default DOWNLOADS_PER_REQUESTER_MAX. */
  downloadsPerRequesterMax?: number;
  /** Default DOWNLOADS_IN_ORDER_PER_REQUESTER. */
  downloadsInOrderPerRequester?: number;
  /** Whether anything still uses the object (the leaf: a session subscribes to it). */
  inUse(uri: string): boolean;
}

export class PolicyCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Downloads in arrival order; entries that moved on (dropped, taken) are skipped. */
  private queue: CacheEntry[] = [];
  private queueHead = 0;
  private queued = 0;
  private active = 0;
  private readonly requesters = new Map<Requester, RequesterState>();
  /** Requesters with downloads in their overflow, served round-robin. */
  private overflowing: RequesterState[] = [];
  private overflowTurn = 0;
  private readonly queuedMax: number;
  private readonly perRequesterMax: number;
  private readonly inOrderShare: number;

  constructor(
    private readonly leaf: string,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly source: PolicySource,
    private readonly random: RandomStream,
    private readonly options: PolicyCacheOptions,
  ) {
    this.queuedMax = options.downloadsQueuedMax ?? DOWNLOADS_QUEUED_PER_LEAF_MAX;
    this.perRequesterMax = options.downloadsPerRequesterMax ?? DOWNLOADS_PER_REQUESTER_MAX;
    this.inOrderShare = options.downloadsInOrderPerRequester ?? DOWNLOADS_IN_ORDER_PER_REQUESTER;
  }

  /** True when the object is held (downloaded and not collected). */
  has(uri: string): boolean {
    return this.entries.get(uri)?.state === 'present';
  }

  /** True when the object is held and its collection is scheduled (nothing uses it: it goes after the GC delay). */
  collecting(uri: string): boolean {
    const entry = this.entries.get(uri);
    return entry?.state === 'present' && entry.gcTimer !== undefined;
  }

  /** URIs currently held. */
  presentUris(): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) if (e.state === 'present') out.push(e.uri);
    return out;
  }

  get queueDepth(): number {
    return this.queued;
  }

  get downloadsInFlight(): number {
    return this.active;
  }

  /** Downloads a requester waits on (queued or in flight). */
  waitsOf(requester: Requester): number {
    return this.requesters.get(requester)?.waiting.size ?? 0;
  }

  /** Requesters with downloads pending (a bounded number: each has at least one). */
  get requesterCount(): number {
    return this.requesters.size;
  }

  resolve(subject: string, uri: string, requester: Requester, requestedBy: string, done: Done): void {
    let entry = this.entries.get(uri);
    if (entry?.state === 'present') {
      this.keep(entry);
      this.trace.emit(this.leaf, 'policy-served', { uri, subject, from: 'cache', requestedBy });
      const latency = this.random.sample(this.options.serveLatency);
      if (latency > 0) this.scheduler.after(latency, done, entry.objects);
      else done(entry.objects);
      return;
    }
    const known = this.requesters.get(requester);
    if (entry) {
      this.keep(entry);
      if (!known?.waiting.has(entry) && (known?.waiting.size ?? 0) >= this.perRequesterMax) {
        return this.refuse(subject, uri, requestedBy, done, `more than ${this.perRequesterMax} policy downloads outstanding for this session (downloadsPerRequesterMax)`);
      }
      const state = known ?? this.requesterState(requester);
      state.waiting.add(entry);
      if (entry.waiters === NO_WAITERS) entry.waiters = [{ requester, done }];
      else entry.waiters.push({ requester, done });
      // Joining a download that waits in someone's overflow: it takes this requester's turn instead.
      if (entry.state === 'queued' && entry.lane === 'overflow' && state.inOrder < this.inOrderShare) this.enqueueInOrder(entry, state);
      return;
    }
    if (this.queued >= this.queuedMax && !this.makeRoomFor(known)) {
      return this.refuse(subject, uri, requestedBy, done, `more than ${this.queuedMax} policy downloads queued on ${this.leaf} (downloadsQueuedMax)`);
    }
    if ((known?.waiting.size ?? 0) >= this.perRequesterMax) {
      return this.refuse(subject, uri, requestedBy, done, `more than ${this.perRequesterMax} policy downloads outstanding for this session (downloadsPerRequesterMax)`);
    }
    const state = known ?? this.requesterState(requester);
    entry = { subject, uri, state: 'queued', objects: [], waiters: [{ requester, done }], requestedBy, gcTimer: undefined, lane: undefined, chargedTo: undefined, overflowOf: undefined };
    this.entries.set(uri, entry);
    state.waiting.add(entry);
    this.queued++;
    if (state.inOrder < this.inOrderShare) this.enqueueInOrder(entry, state);
    else this.enqueueOverflow(entry, state);
    this.trace.emit(this.leaf, 'policy-download-queued', { uri, subject, requestedBy, queued: this.queued });
    this.pump();
  }

  /**
   * The requester is gone (its session closed): it waits for nothing any more, and a queued
   * download nobody else waits for leaves the queue. One in flight completes (APIC is already at
   * it) and is held as usual.
   */
  abandon(requester: Requester): void {
    const state = this.requesters.get(requester);
    if (!state) return;
    this.requesters.delete(requester);
    for (const entry of state.waiting) {
      entry.waiters = entry.waiters.filter((w) => w.requester !== requester);
      if (entry.state !== 'queued') continue;
      if (entry.waiters.length === 0) {
        this.drop(entry);
        continue;
      }
      // Others still wait for it: it keeps a turn, now charged to one of them when it can be.
      if (entry.chargedTo === state || entry.overflowOf === state) {
        if (entry.chargedTo) entry.chargedTo.inOrder--;
        entry.chargedTo = undefined;
        const heir = this.requesters.get(entry.waiters[0]!.requester)!;
        if (heir.inOrder < this.inOrderShare) this.enqueueInOrder(entry, heir);
        else this.enqueueOverflow(entry, heir);
      }
    }
    state.waiting.clear();
    state.overflow = [];
    state.overflowHead = 0;
    this.overflowing = this.overflowing.filter((s) => s !== state);
    this.pump();
  }
  /**
   * The object held already, as on a leaf that has served it for a while (steady start): `current`
   * gives its subtree when it is not held yet; nothing is held when that is empty. Returns what the
   * leaf would answer.
   */
  seed(subject: string, uri: string, current: (uri: string) => ManagedObject[]): ManagedObject[] {
    let entry = this.entries.get(uri);
    if (!entry) {
      const objects = current(uri);
      if (objects.length === 0) return objects;
      entry = { subject, uri, state: 'present', objects, waiters: NO_WAITERS, requestedBy: '', gcTimer: undefined, lane: undefined, chargedTo: undefined, overflowOf: undefined };
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
    for (const entry of this.entries.values()) {
      this.scheduler.cancel(entry.gcTimer);
      if (entry.state === 'queued') entry.state = 'dropped';
    }
    this.entries.clear();
    this.queue = [];
    this.queueHead = 0;
    this.queued = 0;
    this.requesters.clear();
    this.overflowing = [];
    this.overflowTurn = 0;
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

  private requesterState(requester: Requester): RequesterState {
    const state: RequesterState = { waiting: new Set(), inOrder: 0, overflow: [], overflowHead: 0 };
    this.requesters.set(requester, state);
    return state;
  }

  /**
   * The leaf's queue is full: a requester within its in-order share still gets a place, taken from
   * the newest overflow download of the requester with the longest overflow (its waiters get a
   * refusal). False when there is no such place.
   */
  private makeRoomFor(state: RequesterState | undefined): boolean {
    if (state && state.inOrder >= this.inOrderShare) return false;
    let longest: RequesterState | undefined;
    for (const s of this.overflowing) if (s !== state && (!longest || s.overflow.length - s.overflowHead > longest.overflow.length - longest.overflowHead)) longest = s;
    if (!longest) return false;
    while (longest.overflow.length > longest.overflowHead) {
      const entry: CacheEntry = longest.overflow.pop()!;
      if (entry.state !== 'queued' || entry.overflowOf !== longest) continue;
      const waiters = entry.waiters;
      entry.waiters = NO_WAITERS;
      for (const w of waiters) {
        const waiting = this.requesters.get(w.requester);
        waiting?.waiting.delete(entry);
        if (waiting?.waiting.size === 0) this.requesters.delete(w.requester);
        this.refuse(entry.subject, entry.uri, entry.requestedBy, w.done, `more than ${this.queuedMax} policy downloads queued on ${this.leaf} (downloadsQueuedMax); this session has the most`);
      }
      this.drop(entry);
      if (longest.overflow.length === longest.overflowHead) this.overflowing = this.overflowing.filter((s) => s !== longest);
      return true;
    }
    this.overflowing = this.overflowing.filter((s) => s !== longest);
    return false;
  }

  private refuse(subject: string, uri: string, requestedBy: string, done: Done, why: string): void {
    this.trace.emit(this.leaf, 'policy-download-rejected', { uri, subject, requestedBy, queued: this.queued, reason: why });
    this.scheduler.after(0, done, { refused: `Policy download refused: ${why}` } satisfies ResolveAnswer);
  }

  private enqueueInOrder(entry: CacheEntry, state: RequesterState): void {
    entry.lane = 'in-order';
    entry.overflowOf = undefined;
    entry.chargedTo = state;
    state.inOrder++;
    this.queue.push(entry);
  }

  private enqueueOverflow(entry: CacheEntry, state: RequesterState): void {
    entry.lane = 'overflow';
    entry.chargedTo = undefined;
    if (state.overflow.length === state.overflowHead) this.overflowing.push(state);
    state.overflow.push(entry);
    entry.overflowOf = state;
  }

  private drop(entry: CacheEntry): void {
    entry.state = 'dropped';
    this.queued--;
    if (entry.chargedTo) entry.chargedTo.inOrder--;
    entry.chargedTo = undefined;
    entry.overflowOf = undefined;
    entry.lane = undefined;
    if (this.entries.get(entry.uri) === entry) this.entries.delete(entry.uri);
    this.trace.emit(this.leaf, 'policy-download-dropped', { uri: entry.uri, subject: entry.subject, requestedBy: entry.requestedBy, queued: this.queued });
  }

  /** The next download: the oldest in arrival order, else one from the overflows, round-robin. */
  private next(): CacheEntry | undefined {
    while (this.queueHead < this.queue.length) {
      const entry = this.queue[this.queueHead++]!;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      if (entry.state === 'queued' && entry.lane === 'in-order') return entry;
    }
    while (this.overflowing.length > 0) {
      if (this.overflowTurn >= this.overflowing.length) this.overflowTurn = 0;
      const state = this.overflowing[this.overflowTurn]!;
      const entry = this.takeOverflow(state);
      if (state.overflowHead === state.overflow.length) {
        this.overflowing.splice(this.overflowTurn, 1);
        state.overflow = [];
        state.overflowHead = 0;
      } else {
        this.overflowTurn++;
      }
      if (entry) return entry;
    }
    return undefined;
  }

  /** The requester's oldest download still waiting in its overflow. */
  private takeOverflow(state: RequesterState): CacheEntry | undefined {
    while (state.overflowHead < state.overflow.length) {
      const entry = state.overflow[state.overflowHead++]!;
      if (entry.state === 'queued' && entry.overflowOf === state) {
        entry.overflowOf = undefined;
        return entry;
      }
    }
    return undefined;
  }

  /** A download of the requester's completed: its oldest overflow download moves up to the in-order queue. */
  private promote(state: RequesterState): void {
    if (state.inOrder >= this.inOrderShare) return;
    const entry = this.takeOverflow(state);
    if (!entry) return;
    if (state.overflowHead === state.overflow.length) {
      this.overflowing = this.overflowing.filter((s) => s !== state);
      state.overflow = [];
      state.overflowHead = 0;
    }
    this.enqueueInOrder(entry, state);
  }

  private pump(): void {
    while (this.active < this.options.concurrency) {
      const entry = this.next();
      if (!entry) break;
      entry.state = 'fetching';
      entry.lane = undefined;
      this.queued--;
      this.active++;
      this.trace.emit(this.leaf, 'policy-download', {
        uri: entry.uri,
        subject: entry.subject,
        requestedBy: entry.requestedBy,
        queued: this.queued,
        inFlight: this.active,
      });
      this.source.fetch(entry.uri, (objects) => this.fetched(entry, objects));
    }
  }

  private fetched(entry: CacheEntry, objects: ManagedObject[]): void {
    this.active--;
    const charged = entry.chargedTo;
    entry.chargedTo = undefined;
    if (charged) charged.inOrder--;
    const waiters = entry.waiters;
    entry.waiters = NO_WAITERS;
    for (const w of waiters) {
      const state = this.requesters.get(w.requester);
      if (!state) continue;
      state.waiting.delete(entry);
      if (state.waiting.size === 0) this.requesters.delete(w.requester);
    }
    if (objects.length === 0) {
      this.entries.delete(entry.uri);
      this.trace.emit(this.leaf, 'policy-missing', { uri: entry.uri, subject: entry.subject });
    } else {
      entry.state = 'present';
      entry.objects = objects;
      this.trace.emit(this.leaf, 'policy-present', { uri: entry.uri, subject: entry.subject });
      if (!this.options.inUse(entry.uri)) this.scheduleGc(entry);
    }
    for (const w of waiters) w.done(objects);
    if (charged) this.promote(charged);
    this.pump();
  }
}
