/**
 * Trace events as one readable line each (or NDJSON), for the live commands. Actors and field values
 * can carry peer-controlled text (an agent's name, a URI), so they are escaped: one event is always
 * exactly one line, and nothing in it reaches the terminal as a control sequence.
 */
import { formatTraceLine, type TraceEvent } from '../kernel/trace.ts';
import { logValue, printable, printableJson } from '../printable.ts';

export function traceLine(e: TraceEvent, json: boolean): string {
  // JSON.stringify escapes C0 controls but not U+2028/2029, C1 controls or bidi overrides.
  if (json) return printableJson(formatTraceLine(e));
  const fields = Object.entries(e.data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${printable(k)}=${logValue(v)}`)
    .join(' ');
  return `${`t=${(e.tMs / 1000).toFixed(3)}s`.padStart(12)}  ${printable(e.actor).padEnd(16)} ${printable(e.event)}${fields ? `  ${fields}` : ''}`;
}
