/**
 * The agent's resolves (one per policy URI it references) packed into slots of two typed arrays (the
 * integer fields, the refresh times) and one array (subject, references), with the few timers pending
 * in a map of their own: about 60 bytes a resolve where an object per resolve in a Map took about 150. A slot keeps its number while its resolve lives, and
 * a freed slot is reused; resolves are listed in the order they were added (a list threaded through
 * the slots), as the Map they replace listed them, because the order in which requests go out is part
 * of a deterministic run.
 */
import type { Reference } from '../model/managed-object.ts';
import { SortedIdMap } from '../model/sorted-id-map.ts';
import type { TypedArraySlab } from '../model/typed-array-slab.ts';
import { copyElements } from '../model/typed-array-copy.ts';
import type { UriInterner } from '../model/uri-interner.ts';

/** A timer field's value when no timer is set. */
export const NO_TIMER = -1;
const NO_SLOT = -1;
/** Slots at first: few enough that the arrays fit on the JS heap (64 bytes), where making them costs no ArrayBuffer. */
const INITIAL_CAPACITY = 2;

// Integer fields of a slot.
const URI_ID = 0; // -1 in a free slot
const SERIAL = 1;
const REFS = 2;
const ATTEMPTS = 3;
const RESOLVED = 4;
const NEXT = 5;
const PREV = 6;
const INTS = 7;
// Timers pending, by slot * 2 + one of these.
const RETRY_TIMER = 0;
const GC_TIMER = 1;

export class ResolveTable {
  private ints: Int32Array = new Int32Array(INITIAL_CAPACITY * INTS);
  private refreshTimes: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** Most resolves have no timer pending (answered, referenced): a map of the few that do. */
  private timers: Map<number, number> | undefined;
  /** Subject and references of each slot, side by side. */
  private objects: (string | readonly Reference[] | undefined)[] = [];
  /** Whether `objects` grew past its length since it was last made to measure (so may keep spare room). */
  private objectsGrown = false;
  private capacity = INITIAL_CAPACITY;
  private head = NO_SLOT;
  private tail = NO_SLOT;
  private slotsUsed = 0;
  private readonly freeSlots: number[] = [];
  private serialCounter = 0;
  private readonly slotsByUri = new SortedIdMap<number>();

  constructor(
    private readonly uris: UriInterner,
    /** The refresh time of a resolve whose refresh is not scheduled. */
    private readonly refreshNotScheduled: number,
  ) {}

  get size(): number {
    return this.slotsByUri.size;
  }

  /** The slot of the URI's resolve, or -1. */
  slotOf(uri: string): number {
    const id = this.uris.idOf(uri);
    if (id < 0) return NO_SLOT;
    return this.slotsByUri.get(id) ?? NO_SLOT;
  }

  /** The slot of the resolve of the URI with this interned id, or -1. */
  slotOfId(id: number): number {
    return this.slotsByUri.get(id) ?? NO_SLOT;
  }

  /** The interned id of the slot's URI. */
  uriIdOf(slot: number): number {
    return this.ints[slot * INTS + URI_ID]!;
  }

  isLive(slot: number): boolean {
    return slot >= 0 && slot < this.slotsUsed && this.ints[slot * INTS + URI_ID]! >= 0;
  }

  uriOf(slot: number): string {
    return this.uris.uriOf(this.ints[slot * INTS + URI_ID]!);
  }

  subjectOf(slot: number): string {
    return this.objects[2 * slot] as string;
  }

  /** A number no other resolve had in this slot, for telling a late reply from a current one. */
  serialOf(slot: number): number {
    return this.ints[slot * INTS + SERIAL]!;
  }

  refsOf(slot: number): number {
    return this.ints[slot * INTS + REFS]!;
  }

  setRefs(slot: number, refs: number): void {
    this.ints[slot * INTS + REFS] = refs;
  }

  /** Unanswered requests in a row. */
  attemptsOf(slot: number): number {
    return this.ints[slot * INTS + ATTEMPTS]!;
  }

  setAttempts(slot: number, attempts: number): void {
    this.ints[slot * INTS + ATTEMPTS] = attempts;
  }

  isResolved(slot: number): boolean {
    return this.ints[slot * INTS + RESOLVED] === 1;
  }

  setResolved(slot: number, resolved: boolean): void {
    this.ints[slot * INTS + RESOLVED] = resolved ? 1 : 0;
  }

  retryTimerOf(slot: number): number {
    return this.timers?.get(2 * slot + RETRY_TIMER) ?? NO_TIMER;
  }

  setRetryTimer(slot: number, timer: number): void {
    this.setTimer(2 * slot + RETRY_TIMER, timer);
  }

  gcTimerOf(slot: number): number {
    return this.timers?.get(2 * slot + GC_TIMER) ?? NO_TIMER;
  }

  setGcTimer(slot: number, timer: number): void {
    this.setTimer(2 * slot + GC_TIMER, timer);
  }

  /** When the answer is next refreshed, whole milliseconds (or the not-scheduled value). */
  refreshAtOf(slot: number): number {
    return this.refreshTimes[slot]!;
  }

  setRefreshAt(slot: number, atMs: number): void {
    this.refreshTimes[slot] = atMs;
  }

  private setTimer(key: number, timer: number): void {
    if (timer !== NO_TIMER) (this.timers ??= new Map()).set(key, timer);
    else if (this.timers?.delete(key) && this.timers.size === 0) this.timers = undefined;
  }

  /** What the resolve's subtree references, when anything; never changed in place (agents share them). */
  referencesOf(slot: number): readonly Reference[] | undefined {
    return this.objects[2 * slot + 1] as readonly Reference[] | undefined;
  }

  setReferences(slot: number, references: readonly Reference[] | undefined): void {
    this.objects[2 * slot + 1] = references;
  }

  /** A new resolve for `uri` (which has none), last in order, with no references, timers or refresh: its slot. */
  add(uri: string, subject: string): number {
    return this.addHeld(this.uris.hold(uri), subject);
  }

  /** `add` for a URI known by its interned id (held by someone already). */
  addId(id: number, subject: string): number {
    this.uris.holdId(id);
    return this.addHeld(id, subject);
  }

  private addHeld(id: number, subject: string): number {
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.newSlot();
    this.slotsByUri.set(id, slot);
    this.serialCounter = (this.serialCounter + 1) | 0;
    const i = slot * INTS;
    const ints = this.ints;
    ints[i + URI_ID] = id;
    ints[i + SERIAL] = this.serialCounter;
    ints[i + REFS] = 0;
    ints[i + ATTEMPTS] = 0;
    ints[i + RESOLVED] = 0;
    ints[i + NEXT] = NO_SLOT;
    ints[i + PREV] = this.tail;
    this.refreshTimes[slot] = this.refreshNotScheduled;
    if (2 * slot >= this.objects.length) this.objectsGrown = true;
    this.objects[2 * slot] = subject;
    this.objects[2 * slot + 1] = undefined;
    if (this.tail === NO_SLOT) this.head = slot;
    else ints[this.tail * INTS + NEXT] = slot;
    this.tail = slot;
    return slot;
  }

  /** Frees the slot (its timers are the caller's to cancel first; they are forgotten here). */
  remove(slot: number): void {
    this.setTimer(2 * slot + RETRY_TIMER, NO_TIMER);
    this.setTimer(2 * slot + GC_TIMER, NO_TIMER);
    const ints = this.ints;
    const i = slot * INTS;
    const id = ints[i + URI_ID]!;
    this.slotsByUri.delete(id);
    this.uris.release(id);
    ints[i + URI_ID] = -1;
    this.objects[2 * slot] = undefined;
    this.objects[2 * slot + 1] = undefined;
    const before = ints[i + PREV]!;
    const after = ints[i + NEXT]!;
    if (before === NO_SLOT) this.head = after;
    else ints[before * INTS + NEXT] = after;
    if (after === NO_SLOT) this.tail = before;
    else ints[after * INTS + PREV] = before;
    this.freeSlots.push(slot);
  }

  /** The first live slot in the order resolves were added, or -1. */
  get firstSlot(): number {
    return this.head;
  }

  /** The live slot after `slot` in that order, or -1. */
  nextSlot(slot: number): number {
    return this.ints[slot * INTS + NEXT]!;
  }

  /** The live slots in the order their resolves were added, as a snapshot (safe to change the table while using it). */
  slotsInOrder(): Int32Array {
    const out = new Int32Array(this.size);
    let n = 0;
    for (let slot = this.head; slot !== NO_SLOT; slot = this.nextSlot(slot)) out[n++] = slot;
    return out;
  }

  /** Makes room for `resolves` in all (before a steady start's burst of adds), from `slab` when given. */
  reserve(resolves: number, slab?: TypedArraySlab): void {
    if (resolves > this.capacity) this.resize(resolves, slab);
    this.slotsByUri.reserve(resolves, slab);
    if (this.objects.length < 2 * resolves) {
      const objects = new Array<string | readonly Reference[] | undefined>(2 * resolves);
      for (let i = 0; i < this.objects.length; i++) objects[i] = this.objects[i];
      this.objects = objects;
      this.objectsGrown = false;
    }
  }

  /** Gives back the room beyond the highest slot in use (after a steady start's burst of adds). */
  trim(): void {
    const capacity = Math.max(this.slotsUsed, INITIAL_CAPACITY);
    if (this.capacity > capacity) this.resize(capacity);
    if (this.objectsGrown || this.objects.length !== 2 * this.slotsUsed) {
      this.objects = this.objects.slice(0, 2 * this.slotsUsed);
      this.objectsGrown = false;
    }
    this.slotsByUri.trim();
  }

  private newSlot(): number {
    const slot = this.slotsUsed++;
    // Doubling: a steady start adds an agent's resolves in one burst and trims after.
    if (slot === this.capacity) this.resize(this.capacity * 2);
    return slot;
  }

  private resize(capacity: number, slab?: TypedArraySlab): void {
    const ints = slab ? slab.int32(capacity * INTS) : new Int32Array(capacity * INTS);
    copyElements(ints, this.ints, Math.min(this.capacity, capacity) * INTS);
    const refreshTimes = slab ? slab.float64(capacity) : new Float64Array(capacity);
    copyElements(refreshTimes, this.refreshTimes, Math.min(this.capacity, capacity));
    this.ints = ints;
    this.refreshTimes = refreshTimes;
    this.capacity = capacity;
  }
}
