/**
 * How a sweep's runs are cut into units of work (a local thread's task, a queue job): one variant of
 * one scenario over a range of seeds, parsed once for all of them. Small scenarios go several seeds to
 * a unit, so the queue's cost per job (about 16 ms on loopback Redis) stays a few percent of the work;
 * big ones go one seed to a unit, so a unit stays well within a worker's job lock and spreads over the
 * workers. The figures of a run do not depend on the cut.
 */
import type { PlannedVariant } from './sweep-definition.ts';

/**
 * Endpoint-runs (nodes plus pods of the scenario, times the seeds) one unit aims at: the default
 * scenario (17 endpoints, ~130 ms a run here) goes `seedsPerChunkMax` seeds a unit (~1 s),
 * preset S (1,344 endpoints, ~0.3-0.5 s a run) two, M and bigger one.
 */
export const chunkEndpointRunsTarget = 4_000;
/** Seeds in one unit at most, so a sweep of few variants still spreads over several workers. */
export const seedsPerChunkMax = 8;

export function seedsPerChunk(endpoints: number): number {
  return Math.max(1, Math.min(seedsPerChunkMax, Math.floor(chunkEndpointRunsTarget / Math.max(1, endpoints))));
}

export interface SweepChunk {
  scenario: number;
  variant: number;
  firstSeed: number;
  seeds: number;
}

/** Scenario by scenario, variant by variant, seeds ascending: the order the report reads them in. */
export function sweepChunks(scenarioEndpoints: readonly number[], variants: number, firstSeed: number, seeds: number): SweepChunk[] {
  const chunks: SweepChunk[] = [];
  scenarioEndpoints.forEach((endpoints, scenario) => {
    const size = seedsPerChunk(endpoints);
    for (let variant = 0; variant < variants; variant++) {
      for (let done = 0; done < seeds; done += size) chunks.push({ scenario, variant, firstSeed: firstSeed + done, seeds: Math.min(size, seeds - done) });
    }
  });
  return chunks;
}

/** What a unit runs: the variant's overrides at each seed of its range. */
export interface SeedRange {
  label: string;
  values: Record<string, string>;
  overrides: PlannedVariant['overrides'];
  firstSeed: number;
  seeds: number;
  maxEvents?: number;
}
