/**
 * The OpFlex exchange around one migration's switch-over, as a sequence diagram reads it: the
 * participants in a fixed order (the agent, the anycast proxy, the source leaves, the destination
 * leaves, APIC) and the messages between them. The HTML report draws every message; the Markdown
 * summary draws the steps, where a run of messages with the same method between the same two
 * participants is one arrow with a count (a change ticket wants the story, not 200 arrows).
 */
import type { ExchangeMessage, ReportMigration } from './run-report.ts';

export interface Exchange {
  participants: string[];
  messages: ExchangeMessage[];
  /** Messages the trace left out past its bound. */
  dropped: number;
}

interface ExchangeStep {
  from: string;
  to: string;
  method: string;
  kind: string;
  count: number;
  firstSentMs: number;
  lastArrivedMs: number;
  /** The first message's objects. */
  objects: string;
  /** Classes the run's messages name, with how many times each. */
  subjects: Map<string, number>;
}

export function switchoverExchange(m: ReportMigration): Exchange {
  const agent = `agent:${m.node}`;
  const seen = new Set<string>();
  for (const x of m.exchange) {
    seen.add(x.from);
    seen.add(x.to);
  }
  const order = [agent, 'anycast', ...m.fromLeaves, ...m.toLeaves.filter((l) => !m.fromLeaves.includes(l)), 'apic'];
  const participants = [agent, ...order.slice(1).filter((p) => seen.has(p))];
  for (const p of [...seen].sort()) if (!participants.includes(p)) participants.push(p);
  return { participants, messages: m.exchange, dropped: m.exchangeDropped };
}

/** Consecutive messages with the same sender, receiver, method and kind, as one step each. */
export function exchangeSteps(exchange: Exchange): ExchangeStep[] {
  const steps: ExchangeStep[] = [];
  for (const x of exchange.messages) {
    const last = steps[steps.length - 1];
    if (last && last.from === x.from && last.to === x.to && last.method === x.method && last.kind === x.kind) {
      last.count++;
      last.lastArrivedMs = Math.max(last.lastArrivedMs, x.arrivedMs);
      countSubjects(last.subjects, x.objects);
      continue;
    }
    const step = { from: x.from, to: x.to, method: x.method, kind: x.kind, count: 1, firstSentMs: x.sentMs, lastArrivedMs: x.arrivedMs, objects: x.objects, subjects: new Map<string, number>() };
    countSubjects(step.subjects, x.objects);
    steps.push(step);
  }
  return steps;
}

/** The class names in an objects summary ("GbpEpGroup /uri, EprL2Ep /uri" or "3 objects: GbpContract /uri"). */
function countSubjects(into: Map<string, number>, objects: string): void {
  const list = objects.replace(/^\d+ objects?: /, '');
  for (const m of list.matchAll(/(?:^|, )(?:replace |merge |delete )?([A-Za-z][\w]*) \//g)) into.set(m[1]!, (into.get(m[1]!) ?? 0) + 1);
}

/** Classes named in a step, most frequent first, at most `max`. */
function subjectSummary(subjects: Map<string, number>, max = 4): string {
  const sorted = [...subjects].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, max).map(([s, n]) => (n > 1 ? `${s} ×${n}` : s));
  return shown.join(', ') + (sorted.length > max ? ` and ${sorted.length - max} more classes` : '');
}

/** The step's label: method, reply or request, count, and what it carries in short. */
export function stepLabel(step: ExchangeStep): string {
  const what = step.kind === 'request' ? step.method : `${step.method} ${step.kind === 'error' ? 'error' : 'reply'}`;
  if (step.count === 1) return `${what}${step.objects ? `: ${shortObjects(step.objects)}` : ''}`;
  const subjects = subjectSummary(step.subjects);
  return `${what} ×${step.count}${subjects ? `: ${subjects}` : ''}`;
}

/** "GbpEpGroup /PolicyUniverse/.../GbpEpGroup/kubernetes%7capi/" as "GbpEpGroup kubernetes|api". */
function shortObjects(objects: string, maxChars = 80): string {
  const short = objects.replace(/(\S+) \/(?:[^\s,]*\/)?([^\s,/]+)\/?(?=,|$| and )/g, (_, subject: string, last: string) => `${subject} ${safeDecode(last)}`);
  return short.length > maxChars ? `${short.slice(0, maxChars - 1)}…` : short;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
