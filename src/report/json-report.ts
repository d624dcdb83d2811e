/**
 * The `simulate --json` document. Times are rounded to the microsecond so the text is stable and
 * readable; everything but `stats.wallMs`, `stats.startWallMs` and `stats.peakRssBytes` is a
 * function of scenario and seed.
 */
import type { SimulationResult } from '../simulation-result.ts';

const us = (ms: number): number => Math.round(ms * 1000) / 1000;

export function toJsonReport(result: SimulationResult): unknown {
  return {
    scenario: result.scenario,
    seed: result.seed,
    start: result.start,
    durationMs: result.durationMs,
    settings: result.settings,
    migrations: result.migrations.map((m) => ({
      index: m.index,
      node: m.node,
      from: m.from,
      to: m.to,
      fromPair: m.fromPair,
      toPair: m.toPair,
      crossLeafPair: m.crossLeafPair,
      startMs: us(m.startMs),
      converged: m.converged,
      convergenceMs: m.convergenceMs === null ? null : us(m.convergenceMs),
      switchoverToConvergedMs: m.switchoverToConvergedMs === null ? null : us(m.switchoverToConvergedMs),
      milestones: m.milestones.map((s) => ({ name: s.name, actor: s.actor, tMs: us(s.tMs), ...(s.detail ? { detail: s.detail } : {}) })),
      downloadedObjects: m.downloadedObjects.map((d) => ({ leaf: d.leaf, subject: d.subject, uri: d.uri, tMs: us(d.tMs) })),
      downloadsByLeaf: m.downloadsByLeaf,
      outageMs: us(m.outageMs),
      flows: m.flows.map((f) => ({
        name: f.name,
        from: f.from,
        to: f.to,
        outageMs: us(f.outageMs),
        sent: f.sent,
        delivered: f.delivered,
        bounced: f.bounced,
        dropped: f.dropped,
        firstDropMs: f.firstDropMs === null ? null : us(f.firstDropMs),
        lastDropMs: f.lastDropMs === null ? null : us(f.lastDropMs),
        downAtEnd: f.downAtEnd,
      })),
    })),
    plan: result.plan,
    warmup: { flows: result.warmup.flows.map((f) => ({ name: f.name, outageMs: us(f.outageMs), dropped: f.dropped })) },
    stats: result.stats,
  };
}
