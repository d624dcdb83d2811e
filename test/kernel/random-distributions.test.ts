/**
 * The distributions a RandomStream draws (latencies, jitter, refresh times, fault schedules) against
 * their exact math: for each, 100,000 draws from a fixed seed must have the exact mean and variance
 * within STANDARD_ERRORS_ALLOWED standard errors, stay within the Kolmogorov-Smirnov distance a
 * correct generator keeps at significance SIGNIFICANCE, and put their tail quantiles where the exact
 * CDF says. Clamped scenario distributions (`minMs`, `maxMs`) are checked as the censored
 * distributions they are: an atom at the clamp, the exact moments with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomStreams, type RandomStream } from '../../src/kernel/random.ts';
import type { Distribution } from '../../src/scenario/types.ts';
import {
  chiSquaredCritical,
  chiSquaredUniform,
  correlation,
  kolmogorovSmirnov,
  kolmogorovSmirnovCritical,
  normalCdf,
  normalPdf,
  normalUpperQuantile,
  sampleQuantile,
  SIGNIFICANCE,
  STANDARD_ERRORS_ALLOWED,
  standardErrorOfMean,
  standardErrorOfVariance,
  summarize,
} from '../support/statistics.ts';

const SAMPLES = 100_000;
const SEED = 20_261_130;
const TIMEOUT = { timeout: 30_000 };
/** Probabilities whose sample quantiles are checked: the body and the tails latencies care about. */
const QUANTILES_CHECKED = [0.01, 0.5, 0.9, 0.99, 0.999];

interface ExactDistribution {
  mean: number;
  variance: number;
  /** P(X <= x). */
  cdf(x: number): number;
  /** P(X < x); differs from cdf only at an atom. */
  cdfBefore?(x: number): number;
  /** Every draw lies in [min, max] ([min, max) when maxExcluded). */
  min: number;
  max: number;
  maxExcluded?: boolean;
}

function stream(name: string, seed = SEED): RandomStream {
  return new RandomStreams(seed).stream(name);
}

function draws(n: number, draw: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out;
}

function assertFollows(samples: Float64Array, exact: ExactDistribution): void {
  const s = summarize(samples);
  const z = STANDARD_ERRORS_ALLOWED;
  const meanError = standardErrorOfMean(exact.variance, s.n);
  assert.ok(Math.abs(s.mean - exact.mean) <= z * meanError, `mean ${s.mean} vs exact ${exact.mean} (allowed ${z} x ${meanError})`);
  const varianceError = standardErrorOfVariance(s);
  assert.ok(Math.abs(s.variance - exact.variance) <= z * varianceError, `variance ${s.variance} vs exact ${exact.variance} (allowed ${z} x ${varianceError})`);

  const cdfBefore = exact.cdfBefore ?? exact.cdf;
  const d = kolmogorovSmirnov(s.sorted, exact.cdf, cdfBefore);
  const critical = kolmogorovSmirnovCritical(s.n);
  assert.ok(d <= critical, `Kolmogorov-Smirnov distance ${d} above ${critical} (significance ${SIGNIFICANCE})`);

  for (const p of QUANTILES_CHECKED) {
    // The sample p-quantile q has P(X < q) <= p <= P(X <= q) up to binomial noise in the counts.
    const q = sampleQuantile(s.sorted, p);
    const tolerance = z * Math.sqrt((p * (1 - p)) / s.n);
    assert.ok(cdfBefore(q) - tolerance <= p && p <= exact.cdf(q) + tolerance, `the ${p} quantile ${q} sits at P(X<q)=${cdfBefore(q)}, P(X<=q)=${exact.cdf(q)}`);
  }

  const lowest = s.sorted[0]!;
  const highest = s.sorted[s.n - 1]!;
  assert.ok(lowest >= exact.min, `a draw ${lowest} below ${exact.min}`);
  assert.ok(exact.maxExcluded ? highest < exact.max : highest <= exact.max, `a draw ${highest} above ${exact.max}`);
}

function exactUniform(a: number, b: number): ExactDistribution {
  return {
    mean: (a + b) / 2,
    variance: (b - a) ** 2 / 12,
    cdf: (x) => Math.min(1, Math.max(0, (x - a) / (b - a))),
    min: a,
    max: b,
    maxExcluded: true,
  };
}

/** max(minMs, N(meanMs, sdMs^2)): a normal censored below, with an atom of mass Phi(a) at minMs. */
function exactClampedNormal({ meanMs: mu, sdMs: sigma, minMs: m }: Extract<Distribution, { kind: 'normal' }>): ExactDistribution {
  const a = (m - mu) / sigma;
  const below = normalCdf(a);
  const mean = m * below + mu * (1 - below) + sigma * normalPdf(a);
  const secondMoment = m * m * below + mu * mu * (1 - below) + 2 * mu * sigma * normalPdf(a) + sigma * sigma * (1 - below + a * normalPdf(a));
  return {
    mean,
    variance: secondMoment - mean * mean,
    cdf: (x) => (x < m ? 0 : normalCdf((x - mu) / sigma)),
    cdfBefore: (x) => (x <= m ? 0 : normalCdf((x - mu) / sigma)),
    min: m,
    max: Infinity,
  };
}

/** min(maxMs, medianMs * exp(sigma Z)): a lognormal censored above, with an atom at maxMs. */
function exactClampedLognormal({ medianMs: med, sigma, maxMs: top }: Extract<Distribution, { kind: 'lognormal' }>): ExactDistribution {
  const b = Math.log(top / med) / sigma;
  const above = 1 - normalCdf(b);
  const mean = med * Math.exp((sigma * sigma) / 2) * normalCdf(b - sigma) + top * above;
  const secondMoment = med * med * Math.exp(2 * sigma * sigma) * normalCdf(b - 2 * sigma) + top * top * above;
  const body = (x: number) => (x <= 0 ? 0 : normalCdf(Math.log(x / med) / sigma));
  return {
    mean,
    variance: secondMoment - mean * mean,
    cdf: (x) => (x >= top ? 1 : body(x)),
    cdfBefore: (x) => (x > top ? 1 : body(x)),
    min: 0,
    max: top,
  };
}

/** min(maxMs, Exp(mean meanMs)): an exponential censored above, with an atom of mass exp(-maxMs/meanMs) at maxMs. */
function exactClampedExponential({ meanMs: mu, maxMs: top }: Extract<Distribution, { kind: 'exponential' }>): ExactDistribution {
  const c = top / mu;
  const mean = mu * (1 - Math.exp(-c));
  const secondMoment = 2 * mu * mu * (1 - Math.exp(-c) * (1 + c));
  const body = (x: number) => (x <= 0 ? 0 : 1 - Math.exp(-x / mu));
  return {
    mean,
    variance: secondMoment - mean * mean,
    cdf: (x) => (x >= top ? 1 : body(x)),
    cdfBefore: (x) => (x > top ? 1 : body(x)),
    min: 0,
    max: top,
  };
}

describe('RandomStream primitives against their exact distributions', TIMEOUT, () => {
  it('next() is uniform on [0, 1): mean 1/2, variance 1/12', () => {
    const s = stream('next');
    assertFollows(draws(SAMPLES, () => s.next()), exactUniform(0, 1));
  });

  it('uniform(0.97, 1.01), the agent reconnect jitter, is uniform on its interval', () => {
    const s = stream('jitter');
    assertFollows(draws(SAMPLES, () => s.uniform(0.97, 1.01)), exactUniform(0.97, 1.01));
  });

  it('uniform(prr/3, prr/2), the declaration refresh time, is uniform on its interval', () => {
    const prrMs = 7_200_000;
    const s = stream('refresh');
    assertFollows(draws(SAMPLES, () => s.uniform(prrMs / 3, prrMs / 2)), exactUniform(prrMs / 3, prrMs / 2));
  });

  for (const n of [2, 6, 1000]) {
    it(`int(${n}) gives each of 0..${n - 1} equally often (chi-squared), mean (n-1)/2 and variance (n^2-1)/12`, () => {
      const s = stream(`int-${n}`);
      const samples = draws(SAMPLES, () => s.int(n));
      const counts = new Float64Array(n);
      for (const k of samples) {
        assert.ok(Number.isInteger(k) && k >= 0 && k < n, `int(${n}) drew ${k}`);
        counts[k]!++;
      }
      const chi = chiSquaredUniform(counts);
      const critical = n === 2 ? normalUpperQuantile(SIGNIFICANCE / 2) ** 2 : chiSquaredCritical(n - 1);
      assert.ok(chi <= critical, `chi-squared ${chi} above ${critical} for ${n - 1} degrees of freedom`);
      const summary = summarize(samples);
      const variance = (n * n - 1) / 12;
      assert.ok(Math.abs(summary.mean - (n - 1) / 2) <= STANDARD_ERRORS_ALLOWED * standardErrorOfMean(variance, SAMPLES), `mean ${summary.mean}`);
      assert.ok(Math.abs(summary.variance - variance) <= STANDARD_ERRORS_ALLOWED * standardErrorOfVariance(summary), `variance ${summary.variance}`);
    });
  }

  it('standardNormal() is N(0, 1), both halves of each Box-Muller pair', () => {
    const s = stream('normal');
    assertFollows(draws(SAMPLES, () => s.standardNormal()), { mean: 0, variance: 1, cdf: normalCdf, min: -Infinity, max: Infinity });
  });

  it('standardNormal() pairs are independent: the two halves and their squares are uncorrelated', () => {
    const s = stream('normal-pairs');
    const first = new Float64Array(SAMPLES);
    const second = new Float64Array(SAMPLES);
    for (let i = 0; i < SAMPLES; i++) {
      first[i] = s.standardNormal();
      second[i] = s.standardNormal();
    }
    // Under independence a sample correlation is about N(0, 1/n).
    const allowed = STANDARD_ERRORS_ALLOWED / Math.sqrt(SAMPLES);
    const r = correlation(first, second);
    assert.ok(Math.abs(r) <= allowed, `correlation ${r}`);
    const rSquares = correlation(first.map((x) => x * x), second.map((x) => x * x));
    assert.ok(Math.abs(rSquares) <= allowed, `correlation of squares ${rSquares}`);
  });
});

describe('scenario distributions (RandomStream.sample) against their exact, clamped distributions', TIMEOUT, () => {
  const cases: Array<{ dist: Distribution; exact: ExactDistribution; why: string }> = [
    { dist: { kind: 'uniform', minMs: 200, maxMs: 1200 }, exact: exactUniform(200, 1200), why: 'a latency range' },
    { dist: { kind: 'normal', meanMs: 100, sdMs: 15, minMs: 0 }, exact: exactClampedNormal({ kind: 'normal', meanMs: 100, sdMs: 15, minMs: 0 }), why: 'the clamp practically never reached' },
    { dist: { kind: 'normal', meanMs: 5, sdMs: 10, minMs: 0 }, exact: exactClampedNormal({ kind: 'normal', meanMs: 5, sdMs: 10, minMs: 0 }), why: 'about 31% of draws clamped to minMs' },
    { dist: { kind: 'lognormal', medianMs: 100, sigma: 0.5, maxMs: 10_000 }, exact: exactClampedLognormal({ kind: 'lognormal', medianMs: 100, sigma: 0.5, maxMs: 10_000 }), why: 'a long tail, clamp far out' },
    { dist: { kind: 'lognormal', medianMs: 100, sigma: 1, maxMs: 300 }, exact: exactClampedLognormal({ kind: 'lognormal', medianMs: 100, sigma: 1, maxMs: 300 }), why: 'about 14% of draws clamped to maxMs' },
    { dist: { kind: 'exponential', meanMs: 50, maxMs: 5_000 }, exact: exactClampedExponential({ kind: 'exponential', meanMs: 50, maxMs: 5_000 }), why: 'the clamp practically never reached' },
    { dist: { kind: 'exponential', meanMs: 100, maxMs: 150 }, exact: exactClampedExponential({ kind: 'exponential', meanMs: 100, maxMs: 150 }), why: 'about 22% of draws clamped to maxMs' },
  ];
  for (const { dist, exact, why } of cases) {
    it(`${JSON.stringify(dist)} (${why}): mean ${exact.mean.toFixed(3)}, variance ${exact.variance.toFixed(3)}`, () => {
      const s = stream(`sample-${dist.kind}`);
      assertFollows(draws(SAMPLES, () => s.sample(dist)), exact);
    });
  }

  it('fixed, and uniform with minMs = maxMs, always give their value', () => {
    const s = stream('fixed');
    for (let i = 0; i < 1000; i++) {
      assert.equal(s.sample({ kind: 'fixed', valueMs: 42 }), 42);
      assert.equal(s.sample({ kind: 'uniform', minMs: 7, maxMs: 7 }), 7);
    }
  });
});

/** Counts of (x, y) pairs in a cells x cells grid over [0, 1)^2, for a chi-squared test of independence and uniformity. */
function pairGrid(xs: Float64Array, ys: Float64Array, cells: number): Float64Array {
  const counts = new Float64Array(cells * cells);
  for (let i = 0; i < xs.length; i++) counts[Math.floor(xs[i]! * cells) * cells + Math.floor(ys[i]! * cells)]!++;
  return counts;
}

function assertIndependentUniforms(xs: Float64Array, ys: Float64Array, what: string): void {
  const r = correlation(xs, ys);
  const allowed = STANDARD_ERRORS_ALLOWED / Math.sqrt(xs.length);
  assert.ok(Math.abs(r) <= allowed, `${what}: correlation ${r} (allowed ${allowed})`);
  const cells = 10;
  const chi = chiSquaredUniform(pairGrid(xs, ys, cells));
  const critical = chiSquaredCritical(cells * cells - 1);
  assert.ok(chi <= critical, `${what}: chi-squared ${chi} of the pairs over a ${cells}x${cells} grid above ${critical}`);
}

describe('independence and reproducibility of streams', TIMEOUT, () => {
  it('two named streams of one seed are independent (paired draws uncorrelated, pairs uniform on the square)', () => {
    const streams = new RandomStreams(SEED);
    const a = streams.stream('leaf:leaf-101');
    const b = streams.stream('leaf:leaf-102');
    assertIndependentUniforms(draws(SAMPLES, () => a.next()), draws(SAMPLES, () => b.next()), 'leaf:leaf-101 vs leaf:leaf-102');
  });

  it('one stream name under adjacent root seeds, and under seeds that differ only above 32 bits, gives independent sequences', () => {
    for (const [x, y] of [[1, 2], [7, 2 ** 32 + 7]] as const) {
      const a = stream('agent:node-1', x);
      const b = stream('agent:node-1', y);
      assertIndependentUniforms(draws(SAMPLES, () => a.next()), draws(SAMPLES, () => b.next()), `seeds ${x} and ${y}`);
    }
  });

  it('successive draws of one stream are independent (lag-1 pairs)', () => {
    const s = stream('serial');
    const all = draws(2 * SAMPLES, () => s.next());
    const even = all.filter((_, i) => i % 2 === 0);
    const odd = all.filter((_, i) => i % 2 === 1);
    assertIndependentUniforms(even, odd, 'draw 2k vs draw 2k+1');
  });

  it('the same seed and name give the same sequence of every distribution, whatever other streams draw in between', () => {
    const dists: Distribution[] = [
      { kind: 'uniform', minMs: 1, maxMs: 9 },
      { kind: 'normal', meanMs: 5, sdMs: 10, minMs: 0 },
      { kind: 'lognormal', medianMs: 100, sigma: 1, maxMs: 300 },
      { kind: 'exponential', meanMs: 100, maxMs: 150 },
    ];
    const sequence = (streams: RandomStreams, interleave: boolean) => {
      const out: number[] = [];
      for (let i = 0; i < 1000; i++) {
        if (interleave) streams.stream(`other-${i % 3}`).sample(dists[i % dists.length]!);
        out.push(streams.stream('vmotion').sample(dists[i % dists.length]!), streams.stream('vmotion').int(1000));
      }
      return out;
    };
    const reference = sequence(new RandomStreams(SEED), false);
    assert.deepEqual(sequence(new RandomStreams(SEED), false), reference);
    assert.deepEqual(sequence(new RandomStreams(SEED), true), reference);
    assert.notDeepEqual(sequence(new RandomStreams(SEED + 1), false), reference);
  });
});
