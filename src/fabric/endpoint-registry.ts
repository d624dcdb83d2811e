/**
 * A leaf's endpoint registry: every endpoint registered on it, by URI, and who registered it.
 * A registration outlives its session (until it expires or is replaced), so the registry also keeps
 * the registrations of closed sessions in one list, oldest closed session first: those are what
 * the leaf gives up first when it reaches its bound. Each registration is linked into its session's
 * list while the session is open and moves, with the whole list at once, to the closed list when
 * the session closes: no scan, and two fields per registration rather than an index per session.
 */
import type { ManagedObject } from '../model/managed-object.ts';

export interface Registration {
  /** The agent that declared it last, by name, and its session by id (not the session: a registration must not keep a connection alive). */
  readonly agent: string;
  readonly sessionId: number;
  /** Its objects as declared (the first names it). */
  objects: ManagedObject[];
  expiresAtMs: number;
  /** Its text as counted against declaredCharsPerSessionMax (0 for a steady start's). */
  chars: number;
  older: Registration | undefined;
  newer: Registration | undefined;
}

/** Registrations linked oldest to newest, with their count and text. */
interface RegistrationList {
  oldest: Registration | undefined;
  newest: Registration | undefined;
  endpoints: number;
  chars: number;
}

function emptyList(): RegistrationList {
  return { oldest: undefined, newest: undefined, endpoints: 0, chars: 0 };
}

export class EndpointRegistry {
  private readonly byUri = new Map<string, Registration>();
  /** The lists of open sessions that hold registrations; a registration whose session is not here is in `closed`. */
  private readonly bySession = new Map<number, RegistrationList>();
  private readonly closed = emptyList();
  private totalChars = 0;

  get size(): number {
    return this.byUri.size;
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
    return this.byUri.get(uri);
  }

  /** In the order URIs were first registered (a renewal keeps its place). */
  entries(): IterableIterator<[string, Registration]> {
    return this.byUri.entries();
  }

  values(): IterableIterator<Registration> {
    return this.byUri.values();
  }

  /** Whether the registration's session is still open. */
  isOpen(entry: Registration): boolean {
    return this.bySession.has(entry.sessionId);
  }

  /** What an open session has registered. */
  ofSession(sessionId: number): { endpoints: number; chars: number } {
    return this.bySession.get(sessionId) ?? { endpoints: 0, chars: 0 };
  }

  /**
   * Registers (or takes over) `uri` for the session: the newest of its session's registrations. A
   * renewal by the session that holds it already is updated in place: agents renew every
   * declaration periodically, and relinking would churn the lists for nothing.
   */
  set(uri: string, agent: string, sessionId: number, objects: ManagedObject[], expiresAtMs: number, chars: number): Registration {
    const previous = this.byUri.get(uri);
    if (previous !== undefined && previous.sessionId === sessionId && previous.agent === agent) {
      const list = this.bySession.get(sessionId);
      if (list !== undefined) {
        list.chars += chars - previous.chars;
        this.totalChars += chars - previous.chars;
        previous.objects = objects;
        previous.expiresAtMs = expiresAtMs;
        previous.chars = chars;
        return previous;
      }
    }
    if (previous) this.unlink(previous);
    const entry: Registration = { agent, sessionId, objects, expiresAtMs, chars, older: undefined, newer: undefined };
    let list = this.bySession.get(sessionId);
    if (!list) this.bySession.set(sessionId, (list = emptyList()));
    append(list, entry);
    this.totalChars += chars;
    this.byUri.set(uri, entry);
    return entry;
  }

  delete(uri: string): Registration | undefined {
    const entry = this.byUri.get(uri);
    if (!entry) return undefined;
    this.unlink(entry);
    this.byUri.delete(uri);
    return entry;
  }

  /** The session has closed: its registrations stay, now the newest of the closed ones. */
  sessionClosed(sessionId: number): void {
    const list = this.bySession.get(sessionId);
    if (!list) return;
    this.bySession.delete(sessionId);
    const c = this.closed;
    if (c.newest) c.newest.newer = list.oldest;
    else c.oldest = list.oldest;
    list.oldest!.older = c.newest;
    c.newest = list.newest;
    c.endpoints += list.endpoints;
    c.chars += list.chars;
  }

  /** Forgets every registration (the leaf reloaded). */
  clear(): void {
    this.byUri.clear();
    this.bySession.clear();
    Object.assign(this.closed, emptyList());
    this.totalChars = 0;
  }

  /** The oldest registration left by a closed session: the first to give up for a new one. */
  oldestOfClosedSessions(): Registration | undefined {
    return this.closed.oldest;
  }

  private unlink(entry: Registration): void {
    const list = this.bySession.get(entry.sessionId) ?? this.closed;
    if (entry.older) entry.older.newer = entry.newer;
    else list.oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else list.newest = entry.older;
    entry.older = entry.newer = undefined;
    list.endpoints--;
    list.chars -= entry.chars;
    this.totalChars -= entry.chars;
    if (list.endpoints === 0 && list !== this.closed) this.bySession.delete(entry.sessionId);
  }
}

function append(list: RegistrationList, entry: Registration): void {
  entry.older = list.newest;
  if (list.newest) list.newest.newer = entry;
  else list.oldest = entry;
  list.newest = entry;
  list.endpoints++;
  list.chars += entry.chars;
}
