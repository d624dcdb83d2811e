/**
 * A Markdown summary of a run to paste into a GitHub issue or a change ticket: the outcome of each
 * move, the outage per flow with its drop reasons, and the switch-over as a Mermaid sequence
 * diagram (GitHub and most ticket systems render ```mermaid blocks).
 */
import type { ReportMigration, RunReport } from './run-report.ts';
import { detailedMovesMax, slowestFirst } from './html/run-view.ts';
import { exchangeSteps, stepLabel, switchoverExchange, type Exchange } from './switchover-exchange.ts';
import { seconds } from './terminal-report.ts';

/** Arrows in one Mermaid diagram; the rest of the exchange is summed up in a note. */
export const mermaidStepsMax = 60;

/** Text Mermaid shows as is: no statement separators, comments or markup. */
function mermaidText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[;#<>{}%`]/g, (c) => `#${c.charCodeAt(0)};`);
}

function cell(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
}

function mermaidSequence(exchange: Exchange, maxSteps = mermaidStepsMax): string {
  const ids = new Map(exchange.participants.map((p, i) => [p, `P${i}`]));
  const lines = ['sequenceDiagram'];
  for (const p of exchange.participants) lines.push(`  participant ${ids.get(p)} as ${mermaidText(p)}`);
  const steps = exchangeSteps(exchange);
  for (const step of steps.slice(0, maxSteps)) {
    const arrow = step.kind === 'request' ? '->>' : '-->>';
    lines.push(`  ${ids.get(step.from)}${arrow}${ids.get(step.to)}: ${mermaidText(stepLabel(step))}`);
  }
  const left = steps.length - maxSteps;
  if (left > 0 || exchange.dropped > 0) {
    const what = [left > 0 ? `${left} more steps` : '', exchange.dropped > 0 ? `${exchange.dropped} messages past the trace's bound` : ''].filter(Boolean).join(', ');
    lines.push(`  Note over ${ids.get(exchange.participants[0]!)},${ids.get(exchange.participants[exchange.participants.length - 1]!)}: ${mermaidText(what)} (see the HTML report)`);
  }
  return lines.join('\n');
}

function outcome(m: ReportMigration): string {
  return m.converged ? `converged ${seconds(m.switchoverToConvergedMs!)} after the switch-over` : '**did not converge**';
}

function downloads(m: ReportMigration): number {
  return Object.values(m.downloadsByLeaf).reduce((n, d) => n + d.downloaded, 0);
}

function moveSection(m: ReportMigration): string[] {
  const out = [`### Migration ${m.index + 1}: ${m.node} ${m.from} (${m.fromPair}) → ${m.to} (${m.toPair})`, '', `${outcome(m)}; longest pod-traffic outage ${seconds(m.outageMs)}.`, ''];
  if (m.flows.length > 0) {
    out.push('| flow | outage | probes lost by reason |', '|---|---:|---|');
    for (const f of m.flows) {
      const lost = Object.entries(f.dropped).map(([r, n]) => `${n} ${r}`).join(', ') || 'none';
      out.push(`| ${cell(f.name)} | ${seconds(f.outageMs)}${f.downAtEnd ? ' (still down)' : ''} | ${cell(lost)} |`);
    }
    out.push('');
  }
  const leaves = Object.entries(m.downloadsByLeaf);
  if (leaves.length > 0) {
    out.push(`Destination leaves: ${leaves.map(([l, d]) => `${l} downloaded ${d.downloaded} object(s) from APIC, served ${d.servedFromCache} from cache`).join('; ')}.`, '');
  }
  const stun = m.milestones.find((x) => x.name === 'stun-start');
  const base = stun?.tMs ?? m.startMs;
  out.push(`<details><summary>Milestones (from the ${stun ? 'stun' : 'start'})</summary>`, '', '| +s | actor | milestone |', '|---:|---|---|');
  for (const x of m.milestones) out.push(`| ${((x.tMs - base) / 1000).toFixed(3)} | ${cell(x.actor)} | ${cell(x.name)}${x.detail ? ` (${cell(x.detail)})` : ''} |`);
  out.push('', '</details>', '');
  const exchange = switchoverExchange(m);
  if (exchange.messages.length > 0) {
    out.push('The OpFlex exchange from the stun to convergence (runs of like messages are one arrow):', '', '```mermaid', mermaidSequence(exchange), '```', '');
  }
  return out;
}

export function markdownSummary(report: RunReport, title = `opflex-twin simulate: ${report.scenario}`): string {
  const out = [`## ${title}`, '', `Scenario \`${report.scenario}\`, seed ${report.seed}, ${seconds(report.durationMs, 0)} simulated (${report.start} start).`, ''];
  const ms = report.migrations;
  if (ms.length === 0) return [...out, 'No migrations in this run.', ''].join('\n');
  const p = report.plan;
  out.push(
    `**${p.converged} of ${ms.length} moves converged**` +
      (p.switchoverToConvergedMs ? `; switch-over to converged median ${seconds(p.switchoverToConvergedMs.p50, 1)}, p95 ${seconds(p.switchoverToConvergedMs.p95, 1)}, worst ${seconds(p.switchoverToConvergedMs.max, 1)}` : '') +
      `; longest pod-traffic outage ${seconds(p.outageMs.max, 1)}.`,
    '',
  );
  const listed = ms.length <= detailedMovesMax ? ms : [...ms].sort(slowestFirst).slice(0, 10);
  out.push(ms.length <= detailedMovesMax ? '| # | node | from → to | outcome | longest outage | downloads |' : '| # | node (the 10 slowest moves) | from → to | outcome | longest outage | downloads |');
  out.push('|---:|---|---|---|---:|---:|');
  for (const m of listed) out.push(`| ${m.index + 1} | ${cell(m.node)} | ${cell(`${m.from} → ${m.to}`)} | ${outcome(m)} | ${seconds(m.outageMs)} | ${downloads(m)} |`);
  out.push('');
  const detailed = ms.length <= detailedMovesMax ? ms : listed.slice(0, 1);
  if (ms.length > detailedMovesMax) out.push('The slowest move in detail:', '');
  for (const m of detailed) out.push(...moveSection(m));
  return out.join('\n');
}
