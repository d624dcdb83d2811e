/**
 * Shared settings for the seeded fuzz suites (test/fuzz): every run of CI draws the same inputs, and a
 * longer exploration is the same suite with more runs (`npm run fuzz`, or FUZZ_SCALE / FUZZ_SEED set by
 * hand). A failure prints fast-check's seed and path, which replays it exactly.
 */
import fc from 'fast-check';

const DEFAULT_SEED = 20_261_130;

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

/** fast-check parameters: a fixed seed and `runs` scaled by FUZZ_SCALE (1 in CI). */
export function fuzzParameters(runs: number): { seed: number; numRuns: number; endOnFailure: true } {
  return { seed: envNumber('FUZZ_SEED', DEFAULT_SEED), numRuns: Math.max(1, Math.round(runs * envNumber('FUZZ_SCALE', 1))), endOnFailure: true };
}

/** A fuzz test's timeout: what `msAtScale1` allows at FUZZ_SCALE=1, scaled as its runs are. */
export function fuzzTimeoutMs(msAtScale1: number): number {
  return Math.round(msAtScale1 * Math.max(1, envNumber('FUZZ_SCALE', 1)));
}

/** Text a hostile peer might send where a name or URI is expected: control characters, escapes, long runs. */
export function hostileString(maxLength = 64): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.constantFrom('', '/', '//', '\u0000', '\u001b[31mred\u001b[0m', 'a\nforged log line', '%2F', '../..', '\ud800', 'x'.repeat(maxLength)),
  );
}

/** Any JSON value, nested a little, with the numbers that break naive code (huge, negative, fractional, past 2^53). */
export function hostileJson(maxDepth = 4): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    hostileString(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -1, 1e300, -1e300, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 0.5),
    fc.boolean(),
    fc.constant(null),
  );
  return fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', maxDepth }, leaf, fc.array(tie('value'), { maxLength: 5 }), fc.dictionary(hostileString(12), tie('value'), { maxKeys: 5 })),
  })).value;
}
