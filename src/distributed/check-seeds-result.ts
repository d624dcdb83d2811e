/**
 * A check-seeds job's result as the submitter reads it from Redis, where anything that can write to
 * the Redis can have posted it: checked against the outcome schema, bounded, and holding exactly one
 * outcome for each seed of its job, or refused with one TypeError line.
 */
import { z } from 'zod';
import { KNOWN_HAZARDS } from '../check/hazards.ts';
import { INVARIANTS, violationsPerRunMax } from '../check/invariants.ts';
import type { SeedOutcome } from '../check/seed-outcome.ts';
import { FAULT_KIND_NAMES } from '../scenario/fault-schema.ts';
import type { CheckSeedsResult } from './check-seeds.ts';
import { oneLine, seedsPerJobMax, type CheckSeedsJob } from './sweep-jobs.ts';

/** Characters in a violation's subject or detail, or a hazard's node, in a posted outcome. */
export const outcomeTextCharsMax = 16_384;

const text = z.string().max(outcomeTextCharsMax);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const invariantName = z.enum(INVARIANTS.map((i) => i.name));
const violationSchema = z.strictObject({
  invariant: invariantName,
  tMs: z.number().min(0).max(Number.MAX_VALUE),
  subject: text,
  detail: text,
});

const seedOutcomeSchema = z.strictObject({
  seed: count,
  faults: count,
  faultsInjected: z.partialRecord(z.enum(FAULT_KIND_NAMES), count),
  settled: z.boolean(),
  violations: z.array(violationSchema).max(violationsPerRunMax),
  // Each hazard explains at least one of the run's kept violations, so there are no more of them.
  hazards: z.array(z.strictObject({
    hazard: z.enum(KNOWN_HAZARDS.map((h) => h.name)),
    node: text,
    invariants: z.array(invariantName).max(INVARIANTS.length),
    first: violationSchema,
  })).max(violationsPerRunMax),
  events: count,
});

const checkSeedsResultSchema = z.strictObject({ outcomes: z.array(seedOutcomeSchema).max(seedsPerJobMax) });

/** The job's outcomes in seed order, or a one-line TypeError. */
export function parseCheckSeedsResult(value: unknown, job: CheckSeedsJob): SeedOutcome[] {
  oneLine('Result', checkSeedsResultSchema.safeParse(value));
  // The posted objects themselves rather than zod's copies: their key order is the worker's, as a
  // local run's, and it shows in what the check prints (faults by kind, the HTML page's data).
  const { outcomes } = value as CheckSeedsResult;
  const last = job.firstSeed + job.seeds - 1;
  const wrong = outcomes.findIndex((o, i) => o.seed !== job.firstSeed + i);
  if (outcomes.length !== job.seeds || wrong !== -1) {
    throw new TypeError(`Result: one outcome per seed ${job.firstSeed}..${last} expected, got ${outcomes.length} outcomes${wrong !== -1 ? `, seed ${outcomes[wrong]!.seed} at position ${wrong + 1}` : ''}`);
  }
  return outcomes;
}
