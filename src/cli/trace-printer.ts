/** Trace events as one readable line each (or NDJSON), for the live commands. */
import { formatTraceLine, type TraceEvent } from '../kernel/trace.ts';

export function traceLine(e: TraceEvent, json: boolean): string {
  if (json) return formatTraceLine(e);
  const fields = Object.entries(e.data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${`t=${(e.tMs / 1000).toFixed(3)}s`.padStart(12)}  ${e.actor.padEnd(16)} ${e.event}${fields ? `  ${fields}` : ''}`;
}
