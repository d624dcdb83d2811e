/**
 * A leaf's endpoint registry: every endpoint registered on it, by URI, and who registered it.
 * A registration outlives its session (until it expires or is replaced), so the registry also keeps
 * the registrations of closed sessions in one list, oldest closed session first: those are what
 * the leaf gives up first when it reaches its bound. Each registration is linked into its session's
 * list while the session is open and moves, with the whole list at once, to the closed list when
 * the session closes: no scan, and two links per registration rather than an index per session.
 *
 * A registration is a slot number into columns (typed arrays where the field is a number) rather
 * than an object: a fabric at XL holds four million of them (two endpoints per pod on each leaf of
 * its pair), and an object each with its links and a boxed expiry time cost about twice the bytes.
 * The slots are the URI's in a table the leaves of a pair share (RegistrationSlots): a slot is valid
 * until its registration is deleted, and a freed slot is reused by a later URI.
 */
import type { ManagedObject } from '../model/managed-object.ts';
import { NO_SLOT, RegistrationSlots } from './registration-slots.ts';

/** A registration: its slot in the registry (valid until it is deleted). */
export type Registration = number;

/** No registration (the end of a list). */
const NONE = -1;
/** Slots allocated at first; the columns double when full. */
const initialSlots = 64;

/** Registrations linked oldest to newest, with their count and text. */
interface RegistrationList {
  oldest: Registration;
  newest: Registration;
  endpoints: number;
  chars: number;
}

function emptyList(): RegistrationList {
  return { oldest: NONE, newest: NONE, endpoints: 0, chars: 0 };
}

interface SessionAgent {
  readonly agent: string;
  registrations: number;
}

const NO_REGISTRATIONS: { readonly endpoints: number; readonly chars: number } = Object.freeze({ endpoints: 0, chars: 0 });

export class EndpointRegistry {
  private held = 0;
  /** The lists of open sessions that hold registrations; a registration whose session is not here is in `closed`. */
  private readonly bySession = new Map<number, RegistrationList>();
  private readonly closed = emptyList();
  private totalChars = 0;

  /**
   * The agent of each session that holds registrations (open or closed), by name (not the session: a
   * registration must not keep a connection alive), with how many it holds. A session has one agent,
   * so the agent of a registration is its session's rather than a column of its own.
   */
  private readonly sessionAgents = new Map<number, SessionAgent>();

  // Columns, one entry per slot (slots this registry does not hold are undefined and never expire).
  /** Its objects as declared (the first names it: the registration's URI). */
  private objectLists: (ManagedObject[] | undefined)[] = [];
  /** Connection ids (small integers). */
  private sessionIds = new Int32Array(initialSlots);
  private expiries = new Float64Array(initialSlots).fill(Infinity);
  /** Its text as counted against declaredCharsPerSessionMax (0 for a steady start's; at most 4 Mi). */
  private charCounts = new Int32Array(initialSlots);
  private olders = new Int32Array(initialSlots);
  private newers = new Int32Array(initialSlots);

  /** `slots`: the table of the leaf pair's registries; one of its own where not given. */
  constructor(private readonly slots: RegistrationSlots = new RegistrationSlots()) {}

  get size(): number {
    return this.held;
  }

  /** Text of every registration. */
  get chars(): number {
    return this.totalChars;
  }

  /** Registrations (and their text) whose session has closed. */
  get closedEndpoints(): number {
    return this.closed.endpoints;
  }

  get closedChars(): number {
    return this.closed.chars;
  }

  get(uri: string): Registration | undefined {
    return this.heldAt(this.slots.slotOf(uri));
  }

  /** The URI's slot in the pair's table (NO_SLOT when no registry of the pair holds it), for `heldAt` and `set`. */
  slotOf(uri: string): number {
    return this.slots.slotOf(uri);
  }

  /** `slotOf` the URI of `top`, a declare's first object (the agent's own objects give their slot without their URI being read). */
  slotOfDeclared(top: ManagedObject): number {
    return this.slots.slotOfDeclared(top);
  }

  /** The registration at a slot of the pair's table, if this registry holds one there. */
  heldAt(slot: number): Registration | undefined {
    return slot !== NO_SLOT && this.objectLists[slot] !== undefined ? slot : undefined;
  }

  agentOf(entry: Registration): string {
    return this.sessionAgents.get(this.sessionIds[entry]!)!.agent;
  }

  sessionOf(entry: Registration): number {
    return this.sessionIds[entry]!;
  }

  objectsOf(entry: Registration): ManagedObject[] {
    return this.objectLists[entry]!;
  }

  expiresAtMsOf(entry: Registration): number {
    return this.expiries[entry]!;
  }

  charsOf(entry: Registration): number {
    return this.charCounts[entry]!;
  }

  /** The next newer registration in its list, if any. */
  newerThan(entry: Registration): Registration | undefined {
    const newer = this.newers[entry]!;
    return newer === NONE ? undefined : newer;
  }

  /** In slot order (a renewal or a takeover keeps its slot; a new URI may take one freed before). */
  *entries(): IterableIterator<[string, Registration]> {
    for (const slot of this.values()) yield [this.objectLists[slot]![0]!.uri, slot];
  }

  *values(): IterableIterator<Registration> {
    // The bound read as the walk goes: registrations added meanwhile are visited, as a Map's would be.
    for (let slot = 0; slot < this.objectLists.length; slot++) if (this.objectLists[slot] !== undefined) yield slot;
  }

  /**
   * When the first registration expires (Infinity when none is held): a scan of one column, where
   * going through the registrations by URI costs an entry each.
   */
  earliestExpiryMs(): number {
    const expiries = this.expiries;
    let earliest = Infinity;
    const slots = Math.min(expiries.length, this.objectLists.length);
    for (let slot = 0; slot < slots; slot++) if (expiries[slot]! < earliest) earliest = expiries[slot]!;
    return earliest;
  }

  /** Whether the registration's session is still open. */
  isOpen(entry: Registration): boolean {
    return this.bySession.has(this.sessionIds[entry]!);
  }

  /** What an open session has registered. */
  ofSession(sessionId: number): { readonly endpoints: number; readonly chars: number } {
    return this.bySession.get(sessionId) ?? NO_REGISTRATIONS;
  }

  /**
   * Registers (or takes over) `uri` for the session: the newest of its session's registrations. A
   * renewal by the session that holds it already is updated in place: agents renew every
   * declaration periodically, and relinking would churn the lists for nothing. A takeover keeps
   * the slot (read what the previous holder had before calling). `uri` is the first object's.
   */
  set(uri: string, agent: string, sessionId: number, objects: ManagedObject[], expiresAtMs: number, chars: number): Registration {
    if (objects[0]?.uri !== uri) throw new Error(`a registration is named by its first object: ${uri} is not ${objects[0]?.uri}`);
    return this.setAt(this.slots.slotOf(uri), agent, sessionId, objects, expiresAtMs, chars);
  }

  /** `set` for a caller that has just asked for the slot of the first object's URI (`slotOfDeclared`): it is not looked up again. */
  setAt(slot: number, agent: string, sessionId: number, objects: ManagedObject[], expiresAtMs: number, chars: number): Registration {
    const previous = this.heldAt(slot);
    if (previous !== undefined && this.sessionIds[previous] === sessionId && this.agentOf(previous) === agent) {
      const list = this.bySession.get(sessionId);
      if (list !== undefined) {
        const delta = chars - this.charCounts[previous]!;
        list.chars += delta;
        this.totalChars += delta;
        this.objectLists[previous] = objects;
        this.expiries[previous] = expiresAtMs;
        this.charCounts[previous] = chars;
        return previous;
      }
    }
    this.holdSession(sessionId, agent);
    let entry: Registration;
    if (previous !== undefined) {
      this.unlink(previous);
      this.letGoOfSession(this.sessionIds[previous]!);
      entry = previous;
    } else {
      entry = this.slots.hold(objects[0]!, slot);
      if (entry >= this.newers.length) this.resize(Math.max(this.newers.length * 2, entry + 1));
      this.held++;
    }
    this.objectLists[entry] = objects;
    this.sessionIds[entry] = sessionId;
    this.expiries[entry] = expiresAtMs;
    this.charCounts[entry] = chars;
    let list = this.bySession.get(sessionId);
    if (!list) this.bySession.set(sessionId, (list = emptyList()));
    this.append(list, entry);
    this.totalChars += chars;
    return entry;
  }

  /** Removes the registration of `uri`; true when there was one. Read what it held before. */
  delete(uri: string): boolean {
    const entry = this.get(uri);
    if (entry === undefined) return false;
    this.deleteAt(entry);
    return true;
  }

  /** Removes a registration this registry holds (found by a walk or a lookup): its URI is not looked up again. */
  deleteAt(entry: Registration): void {
    this.unlink(entry);
    this.release(entry);
  }

  /** The session has closed: its registrations stay, now the newest of the closed ones. */
  sessionClosed(sessionId: number): void {
    const list = this.bySession.get(sessionId);
    if (!list) return;
    this.bySession.delete(sessionId);
    const c = this.closed;
    if (c.newest !== NONE) this.newers[c.newest] = list.oldest;
    else c.oldest = list.oldest;
    this.olders[list.oldest] = c.newest;
    c.newest = list.newest;
    c.endpoints += list.endpoints;
    c.chars += list.chars;
  }

  /** Forgets every registration (the leaf reloaded). */
  clear(): void {
    for (const slot of this.values()) this.slots.release(slot, this.objectLists[slot]![0]!);
    this.held = 0;
    this.bySession.clear();
    Object.assign(this.closed, emptyList());
    this.totalChars = 0;
    this.sessionAgents.clear();
    this.objectLists = [];
    this.expiries.fill(Infinity);
  }

  /** The oldest registration left by a closed session: the first to give up for a new one. */
  oldestOfClosedSessions(): Registration | undefined {
    return this.closed.oldest === NONE ? undefined : this.closed.oldest;
  }

  private holdSession(sessionId: number, agent: string): void {
    const held = this.sessionAgents.get(sessionId);
    if (held === undefined) this.sessionAgents.set(sessionId, { agent, registrations: 1 });
    else if (held.agent !== agent) throw new Error(`session ${sessionId} registers as "${held.agent}", not as "${agent}": one agent per session`);
    else held.registrations++;
  }

  private letGoOfSession(sessionId: number): void {
    const held = this.sessionAgents.get(sessionId)!;
    if (--held.registrations === 0) this.sessionAgents.delete(sessionId);
  }

  private release(entry: Registration): void {
    const top = this.objectLists[entry]![0]!;
    this.letGoOfSession(this.sessionIds[entry]!);
    this.objectLists[entry] = undefined;
    // A slot not held never expires (see earliestExpiryMs).
    this.expiries[entry] = Infinity;
    this.held--;
    this.slots.release(entry, top);
  }

  /**
   * Gives back most of the room the columns grew into but hold nothing in (up to half of them after
   * doubling): a steady start registers four million endpoints at XL at once, then few more. An
   * eighth is kept for those, so that the next registration does not double the columns again.
   */
  fitToSize(): void {
    const used = this.objectLists.length;
    const slots = Math.max(initialSlots, used + (used >>> 3));
    if (slots < this.newers.length) this.resize(slots);
  }

  /** Makes room for registrations in `slots` slots (a steady start registers a pair's endpoints at once). */
  reserve(slots: number): void {
    this.slots.reserve(slots);
    if (slots > this.newers.length) this.resize(slots);
  }

  /** Columns of `slots` entries (never fewer than the slots this registry holds). */
  private resize(slots: number): void {
    const kept = Math.min(slots, this.objectLists.length);
    const resized = <T extends Float64Array | Int32Array>(column: T): T => {
      const next = new (column.constructor as new (n: number) => T)(slots);
      next.set(column.subarray(0, kept));
      return next;
    };
    this.sessionIds = resized(this.sessionIds);
    this.expiries = resized(this.expiries);
    this.expiries.fill(Infinity, kept);
    this.charCounts = resized(this.charCounts);
    this.olders = resized(this.olders);
    this.newers = resized(this.newers);
  }

  private append(list: RegistrationList, entry: Registration): void {
    this.olders[entry] = list.newest;
    this.newers[entry] = NONE;
    if (list.newest !== NONE) this.newers[list.newest] = entry;
    else list.oldest = entry;
    list.newest = entry;
    list.endpoints++;
    list.chars += this.charCounts[entry]!;
  }

  private unlink(entry: Registration): void {
    const sessionId = this.sessionIds[entry]!;
    const list = this.bySession.get(sessionId) ?? this.closed;
    const older = this.olders[entry]!;
    const newer = this.newers[entry]!;
    if (older !== NONE) this.newers[older] = newer;
    else list.oldest = newer;
    if (newer !== NONE) this.olders[newer] = older;
    else list.newest = older;
    this.olders[entry] = this.newers[entry] = NONE;
    const chars = this.charCounts[entry]!;
    list.endpoints--;
    list.chars -= chars;
    this.totalChars -= chars;
    if (list.endpoints === 0 && list !== this.closed) this.bySession.delete(sessionId);
  }
}
