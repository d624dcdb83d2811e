/**
 * Reads a saved NDJSON trace (`simulate --trace FILE`) line by line into a report builder. The file
 * is outside input: a line that is too long, not JSON or not an event stops the read with an error
 * naming the file and line.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TraceData, TraceEvent } from '../kernel/trace.ts';
import { RunReportBuilder, TraceFormatError, type RunReport } from './run-report.ts';
import { errnoCode, errorMessage } from '../error-details.ts';
import { isRecord } from '../json-fields.ts';

/** Longest line read from a trace file (a simulation writes lines of a few hundred characters). */
const traceLineCharsMax = 64 * 1024;

export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

/** The event on one line, or a reason it is not one. */
export function parseTraceLine(line: string): TraceEvent | string {
  if (line.length > traceLineCharsMax) return `line longer than ${traceLineCharsMax} characters`;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (!isRecord(value)) return 'not a JSON object';
  const { tMs, actor, event, ...rest } = value;
  if (typeof tMs !== 'number' || !Number.isFinite(tMs) || tMs < 0) return '"tMs" is not a time in milliseconds';
  if (typeof actor !== 'string') return '"actor" is not a string';
  if (typeof event !== 'string') return '"event" is not a string';
  const data: TraceData = {};
  for (const [k, v] of Object.entries(rest)) {
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) data[k] = v;
  }
  return { tMs, actor, event, data };
}

/** Feeds every line of the file to a builder; the report once the file ends. */
export async function reportFromTraceFile(path: string): Promise<RunReport> {
  const builder = new RunReportBuilder();
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw new TraceFileError(`${path}: ${errnoCode(err) === 'ENOENT' ? 'no such file' : errorMessage(err)}`);
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  let lastMs = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      const e = parseTraceLine(line);
      if (typeof e === 'string') throw new TraceFileError(`${path}:${n}: ${e}`);
      if (e.tMs < lastMs) throw new TraceFileError(`${path}:${n}: time goes back (${e.tMs} ms after ${lastMs} ms)`);
      lastMs = e.tMs;
      try {
        builder.onEvent(e);
      } catch (err) {
        if (err instanceof TraceFormatError) throw new TraceFileError(`${path}:${n}: ${err.message}`);
        throw err;
      }
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  try {
    return builder.finish();
  } catch (err) {
    if (err instanceof TraceFormatError) throw new TraceFileError(`${path}: ${err.message}`);
    throw err;
  }
}
