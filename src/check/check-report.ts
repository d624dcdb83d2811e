/** The exploration summary for a terminal and as JSON. */
import type { TraceEvent } from '../kernel/trace.ts';
import { FAULT_KIND_NAMES } from '../scenario/fault-schema.ts';
import type { FaultEntry } from '../scenario/types.ts';
import type { CheckedRun } from './checked-run.ts';
import type { ExploreSummary } from './explorer.ts';
import { faultTarget } from './fault-injector.ts';
import { KNOWN_HAZARDS } from './hazards.ts';

export function formatTraceEvent(e: TraceEvent): string {
  const data = Object.entries(e.data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`)
    .join(' ');
  return `t=${(e.tMs / 1000).toFixed(3).padStart(9)}s  ${e.actor.padEnd(16)} ${e.event}${data ? `  ${data}` : ''}`;
}

/** A scheduled fault in one line: kind, target, start, and its duration and magnitude if any. */
export function describeFault(f: FaultEntry): string {
  return `${f.kind} ${faultTarget(f)} at ${f.atMs} ms${f.forMs !== undefined ? ` for ${f.forMs} ms` : ''}${f.delayMs !== undefined ? ` delay ${f.delayMs} ms` : ''}`;
}

/** The one wall-clock figure of an exploration, kept out of the summary so the summary is the same wherever the seeds ran. */
export function renderTiming(s: ExploreSummary): string {
  return `${s.seedsRun} seeds in ${(s.wallMs / 1000).toFixed(1)} s: ${s.seedsPerS.toFixed(1)} seeds/s`;
}

/** `written`: the file each reproduction was written to, by invariant. */
export function renderSummary(s: ExploreSummary, written: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  lines.push(`Seeds run: ${s.seedsRun} (${s.firstSeed}..${s.firstSeed + s.seedsRun - 1})`);
  if (s.unsettled > 0) lines.push(`  ${s.unsettled} runs ended before the settle time: liveness not judged there`);
  lines.push('', 'Faults injected by kind:');
  const kinds = FAULT_KIND_NAMES.filter((k) => s.faultsInjected[k]);
  const width = Math.max(0, ...kinds.map((k) => k.length));
  for (const k of kinds) lines.push(`  ${k.padEnd(width)}  ${String(s.faultsInjected[k]).padStart(6)}`);
  if (kinds.length === 0) lines.push('  none');
  lines.push('', 'Known hazards (seeds):');
  const hazards = Object.entries(s.hazardsByName);
  for (const [name, n] of hazards) lines.push(`  ${name}  ${n}  ${KNOWN_HAZARDS.find((h) => h.name === name)?.source ?? ''}`);
  if (hazards.length === 0) lines.push('  none');
  lines.push('', 'Violations by invariant (seeds):');
  const violations = Object.entries(s.violationsByInvariant);
  for (const [name, n] of violations) lines.push(`  ${name}  ${n}`);
  if (violations.length === 0) lines.push('  none: nothing unexplained');
  for (const r of s.reproductions) {
    lines.push('', `${r.invariant}: ${r.statement}`);
    lines.push(`  first at seed ${r.seed} (${r.seedsFailing} seeds); shrunk in ${r.shrinkRuns} runs to ${r.scenario.faultSchedule?.length ?? 0} faults, ${r.scenario.migrations.length} migrations`);
    lines.push(`  ${r.violation.subject}: ${r.violation.detail}`);
    for (const f of r.scenario.faultSchedule ?? []) lines.push(`    fault ${describeFault(f)}`);
    const file = written.get(r.invariant);
    if (file) lines.push(`  reproduction: ${file}  (opflex-twin check --replay ${file}; opflex-twin simulate ${file})`);
    lines.push('  trace around it:');
    for (const e of r.traceAround) lines.push(`    ${formatTraceEvent(e)}`);
  }
  return lines.join('\n') + '\n';
}

export function renderReplay(source: string, run: CheckedRun, around: readonly TraceEvent[]): string {
  const lines = [`Replayed ${source} (seed ${run.seed}, ${(run.durationMs / 1000).toFixed(0)} s simulated${run.settled ? '' : ', not settled: liveness not judged'})`];
  for (const h of run.hazards) lines.push(`  known hazard ${h.hazard} on ${h.node}: ${h.invariants.join(', ')}`);
  for (const v of run.violations) lines.push(`  VIOLATION ${v.invariant} at t=${(v.tMs / 1000).toFixed(3)}s  ${v.subject}: ${v.detail}`);
  if (run.violations.length === 0) lines.push(run.hazards.length === 0 ? '  every invariant holds' : '  nothing unexplained');
  if (around.length > 0) {
    lines.push(`  trace around the first ${run.violations.length > 0 ? 'violation' : 'hazard'}:`);
    for (const e of around) lines.push(`    ${formatTraceEvent(e)}`);
  }
  return lines.join('\n') + '\n';
}
