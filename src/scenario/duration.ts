/**
 * Durations and latency distributions as scenario files write them, normalised to milliseconds.
 *
 * A duration is a number of milliseconds (`250`) or a string with a unit (`"250ms"`, `"1.5s"`,
 * `"5m"`, `"2h"`). A distribution is a duration (fixed), a range string `"A..B"` (uniform), or one of
 * `{uniform: [A, B]}`, `{normal: {mean, sd, min?}}`, `{lognormal: {median, sigma, max?}}`,
 * `{exponential: {mean, max?}}`. Nothing is negative, and every lower bound is at most its upper bound.
 *
 * Parse errors are `TypeError` (wrong shape) or `RangeError` (bad value) with a sentence that names
 * the offending input; the scenario loader turns them into line-precise scenario issues.
 */
import { describeValue as describe } from './scenario-error.ts';
import type { Distribution } from './types.ts';
import { isRecord } from '../json-fields.ts';

/** Milliseconds per unit. */
const DURATION_UNITS_MS: Readonly<Record<string, number>> = Object.freeze({ ms: 1, s: 1_000, m: 60_000, h: 3_600_000 });

/** The longest duration a scenario may write anywhere (7 days): past it a value is a typo or a unit mix-up. */
export const durationMsMax = 7 * 24 * 3_600_000;

/** The widest lognormal shape accepted: past it samples overflow to Infinity (and 0 x Infinity is NaN). */
export const lognormalSigmaMax = 10;

/** JSON Schema / regex pattern of a duration string, e.g. "250ms", "1.5s", "5m", "2h". */
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*(ms|s|m|h)\\s*$';

const NUM = '\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*';
const UNIT = '(ms|s|m|h)';

/**
 * Pattern of the string form of a distribution: a duration, or a uniform range "A..B" whose ends are
 * durations (one end may omit its unit and takes the other's: "10..200ms").
 */
export const DISTRIBUTION_STRING_PATTERN =
  `^(${NUM}${UNIT}|${NUM}${UNIT}\\s*\\.\\.${NUM}${UNIT}?|${NUM}${UNIT}?\\s*\\.\\.${NUM}${UNIT})\\s*$`;

const UNIT_LIST = 'ms, s, m or h';
const EXAMPLES = '"250ms", "1.5s", "5m" or "2h"';
const NUMBER_WITH_UNIT = /^([+-]?)(\d+(?:\.\d+)?|\.\d+)\s*([A-Za-z]*)$/;

/** Rounds away binary noise (1.1 s = 1100.0000000000002 ms) at nanosecond precision. */
function clean(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}

/** Parses a duration: a number of milliseconds, or a string such as "250ms", "1.5s", "5m", "2h". */
export function parseDuration(input: unknown): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new RangeError(`duration must be a finite number of milliseconds, got ${String(input)}`);
    if (input < 0) throw new RangeError(`duration must not be negative, got ${input}`);
    return checkedMax(input, String(input));
  }
  if (typeof input !== 'string') {
    throw new TypeError(`expected a duration (milliseconds as a number, or a string such as ${EXAMPLES}), got ${describe(input)}`);
  }
  const text = input.trim();
  if (text === '') throw new RangeError('duration is empty: write a number of milliseconds or a string such as "250ms"');
  const m = NUMBER_WITH_UNIT.exec(text);
  if (!m) throw new RangeError(`invalid duration ${JSON.stringify(shorten(input))}: expected a number with a unit, such as ${EXAMPLES}`);
  // Every group takes part in a match (possibly empty), so the defaults never apply.
  const [, sign = '', digits = '', unit = ''] = m;
  if (sign === '-') throw new RangeError(`duration must not be negative, got ${JSON.stringify(shorten(input))}`);
  if (unit === '') throw new RangeError(`duration ${JSON.stringify(shorten(input))} has no unit: use ${UNIT_LIST} (e.g. "${shorten(digits)}ms")`);
  const factor = Object.hasOwn(DURATION_UNITS_MS, unit) ? DURATION_UNITS_MS[unit] : undefined;
  if (factor === undefined) throw new RangeError(`unknown unit ${JSON.stringify(shorten(unit))} in duration ${JSON.stringify(shorten(input))}: use ${UNIT_LIST}`);
  const value = Number(digits);
  if (!Number.isFinite(value)) throw new RangeError(`invalid duration ${JSON.stringify(shorten(input))}: the number is out of range`);
  return checkedMax(clean(value * factor), JSON.stringify(shorten(input)));
}

function checkedMax(ms: number, written: string): number {
  if (ms > durationMsMax) throw new RangeError(`duration ${written} is longer than the longest accepted, ${formatDuration(durationMsMax)} (7 days)`);
  return ms;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A short human form of a millisecond count: 630000 -> "630s", 1250 -> "1.25s", 90 -> "90ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms === 0) return '0ms';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms >= 600_000) return `${ms / 60_000}m`;
  if (ms >= 1_000) return `${clean(ms / 1_000)}s`;
  return `${clean(ms)}ms`;
}

function checkMs(name: string, ms: number): void {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) throw new RangeError(`${name} must be a duration >= 0 ms, got ${describe(ms)}`);
}

function checkOrder(lowMs: number, highMs: number, lowName: string, highName: string): void {
  if (lowMs > highMs) {
    throw new RangeError(`${lowName} (${formatDuration(lowMs)}) must not be greater than ${highName} (${formatDuration(highMs)})`);
  }
}

/** Builds a checked uniform distribution. */
export function uniformDistribution(minMs: number, maxMs: number): Distribution {
  checkMs('the lower bound', minMs);
  checkMs('the upper bound', maxMs);
  checkOrder(minMs, maxMs, 'the lower bound', 'the upper bound');
  return { kind: 'uniform', minMs, maxMs };
}

/** Builds a checked normal distribution; samples below `minMs` (default 0) are clamped to it. */
export function normalDistribution(meanMs: number, sdMs: number, minMs = 0): Distribution {
  checkMs('mean', meanMs);
  checkMs('sd', sdMs);
  checkMs('min', minMs);
  return { kind: 'normal', meanMs, sdMs, minMs };
}

/** Builds a checked lognormal distribution; samples above `maxMs` (default: no cap) are clamped. */
/** `sigma` is checked here (a file may give anything), so it is taken as it comes. */
export function lognormalDistribution(medianMs: number, sigma: unknown, maxMs = Number.POSITIVE_INFINITY): Distribution {
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || sigma < 0 || sigma > lognormalSigmaMax) {
    throw new RangeError(`sigma must be a finite number >= 0 and at most ${lognormalSigmaMax} (it has no unit), got ${describe(sigma)}`);
  }
  checkMs('median', medianMs);
  checkMs('max', maxMs);
  checkOrder(medianMs, maxMs, 'median', 'max');
  return { kind: 'lognormal', medianMs, sigma, maxMs };
}

/** Builds a checked exponential distribution; samples above `maxMs` (default: no cap) are clamped. */
export function exponentialDistribution(meanMs: number, maxMs = Number.POSITIVE_INFINITY): Distribution {
  checkMs('mean', meanMs);
  checkMs('max', maxMs);
  checkOrder(meanMs, maxMs, 'mean', 'max');
  return { kind: 'exponential', meanMs, maxMs };
}

/**
 * Parses the string or number form of a distribution: a duration (fixed) or "A..B" (uniform between
 * two durations; an end without a unit takes the other end's unit, so "10..200ms" is 10 ms..200 ms).
 */
export function parseDistributionString(input: string | number): Distribution {
  if (typeof input === 'number') return { kind: 'fixed', valueMs: parseDuration(input) };
  const at = input.indexOf('..');
  if (at < 0) return { kind: 'fixed', valueMs: parseDuration(input) };
  const lowText = input.slice(0, at).trim();
  const highText = input.slice(at + 2).trim();
  if (lowText === '' || highText === '') {
    throw new RangeError(`invalid range ${JSON.stringify(shorten(input))}: write "A..B" with two durations, such as "10ms..200ms"`);
  }
  const unitOf = (text: string): string => NUMBER_WITH_UNIT.exec(text)?.[3] ?? '';
  const lowUnit = unitOf(lowText);
  const highUnit = unitOf(highText);
  if (lowUnit === '' && highUnit === '') {
    throw new RangeError(`range ${JSON.stringify(shorten(input))} has no unit: use ${UNIT_LIST} (e.g. "${shorten(lowText)}ms..${shorten(highText)}ms")`);
  }
  const lowMs = parseDuration(lowUnit === '' ? lowText + highUnit : lowText);
  const highMs = parseDuration(highUnit === '' ? highText + lowUnit : highText);
  if (lowMs > highMs) {
    throw new RangeError(`invalid range ${JSON.stringify(shorten(input))}: the lower bound must not be greater than the upper bound`);
  }
  return uniformDistribution(lowMs, highMs);
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new TypeError(`unknown key ${JSON.stringify(key)} in ${where} (expected ${allowed.join(', ')})`);
  }
}

function required(obj: Record<string, unknown>, key: string, where: string): unknown {
  if (obj[key] === undefined || obj[key] === null) throw new TypeError(`${where} needs ${JSON.stringify(key)}`);
  return obj[key];
}

/**
 * Parses any accepted distribution form (a duration, "A..B", or one of the tagged mappings).
 * The scenario schema validates the mapping forms itself so that errors carry their exact path;
 * this function is the same grammar for callers without a schema (command-line flags, tests).
 */
export function parseDistribution(input: unknown): Distribution {
  if (typeof input === 'number' || typeof input === 'string') return parseDistributionString(input);
  const forms = 'a duration, "A..B", {uniform: [A, B]}, {normal: {mean, sd, min?}}, {lognormal: {median, sigma, max?}} or {exponential: {mean, max?}}';
  if (!isRecord(input)) throw new TypeError(`expected a distribution (${forms}), got ${describe(input)}`);
  const keys = Object.keys(input);
  if (keys.length !== 1) throw new TypeError(`expected exactly one of uniform, normal, lognormal, exponential, got ${keys.length === 0 ? 'none' : keys.join(', ')}`);
  const kind = keys[0]!;
  const body = input[kind];
  switch (kind) {
    case 'uniform': {
      if (!Array.isArray(body) || body.length !== 2) throw new TypeError(`uniform needs a list of two durations [A, B], got ${describe(body)}`);
      return uniformDistribution(parseDuration(body[0]), parseDuration(body[1]));
    }
    case 'normal': {
      if (!isRecord(body)) throw new TypeError(`normal needs {mean, sd, min?}, got ${describe(body)}`);
      onlyKeys(body, ['mean', 'sd', 'min'], 'normal');
      const min = body['min'] === undefined ? undefined : parseDuration(body['min']);
      return normalDistribution(parseDuration(required(body, 'mean', 'normal')), parseDuration(required(body, 'sd', 'normal')), min);
    }
    case 'lognormal': {
      if (!isRecord(body)) throw new TypeError(`lognormal needs {median, sigma, max?}, got ${describe(body)}`);
      onlyKeys(body, ['median', 'sigma', 'max'], 'lognormal');
      const max = body['max'] === undefined ? undefined : parseDuration(body['max']);
      return lognormalDistribution(parseDuration(required(body, 'median', 'lognormal')), required(body, 'sigma', 'lognormal'), max);
    }
    case 'exponential': {
      if (!isRecord(body)) throw new TypeError(`exponential needs {mean, max?}, got ${describe(body)}`);
      onlyKeys(body, ['mean', 'max'], 'exponential');
      const max = body['max'] === undefined ? undefined : parseDuration(body['max']);
      return exponentialDistribution(parseDuration(required(body, 'mean', 'exponential')), max);
    }
    default:
      throw new TypeError(`unknown distribution ${JSON.stringify(kind)}: expected one of uniform, normal, lognormal, exponential`);
  }
}
