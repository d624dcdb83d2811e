/**
 * A leaf's EPM endpoint table. Local entries are endpoints on the leaf's own ports (learned from
 * GARP/RARP or OpFlex declares); bounce entries are installed by COOP on the old leaf after a move
 * and point at the new pair until they age out; remote entries are the data plane's cache of
 * endpoints behind other leaves, refreshed by traffic and aged lazily.
 */
import type { Scheduler, TimerHandle } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import { EndpointKeyMap } from './endpoint-key-map.ts';

/**
 * Where a local endpoint was learned: the same for every endpoint of a node behind one port, so a
 * single entry is shared by all of them (a node has dozens of pods; a fabric a million).
 */
export interface LocalEntry {
  readonly kind: 'local';
  /** fabricPathDn of the port it was learned on. */
  readonly path: string;
  readonly node: string;
}

interface BounceEntry {
  kind: 'bounce';
  key: string;
  toPair: string;
  expiresAtMs: number;
  timer: TimerHandle;
}

type EpmEntry = LocalEntry | BounceEntry;

interface RemoteEntry {
  pair: string;
  lastSeenMs: number;
}

interface EndpointTableEvents {
  /** A local endpoint left this leaf's port: moved to another pair (bounce) or to another port. */
  onLocalMovedAway(key: string, previous: LocalEntry, how: 'bounce' | 'port-moved'): void;
}

export class EndpointTable {
  private readonly entries = new EndpointKeyMap<EpmEntry>();
  private readonly remote = new Map<string, RemoteEntry>();
  /** The shared local entry of each node's current port. */
  private readonly localOf = new Map<string, LocalEntry>();

  constructor(
    private readonly leaf: string,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly timers: { bounceAgingMs: number; remoteAgingMs: number },
    private readonly events: EndpointTableEvents,
  ) {}

  get(key: string): EpmEntry | undefined {
    return this.entries.get(key);
  }

  /** Makes room for `entries` endpoints in all (a steady start learns a pair's at once). */
  reserve(entries: number): void {
    this.entries.reserve(entries);
  }

  /** Learns a local endpoint; returns true when it is new here (and so must be reported to COOP). */
  learnLocal(key: string, path: string, node: string, quiet = false): boolean {
    const existing = this.entries.get(key);
    if (existing?.kind === 'local' && existing.path === path) return false;
    if (existing?.kind === 'bounce') this.scheduler.cancel(existing.timer);
    let entry = this.localOf.get(node);
    if (entry?.path !== path) this.localOf.set(node, (entry = { kind: 'local', path, node }));
    this.entries.set(key, entry);
    // Most leaves have cached no remote endpoint (a steady start's two million learns): no key hashed for nothing.
    if (this.remote.size > 0) this.remote.delete(key);
    if (!quiet) this.trace.emit(this.leaf, 'epm-learn', { key, path, node, previous: existing?.kind });
    if (existing?.kind === 'local') this.events.onLocalMovedAway(key, existing, 'port-moved');
    return existing?.kind !== 'local';
  }

  removeLocal(key: string, reason: string): void {
    const existing = this.entries.get(key);
    if (existing?.kind !== 'local') return;
    this.entries.delete(key);
    this.trace.emit(this.leaf, 'epm-remove', { key, reason });
  }

  installBounce(key: string, toPair: string): void {
    const existing = this.entries.get(key);
    if (existing?.kind === 'bounce') this.scheduler.cancel(existing.timer);
    const expiresAtMs = this.scheduler.now() + this.timers.bounceAgingMs;
    const timer = this.scheduler.after(this.timers.bounceAgingMs, this.expireBounce, key);
    this.entries.set(key, { kind: 'bounce', key, toPair, expiresAtMs, timer });
    this.trace.emit(this.leaf, 'bounce-installed', { key, toPair, expiresAtMs });
    if (existing?.kind === 'local') this.events.onLocalMovedAway(key, existing, 'bounce');
  }

  private readonly expireBounce = (key: string): void => {
    const existing = this.entries.get(key);
    if (existing?.kind !== 'bounce' || existing.expiresAtMs > this.scheduler.now()) return;
    this.entries.delete(key);
    this.trace.emit(this.leaf, 'bounce-expired', { key });
  };

  /** The data plane's cached location of a remote endpoint, if learned and not aged out. */
  remotePair(key: string): string | undefined {
    const r = this.remote.get(key);
    if (!r) return undefined;
    if (this.scheduler.now() - r.lastSeenMs > this.timers.remoteAgingMs) {
      this.remote.delete(key);
      return undefined;
    }
    return r.pair;
  }

  /** Conversational learning from a packet that came from `pair`. */
  learnRemote(key: string, pair: string): void {
    if (this.entries.get(key)?.kind === 'local') return;
    const r = this.remote.get(key);
    if (r) {
      r.pair = pair;
      r.lastSeenMs = this.scheduler.now();
    } else {
      this.remote.set(key, { pair, lastSeenMs: this.scheduler.now() });
    }
  }

  /**
   * The switch reloaded: its bounce entries and its cache of remote endpoints are gone with the rest of
   * its EPM (the caller removes the local entries, each with its own event).
   */
  forgetLearned(reason: string): void {
    let bounces = 0;
    for (const e of this.bounceEntries()) {
      this.scheduler.cancel(e.timer);
      this.entries.delete(e.key);
      bounces++;
    }
    const remotes = this.remote.size;
    this.remote.clear();
    if (bounces + remotes > 0) this.trace.emit(this.leaf, 'epm-cleared', { reason, bounces, remotes });
  }

  localEntries(): (LocalEntry & { key: string })[] {
    const out: (LocalEntry & { key: string })[] = [];
    for (const [key, e] of this.entries) if (e.kind === 'local') out.push({ ...e, key });
    return out;
  }

  bounceEntries(): BounceEntry[] {
    const out: BounceEntry[] = [];
    for (const e of this.entries.values()) if (e.kind === 'bounce') out.push(e);
    return out;
  }
}
