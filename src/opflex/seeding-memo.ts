/**
 * What one agent's steady start works out that the next agents need again: a fabric's agents resolve
 * the same few thousand policy URIs over and over (20,000 agents, ~135 resolves each at XL), and each
 * resolve walks its subtree in the agent's store to find what it references, then looks every target
 * up by URI string. The memo keeps, per resolved URI, the answer it came with, what that subtree
 * references and the targets' interned ids, the answer's objects' ids and weight, so a later agent
 * given the same answer stores it by id and skips the walk and the string lookups. From the same
 * records it tells how many resolves and objects an agent's EPGs lead to, so the agent's tables and
 * its sessions' are made once to measure (from a shared slab), or, where it cannot tell yet, to the
 * size of the agent seeded last.
 *
 * A remembered list is only what the walk would find if no other answer's objects sit inside the
 * subtree in the agent's store. Every answer is registered when it is first resolved, and one whose
 * objects overlap another's, or whose root hangs below another's object, turns the memo off for the
 * rest of the start (each agent then walks, as before). An agent holding two such answers registered
 * the later one before using it, so no agent takes a list the walk would not have given it.
 *
 * Lives for one steady start: `dispose` gives back the ids it holds.
 */
import type { ManagedObject, Reference } from '../model/managed-object.ts';
import { objectBytes } from '../model/object-size.ts';
import { TypedArraySlab } from '../model/typed-array-slab.ts';
import type { UriInterner } from '../model/uri-interner.ts';

export interface RememberedSubtree {
  readonly answer: readonly ManagedObject[];
  readonly references: readonly Reference[] | undefined;
  /** The interned id of each reference's target, in the same order (held by the memo). */
  readonly targetIds: Int32Array;
  /** The interned id of each object of the answer, in its order (held by the memo). */
  readonly objectIds: Int32Array;
  /** What the answer's objects weigh together (see objectBytes). */
  readonly bytes: number;
}

export class SeedingMemo {
  /** Where the seeded agents' and sessions' tables take their room (they are sized once, to what they hold). */
  readonly slab = new TypedArraySlab();
  /** Resolves the agent seeded last ended with: room the next one reserves. */
  resolvesHint = 0;
  /** Objects the agent seeded last ended with in its store. */
  objectsHint = 0;
  private uris: UriInterner | undefined;
  private readonly byUriId: (RememberedSubtree | undefined)[] = [];
  /** Root URI id of the answer each remembered object came in. */
  private readonly ownerOf = new Map<string, number>();
  /** Parents named by remembered objects outside their own answer (where no other answer's object may be). */
  private readonly parentsOutside = new Set<string>();
  private heldIds: number[] = [];
  private disabled = false;
  /** Per URI id, the closure walk that last reached it (see sizeOfClosure). */
  private visitedBy = new Int32Array(0);
  private walks = 0;

  /**
   * Resolves and stored objects an agent ends with once it has resolved `roots` and what they lead
   * to, when the memo knows every answer on the way (so its tables can be sized exactly, not grown
   * step by step and trimmed); undefined when it does not.
   */
  sizeOfClosure(uris: UriInterner, roots: readonly string[]): { resolves: number; objects: number } | undefined {
    if (this.disabled || uris !== this.uris) return undefined;
    const walk = ++this.walks;
    const stack: number[] = [];
    for (const root of roots) {
      const id = uris.idOf(root);
      if (id < 0) return undefined;
      stack.push(id);
    }
    let resolves = 0;
    let objects = 0;
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id >= this.visitedBy.length) {
        const grown = new Int32Array(Math.max(64, 2 * id + 2));
        grown.set(this.visitedBy);
        this.visitedBy = grown;
      }
      if (this.visitedBy[id] === walk) continue;
      this.visitedBy[id] = walk;
      const known = this.byUriId[id];
      if (known === undefined) return undefined;
      resolves++;
      objects += known.answer.length;
      for (let i = 0; i < known.targetIds.length; i++) stack.push(known.targetIds[i]!);
    }
    return { resolves, objects };
  }

  /** What the URI's subtree references when the answer is the one remembered; undefined otherwise. */
  recall(uris: UriInterner, uriId: number, answer: readonly ManagedObject[]): RememberedSubtree | undefined {
    if (this.disabled || uris !== this.uris) return undefined;
    const known = this.byUriId[uriId];
    return known !== undefined && sameObjects(known.answer, answer) ? known : undefined;
  }

  /**
   * Remembers what the walk found for a URI resolved for the first time by some agent: `subtree` is
   * what the walk saw, `answer` what was stored; `idOf` gives each target's held id.
   */
  remember(
    uris: UriInterner,
    uriId: number,
    answer: readonly ManagedObject[],
    subtree: readonly ManagedObject[],
    references: readonly Reference[] | undefined,
    idOf: (uri: string) => number,
  ): void {
    if (this.disabled) return;
    if (this.uris === undefined) this.uris = uris;
    // Another interner, or another answer for a URI remembered: nothing here can be trusted for it.
    if (uris !== this.uris || this.byUriId[uriId] !== undefined || !sameObjects(subtree, answer) || !linkedWithin(answer) || !this.register(uriId, answer)) {
      this.disabled = true;
      return;
    }
    const targetIds = this.heldIdsOf(references?.map((r) => r.reference_uri) ?? [], idOf);
    const objectIds = this.heldIdsOf(answer.map((mo) => mo.uri), idOf);
    if (targetIds === undefined || objectIds === undefined) {
      this.disabled = true;
      return;
    }
    let bytes = 0;
    for (const mo of answer) bytes += objectBytes(mo);
    this.byUriId[uriId] = { answer, references, targetIds, objectIds, bytes };
  }

  private heldIdsOf(uris: readonly string[], idOf: (uri: string) => number): Int32Array | undefined {
    const ids = new Int32Array(uris.length);
    for (let i = 0; i < ids.length; i++) {
      const id = idOf(uris[i]!);
      if (id < 0) return undefined;
      this.uris!.holdId(id);
      this.heldIds.push(id);
      ids[i] = id;
    }
    return ids;
  }

  /** Gives back every id the memo holds; it remembers nothing more. */
  dispose(): void {
    for (const id of this.heldIds) this.uris!.release(id);
    this.heldIds = [];
    this.byUriId.length = 0;
    this.ownerOf.clear();
    this.parentsOutside.clear();
    this.disabled = true;
  }

  /** Records the answer's objects as its own; false when they meet another answer's (the same object, or a parent). */
  private register(uriId: number, answer: readonly ManagedObject[]): boolean {
    if (answer.length === 0) return false;
    for (const mo of answer) {
      if (this.ownerOf.has(mo.uri) || this.parentsOutside.has(mo.uri)) return false;
      const parentOwner = mo.parent_uri ? this.ownerOf.get(mo.parent_uri) : undefined;
      if (parentOwner !== undefined && parentOwner !== uriId) return false;
    }
    for (const mo of answer) this.ownerOf.set(mo.uri, uriId);
    for (const mo of answer) if (mo.parent_uri && this.ownerOf.get(mo.parent_uri) !== uriId) this.parentsOutside.add(mo.parent_uri);
    return true;
  }
}

/**
 * Whether storing the answer object by object links nothing anew: each object after the first has its
 * parent earlier in the answer, listing it as a child, and the first has no parent in the answer.
 * (That the first's parent is in no other answer, register checks.)
 */
function linkedWithin(answer: readonly ManagedObject[]): boolean {
  const at = new Map<string, number>();
  for (let i = 0; i < answer.length; i++) {
    const mo = answer[i]!;
    if (at.has(mo.uri)) return false;
    if (i === 0) {
      if (mo.parent_uri !== undefined && answer.some((o) => o.uri === mo.parent_uri)) return false;
    } else {
      const parent = mo.parent_uri === undefined ? undefined : at.get(mo.parent_uri);
      if (parent === undefined || !answer[parent]!.children.includes(mo.uri)) return false;
    }
    at.set(mo.uri, i);
  }
  return true;
}

function sameObjects(a: readonly ManagedObject[], b: readonly ManagedObject[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
