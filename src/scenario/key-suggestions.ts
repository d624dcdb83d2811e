/**
 * "Did you mean": the known key closest to a mistyped one (same letters but for case, `_`, `-`,
 * spaces or a `Ms` suffix, or a few edits away), or the known keys that contain a fragment.
 */
function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, '').replace(/ms$/, '');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** `unknown key "x"` with the closest known key, or the list of known keys when none is close. */
export function unknownKeyMessage(key: string, known: string[]): string {
  const base = `unknown key ${JSON.stringify(key)}`;
  if (known.length === 0) return base;
  const exact = known.find((k) => normaliseKey(k) === normaliseKey(key));
  let best = exact;
  if (!best) {
    let bestDistance = Infinity;
    for (const k of known) {
      const limit = Math.max(2, Math.floor(k.length / 4));
      // The distance is at least the difference in length: skip what cannot be close (and long keys).
      if (Math.abs(k.length - key.length) > limit) continue;
      const d = editDistance(k.toLowerCase(), key.toLowerCase());
      if (d < bestDistance && d <= limit) {
        best = k;
        bestDistance = d;
      }
    }
  }
  if (best) return `${base} (did you mean "${best}"?)`;
  return `${base} (expected one of: ${known.join(', ')})`;
}

/** Known keys that contain `fragment` (any case), the first `max` of them. */
export function keysContaining(fragment: string, known: readonly string[], max = 5): string[] {
  const lower = fragment.toLowerCase();
  return known.filter((k) => k.toLowerCase().includes(lower)).slice(0, max);
}
