/**
 * Typed arrays cut from shared ArrayBuffers, for a burst of small tables made at once that live about
 * as long as each other: a steady start sizes an agent's resolve table and store, and its sessions'
 * subscription tables, six arrays per node, 120,000 at XL. Each `new Int32Array(n)` is an ArrayBuffer
 * of its own, allocated outside the JS heap and reported to the garbage collector; at a fabric's heap
 * size that cost about 10 us an array. A view into a chunk costs a small object.
 *
 * A chunk is freed when no view into it is left, so a table that later outgrows its view leaves that
 * room unused until the chunk's other tables go too: fit for tables sized once to what they hold.
 */

/** Bytes per chunk; an array of more than a quarter of it gets a buffer of its own. */
const CHUNK_BYTES = 1 << 20;

export class TypedArraySlab {
  private chunk: ArrayBuffer | undefined;
  private used = 0;

  int32(length: number): Int32Array {
    const [buffer, offset] = this.cut(4 * length);
    return new Int32Array(buffer, offset, length);
  }

  float64(length: number): Float64Array {
    const [buffer, offset] = this.cut(8 * length);
    return new Float64Array(buffer, offset, length);
  }

  /** Room for `bytes` (zeroed, 8-byte aligned): a chunk and where in it. */
  private cut(bytes: number): [ArrayBuffer, number] {
    if (bytes > CHUNK_BYTES / 4) return [new ArrayBuffer(bytes), 0];
    if (this.chunk === undefined || this.used + bytes > CHUNK_BYTES) {
      this.chunk = new ArrayBuffer(CHUNK_BYTES);
      this.used = 0;
    }
    const offset = this.used;
    this.used += (bytes + 7) & ~7;
    return [this.chunk, offset];
  }
}
