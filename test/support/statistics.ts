/**
 * Statistics for checking random distributions against their exact math: sample moments, the
 * Kolmogorov-Smirnov distance to an exact CDF (atoms allowed), the normal CDF, and the critical
 * values the checks use. Every bound is "a correct generator passes it with a random seed except
 * with a tiny probability", so a failure with the fixed seed of a test points at the generator.
 */

/** Standard errors a sample mean or variance may stray from the exact value (two-sided p < 1e-6). */
export const STANDARD_ERRORS_ALLOWED = 5;
/** Significance level of the Kolmogorov-Smirnov and chi-squared checks. */
export const SIGNIFICANCE = 1e-4;

/**
 * Complementary error function (Numerical Recipes' Chebyshev fit, relative error below 1.2e-7): far
 * finer than the sampling noise of 100,000 draws (about 3e-3 in a CDF).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

export interface SampleSummary {
  n: number;
  mean: number;
  /** Unbiased sample variance. */
  variance: number;
  /** Fourth central moment of the sample (for the standard error of the variance). */
  fourthCentralMoment: number;
  /** The samples in ascending order. */
  sorted: Float64Array;
}

export function summarize(samples: Float64Array): SampleSummary {
  const n = samples.length;
  let sum = 0;
  for (const x of samples) sum += x;
  const mean = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (const x of samples) {
    const d2 = (x - mean) * (x - mean);
    m2 += d2;
    m4 += d2 * d2;
  }
  return { n, mean, variance: m2 / (n - 1), fourthCentralMoment: m4 / n, sorted: Float64Array.from(samples).sort() };
}

/** Standard error of the mean of n draws from a distribution with this exact variance. */
export function standardErrorOfMean(variance: number, n: number): number {
  return Math.sqrt(variance / n);
}

/** Standard error of the sample variance, from the sample's fourth central moment: sqrt((m4 - s^4) / n). */
export function standardErrorOfVariance(summary: SampleSummary): number {
  return Math.sqrt(Math.max(0, summary.fourthCentralMoment - summary.variance * summary.variance) / summary.n);
}

/**
 * sup |F_n(x) - F(x)| over x, for sorted samples. `cdfBefore(x)` is P(X < x), which differs from
 * `cdf(x)` = P(X <= x) only where the distribution has an atom (a clamp such as `minMs`).
 */
export function kolmogorovSmirnov(sorted: Float64Array, cdf: (x: number) => number, cdfBefore: (x: number) => number = cdf): number {
  const n = sorted.length;
  let d = 0;
  let i = 0;
  while (i < n) {
    const x = sorted[i]!;
    let j = i;
    while (j < n && sorted[j] === x) j++;
    d = Math.max(d, Math.abs(j / n - cdf(x)), Math.abs(i / n - cdfBefore(x)));
    i = j;
  }
  return d;
}

/** The Kolmogorov-Smirnov distance n samples stay below with probability 1 - alpha (asymptotic form). */
export function kolmogorovSmirnovCritical(n: number, alpha = SIGNIFICANCE): number {
  return Math.sqrt(-0.5 * Math.log(alpha / 2)) / Math.sqrt(n);
}

/** The upper standard normal quantile z with P(Z > z) = p, by bisection on normalCdf. */
export function normalUpperQuantile(p: number): number {
  let lo = -40;
  let hi = 40;
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (1 - normalCdf(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Chi-squared critical value for `dof` degrees of freedom at `alpha` (Wilson-Hilferty, good to <1% from 5 dof on). */
export function chiSquaredCritical(dof: number, alpha = SIGNIFICANCE): number {
  const z = normalUpperQuantile(alpha);
  const a = 2 / (9 * dof);
  return dof * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** Pearson's chi-squared statistic of observed counts against equal expected counts. */
export function chiSquaredUniform(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const expected = total / counts.length;
  let chi = 0;
  for (let i = 0; i < counts.length; i++) chi += (counts[i]! - expected) ** 2 / expected;
  return chi;
}

/** Pearson correlation of two equally long samples. */
export function correlation(xs: Float64Array, ys: Float64Array): number {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The sample p-quantile (the order statistic at rank ceil(p n)). */
export function sampleQuantile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
