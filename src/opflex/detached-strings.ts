/**
 * Strings cut from a large frame's text can keep the whole frame alive: V8 represents a substring
 * of 13 or more characters as a slice that points into its parent. A leaf keeps a few strings of a
 * frame (an id, a declared URI) for long after the frame; from a 16 MiB frame that would be 16 MiB
 * per kept string. Values decoded from frames above `detachAboveChars` are therefore copied into
 * strings of their own (below it, what a slice can keep alive is small).
 */

/** Frames longer than this (UTF-16 units) get their strings copied. */
export const detachAboveChars = 4096;

/** V8 makes slices only of this length and above. */
const SLICE_MIN_CHARS = 13;

/** A string with its own storage, equal to `text`. */
export function detachedString(text: string): string {
  // JSON.parse builds new sequential strings; a quoted string round-trips exactly.
  return text.length < SLICE_MIN_CHARS ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/**
 * Replaces, in place, every string value in a decoded JSON value by a detached copy. Keys need no
 * copy: V8 keeps property names as internalized strings of their own.
 */
export function detachStrings<T>(value: T): T {
  if (typeof value === 'string') return detachedString(value) as T;
  // An explicit stack: a frame may nest as deep as its parser allowed.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    for (const key of Array.isArray(node) ? node.keys() : Object.keys(record)) {
      const member = record[key as string];
      if (typeof member === 'string') record[key as string] = detachedString(member);
      else if (typeof member === 'object' && member !== null) stack.push(member);
    }
  }
  return value;
}
