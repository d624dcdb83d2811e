/**
 * Copies the first `count` elements of one typed array into another. `target.set(source.subarray(...))`
 * is the obvious way, but `subarray` makes a view that needs the source's ArrayBuffer, and a small typed
 * array (64 bytes or less) keeps its elements on the JS heap with no ArrayBuffer until one is asked
 * for: V8 then allocates it outside the heap, about 10 us at a fabric's heap size. A table that starts
 * small and is resized at once (a steady start reserves 45,000 of them at XL) paid that each time, for
 * nothing when it held no entries yet.
 */
type NumberArray = Int32Array | Uint32Array | Uint8Array | Float64Array;

/** Below this many elements a loop copies (no view made). */
const loopCopyMax = 64;

export function copyElements<T extends NumberArray>(target: T, source: T, count: number): void {
  if (count <= loopCopyMax) {
    for (let i = 0; i < count; i++) target[i] = source[i]!;
  } else {
    target.set(source.subarray(0, count) as never);
  }
}
