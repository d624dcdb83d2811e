/**
 * Endpoint URIs numbered for the registries of one leaf pair: both leaves of a pair register the
 * same endpoints (an agent declares each to both), so they share one URI -> slot table, and each
 * leaf keeps what it holds in its own columns at those slots. At XL that is two million table
 * entries where a table per leaf held four million (half the memory), and the second leaf to
 * register a URI finds it where the first put it instead of adding it again.
 *
 * A slot stays numbered while any registry of the pair holds it; a freed slot is reused by a later
 * URI. A registry alone (a live leaf, a test) has a table of its own.
 */

/** Slots at first; the holder counts double when full. */
const initialSlots = 64;
/** Registries that may share one table (a leaf pair's two, with room to spare). */
export const registriesPerTableMax = 255;
/** The slot of a URI no registry holds. */
export const NO_SLOT = -1;

export class RegistrationSlots {
  private readonly byUri = new Map<string, number>();
  /** How many registries hold each slot (0: free). */
  private holders = new Uint8Array(initialSlots);
  private readonly freeSlots: number[] = [];
  private used = 0;

  /** Slots numbered so far, free ones included: every slot is below this. */
  get highWater(): number {
    return this.used;
  }

  /** URIs held by at least one registry. */
  get size(): number {
    return this.byUri.size;
  }

  /** The URI's slot, or NO_SLOT. */
  slotOf(uri: string): number {
    return this.byUri.get(uri) ?? NO_SLOT;
  }

  /**
   * One more registry holds `uri`: its slot. `known` is what `slotOf(uri)` gave, for a caller that has
   * just asked (a URI is hashed once per declare, not once per question: a steady start at XL
   * registers four million).
   */
  hold(uri: string, known = this.slotOf(uri)): number {
    let slot = known;
    if (slot === NO_SLOT) {
      slot = this.freeSlots.pop() ?? this.used++;
      if (slot === this.holders.length) {
        const wider = new Uint8Array(this.holders.length * 2);
        wider.set(this.holders);
        this.holders = wider;
      }
      this.byUri.set(uri, slot);
    } else if (this.holders[slot] === registriesPerTableMax) {
      throw new RangeError(`more than ${registriesPerTableMax} registries hold ${uri}: a table is for one leaf pair`);
    }
    this.holders[slot]!++;
    return slot;
  }

  /** A registry no longer holds `uri` at `slot`; the slot is freed when none does. */
  release(slot: number, uri: string): void {
    if (--this.holders[slot]! > 0) return;
    this.byUri.delete(uri);
    this.freeSlots.push(slot);
  }
}
