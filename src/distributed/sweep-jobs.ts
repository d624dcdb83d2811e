/** The jobs of a sweep on the queue: their names, what they carry, and how BullMQ keeps them. */
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';
import type { ComparedMigration, VariantResult } from '../report/comparison.ts';
import type { CompareCell } from './compare-cell.ts';
import type { CellFigures } from '../report/sweep-summary.ts';
import { seedsPerChunkMax, type SeedRange } from '../sweep/sweep-chunks.ts';
import type { ScheduleOptions } from '../check/schedule-generator.ts';
import { FAULT_KIND_NAMES } from '../scenario/fault-schema.ts';

export const queueName = 'opflex-twin-sweeps';

/** How long finished jobs (results and failures) stay in Redis, so a submitter can collect them late. */
export const finishedJobTtlSeconds = 24 * 3600;

export interface CompareCellJob {
  kind: 'compare-cell';
  /** The scenario's content hash (scenario-store.ts). */
  scenario: string;
  cell: CompareCell;
}

/** A sweep's unit: one variant of one scenario over a range of seeds (src/sweep/sweep-chunks.ts). */
export interface SweepCellsJob {
  kind: 'sweep-cells';
  /** The scenario's content hash (scenario-store.ts). */
  scenario: string;
  range: SeedRange;
}

/** A range of a check's seeds, each run as the local check runs it (src/check/seed-outcome.ts). */
export interface CheckSeedsJob {
  kind: 'check-seeds';
  /** The scenario's content hash (scenario-store.ts). */
  scenario: string;
  schedule: ScheduleOptions;
  firstSeed: number;
  seeds: number;
}

export type SweepJob = CompareCellJob | SweepCellsJob | CheckSeedsJob;

/** Job ids are `<sweep id>.<index>` (BullMQ reserves ":"): the submitter merges results in index order. */
export function jobId(sweepId: string, index: number): string {
  return `${sweepId}.${index}`;
}

export const sweepJobOptions: JobsOptions = {
  // A simulation is deterministic: a job that throws throws again, so it is not retried. A worker that
  // dies mid-job is another matter: BullMQ's stalled-job check hands its job to another worker.
  attempts: 1,
  removeOnComplete: { age: finishedJobTtlSeconds },
  removeOnFail: { age: finishedJobTtlSeconds },
};

/** Overrides one job may carry: the --acc-provision settings and a variant's keys. */
export const overridesPerJobMax = 256;
/** Keys in one override's YAML path (`controller.node` is 2). */
export const overridePathKeysMax = 8;
/** Characters in a job's label, a vary key or value, a path key or a text value. */
export const jobTextCharsMax = 4_096;

const text = z.string().max(jobTextCharsMax);
const scenarioHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex');
const valuesSchema = z.record(text, text).refine((v) => Object.keys(v).length <= overridesPerJobMax, `at most ${overridesPerJobMax} values`);
const overridesSchema = z.array(z.strictObject({
  path: z.array(text).min(1).max(overridePathKeysMax),
  // What a --vary or --acc-provision value parses to: a YAML scalar.
  value: z.union([text, z.number(), z.boolean(), z.null()]),
})).max(overridesPerJobMax);
const compareCellJobSchema = z.strictObject({
  kind: z.literal('compare-cell'),
  scenario: scenarioHashSchema,
  cell: z.strictObject({
    label: text,
    values: valuesSchema,
    overrides: overridesSchema,
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    maxEvents: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  }),
});

/** Seeds one check-seeds job may carry (the submitter's split rule is in queued-check.ts). */
export const seedsPerJobMax = 1_000;
/** Fault kinds in one job's schedule (`--faults` may name a kind more than once: it is then drawn more often). */
export const scheduleKindsMax = 256;

const checkSeedsJobSchema = z.strictObject({
  kind: z.literal('check-seeds'),
  scenario: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex'),
  schedule: z.strictObject({
    kinds: z.array(z.enum(FAULT_KIND_NAMES)).max(scheduleKindsMax),
    swarm: z.boolean(),
  }),
  firstSeed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  seeds: z.number().int().min(1).max(seedsPerJobMax),
}).refine((job) => job.firstSeed <= Number.MAX_SAFE_INTEGER - (job.seeds - 1), { message: 'the last seed is past 2^53 - 1', path: ['seeds'] });

/** Job data as read from Redis (anything that can write to the Redis can put a job there): checked, or a one-line TypeError. */
export function parseSweepJob(data: unknown): SweepJob {
  if (jobKind(data) === 'sweep-cells') return parseSweepCellsJob(data);
  if (jobKind(data) === 'check-seeds') return oneLine('Job data', checkSeedsJobSchema.safeParse(data));
  const job = oneLine('Job data', compareCellJobSchema.safeParse(data));
  const { maxEvents, ...cell } = job.cell;
  return { kind: job.kind, scenario: job.scenario, cell: { ...cell, ...(maxEvents !== undefined ? { maxEvents } : {}) } };
}

function jobKind(data: unknown): unknown {
  return typeof data === 'object' && data !== null ? (data as { kind?: unknown }).kind : undefined;
}

const sweepCellsJobSchema = z.strictObject({
  kind: z.literal('sweep-cells'),
  scenario: scenarioHashSchema,
  range: z.strictObject({
    label: text,
    values: valuesSchema,
    overrides: overridesSchema,
    firstSeed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER - seedsPerChunkMax),
    seeds: z.number().int().min(1).max(seedsPerChunkMax),
    maxEvents: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  }),
});

function parseSweepCellsJob(data: unknown): SweepCellsJob {
  const job = oneLine('Job data', sweepCellsJobSchema.safeParse(data));
  const { maxEvents, ...range } = job.range;
  return { kind: job.kind, scenario: job.scenario, range: { ...range, ...(maxEvents !== undefined ? { maxEvents } : {}) } };
}

/** A zod result's data, or a TypeError naming `what` and the first issue's path in one line. */
export function oneLine<T>(what: string, parsed: z.ZodSafeParseResult<T>): T {
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new TypeError(`${what}${issue.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue.message}`.replace(/\s+/g, ' '));
}

/** Migrations in one result (a result is one variant's plan). */
export const migrationsPerResultMax = 100_000;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ms = z.number().min(0).max(Number.MAX_VALUE);
const comparedMigrationSchema = z.strictObject({
  index: count,
  node: text,
  crossLeafPair: z.boolean(),
  crossPod: z.boolean(),
  converged: z.boolean(),
  switchoverToConvergedMs: ms.nullable(),
  outageMs: ms,
  stillDown: z.boolean(),
  resets: z.array(text).max(migrationsPerResultMax),
  resetsSuppressed: count,
  downloaded: count,
}) satisfies z.ZodType<ComparedMigration>;

const variantResultSchema = z.strictObject({
  label: text,
  values: z.record(text, text),
  migrations: z.array(comparedMigrationSchema).max(migrationsPerResultMax),
});

/** A result as a worker posted it: checked before the submitter prints it, or a one-line TypeError. */
export function parseVariantResult(data: unknown): VariantResult {
  return oneLine('Result', variantResultSchema.safeParse(data));
}

const cellFiguresSchema = z.strictObject({
  seed: count,
  moves: count,
  converged: count,
  outageMs: z.array(ms).max(migrationsPerResultMax),
  downloaded: count,
  resets: count,
}) satisfies z.ZodType<CellFigures>;

/** A sweep-cells job's result: one figure per seed of its range, in seed order, or a one-line TypeError. */
export function parseSweepCellsResult(data: unknown, job: SweepCellsJob): CellFigures[] {
  const figures = oneLine('Result', z.array(cellFiguresSchema).max(seedsPerChunkMax).safeParse(data));
  const { firstSeed, seeds } = job.range;
  if (figures.length !== seeds || figures.some((f, i) => f.seed !== firstSeed + i)) {
    throw new TypeError(`Result: expected the figures of seeds ${firstSeed}..${firstSeed + seeds - 1}, got ${figures.length ? `seeds ${figures.map((f) => f.seed).join(', ')}` : 'none'}`);
  }
  if (figures.some((f) => f.converged > f.moves || f.outageMs.length !== f.moves)) throw new TypeError('Result: a seed counts more converged moves or outages than moves');
  return figures;
}
