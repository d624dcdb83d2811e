/**
 * A checker for the Trace Event Format (the JSON that chrome://tracing and Perfetto load), from the
 * format's documentation: required fields per phase, duration slices (B/E and X) properly nested and
 * balanced per thread track, B/E timestamps monotonic per track, flow events (s/t/f) paired by
 * category and id with each end bound to a slice on its track, counters with numeric series,
 * metadata naming processes and threads. Returns every problem found, each naming the event index.
 */
import { field, isRecord } from '../../src/json-fields.ts';

const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 'C', 's', 't', 'f', 'M', 'b', 'n', 'e', 'P', 'O', 'N', 'D', 'R', 'c']);
const METADATA_NAMES = new Set(['process_name', 'process_labels', 'process_sort_index', 'thread_name', 'thread_sort_index']);
const THREAD_SCOPED = new Set(['B', 'E', 'X', 's', 't', 'f']);

type Json = Record<string, unknown>;

interface Slice {
  start: number;
  end: number;
  cat: unknown;
  index: number;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isId = (v: unknown): boolean => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string';

export function traceEventFormatProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isRecord(doc)) return ['the document is not a JSON object with "traceEvents"'];
  const top = doc;
  if (!Array.isArray(top.traceEvents)) return ['"traceEvents" is not an array'];
  if (top.displayTimeUnit !== undefined && top.displayTimeUnit !== 'ms' && top.displayTimeUnit !== 'ns') problems.push(`"displayTimeUnit" is ${JSON.stringify(top.displayTimeUnit)}, not "ms" or "ns"`);

  const slices = new Map<string, Slice[]>();
  const openB = new Map<string, { name: unknown; ts: number; index: number }[]>();
  const lastBeTs = new Map<string, number>();
  const flows = new Map<string, { s: number[]; f: number[]; t: number[]; ts: Map<number, number> }>();
  const flowEvents: { e: Json; index: number; track: string; ts: number }[] = [];

  top.traceEvents.forEach((raw, index) => {
    const at = `traceEvents[${index}]`;
    if (!isRecord(raw)) return void problems.push(`${at} is not an object`);
    const e = raw;
    const ph = e.ph;
    if (typeof ph !== 'string' || !PHASES.has(ph)) return void problems.push(`${at}: unknown phase ${JSON.stringify(ph)}`);
    if (ph !== 'E' && typeof e.name !== 'string') problems.push(`${at} (${ph}): "name" must be a string`);
    if (!isNumber(e.pid) && ph !== 'M') problems.push(`${at} (${ph}): "pid" must be a number`);
    if (ph === 'M') {
      if (typeof e.name !== 'string' || !METADATA_NAMES.has(e.name)) problems.push(`${at} (M): unknown metadata ${JSON.stringify(e.name)}`);
      if (!isNumber(e.pid)) problems.push(`${at} (M): "pid" must be a number`);
      if ((e.name === 'process_name' || e.name === 'thread_name') && typeof field(e.args, 'name') !== 'string') problems.push(`${at} (M ${e.name}): "args.name" must be a string`);
      if ((e.name === 'process_sort_index' || e.name === 'thread_sort_index') && !isNumber(field(e.args, 'sort_index'))) problems.push(`${at} (M ${e.name}): "args.sort_index" must be a number`);
      if ((e.name === 'thread_name' || e.name === 'thread_sort_index') && !isNumber(e.tid)) problems.push(`${at} (M ${e.name}): "tid" must be a number`);
      return;
    }
    if (!isNumber(e.ts) || e.ts < 0) return void problems.push(`${at} (${ph}): "ts" must be a non-negative number`);
    if (THREAD_SCOPED.has(ph) && !isNumber(e.tid)) return void problems.push(`${at} (${ph}): "tid" must be a number`);
    const track = `${e.pid}/${e.tid}`;
    switch (ph) {
      case 'X':
        if (!isNumber(e.dur) || e.dur < 0) return void problems.push(`${at} (X): "dur" must be a non-negative number`);
        push(slices, track, { start: e.ts, end: e.ts + e.dur, cat: e.cat, index });
        return;
      case 'B':
      case 'E': {
        const last = lastBeTs.get(track);
        if (last !== undefined && e.ts < last) problems.push(`${at} (${ph}): ts ${e.ts} before the previous B/E on track ${track} (${last})`);
        lastBeTs.set(track, e.ts);
        const stack = openB.get(track) ?? [];
        openB.set(track, stack);
        if (ph === 'B') stack.push({ name: e.name, ts: e.ts, index });
        else {
          const begin = stack.pop();
          if (!begin) return void problems.push(`${at} (E): no open B on track ${track}`);
          if (e.name !== undefined && e.name !== begin.name) problems.push(`${at} (E): closes "${e.name}" but the open slice is "${begin.name}"`);
          push(slices, track, { start: begin.ts, end: e.ts, cat: e.cat, index: begin.index });
        }
        return;
      }
      case 'i':
      case 'I':
        if (e.s !== undefined && e.s !== 'g' && e.s !== 'p' && e.s !== 't') problems.push(`${at} (${ph}): scope "s" must be g, p or t`);
        if ((e.s === undefined || e.s === 't') && !isNumber(e.tid)) problems.push(`${at} (${ph}): a thread-scoped instant needs "tid"`);
        return;
      case 'C': {
        const args = e.args;
        if (!isRecord(args) || Object.keys(args).length === 0) return void problems.push(`${at} (C): "args" must hold the series`);
        for (const [k, v] of Object.entries(args)) if (!isNumber(v)) problems.push(`${at} (C): series "${k}" is not a number`);
        return;
      }
      case 's':
      case 't':
      case 'f': {
        if (!isId(e.id)) return void problems.push(`${at} (${ph}): flow events need an "id"`);
        if (typeof e.cat !== 'string') problems.push(`${at} (${ph}): flow events need a "cat" (flows are matched by cat and id)`);
        if (e.bp !== undefined && e.bp !== 'e') problems.push(`${at} (${ph}): "bp" must be "e"`);
        const key = `${e.cat}#${e.id}`;
        let flow = flows.get(key);
        if (!flow) flows.set(key, (flow = { s: [], t: [], f: [], ts: new Map() }));
        flow[ph].push(index);
        flow.ts.set(index, e.ts);
        flowEvents.push({ e, index, track, ts: e.ts });
        return;
      }
      default:
        return;
    }
  });

  for (const [track, stack] of openB) for (const b of stack) problems.push(`traceEvents[${b.index}] (B "${b.name}"): never closed on track ${track}`);

  for (const [track, list] of slices) {
    // Sorted by start, longest first: each slice must end within every slice still open when it starts.
    const sorted = [...list].sort((a, b) => a.start - b.start || b.end - a.end);
    const open: Slice[] = [];
    for (const s of sorted) {
      while (open.length > 0 && open[open.length - 1]!.end <= s.start) open.pop();
      const parent = open[open.length - 1];
      if (parent && s.end > parent.end) {
        problems.push(`traceEvents[${s.index}] [${s.start}, ${s.end}] overlaps traceEvents[${parent.index}] [${parent.start}, ${parent.end}] on track ${track} without nesting`);
      }
      open.push(s);
    }
  }

  for (const [key, flow] of flows) {
    if (flow.s.length !== 1 || flow.f.length !== 1) {
      problems.push(`flow ${key}: ${flow.s.length} start (s) and ${flow.f.length} finish (f) events, expected one of each`);
      continue;
    }
    const steps = [flow.s[0]!, ...flow.t, flow.f[0]!].map((i) => flow.ts.get(i)!);
    for (let i = 1; i < steps.length; i++) if (steps[i]! < steps[i - 1]!) problems.push(`flow ${key}: goes back in time (${steps[i - 1]} then ${steps[i]})`);
  }
  for (const { e, index, track, ts } of flowEvents) {
    const onTrack = slices.get(track) ?? [];
    // chrome://tracing binds s (and f with bp "e") to the slice enclosing ts; DevTools to the slice
    // with the same category starting at ts. A slice starting at ts with the flow's category satisfies both.
    const enclosing = onTrack.some((s) => s.start <= ts && ts <= s.end);
    const next = onTrack.some((s) => s.start >= ts);
    const bound = e.ph === 'f' && e.bp !== 'e' ? next : enclosing;
    if (!bound) problems.push(`traceEvents[${index}] (${e.ph} ${e.cat}#${e.id}): no slice on track ${track} to bind to at ${ts}`);
    if (!onTrack.some((s) => s.start === ts && s.cat === e.cat)) problems.push(`traceEvents[${index}] (${e.ph} ${e.cat}#${e.id}): no "${e.cat}" slice starting at ${ts} on track ${track}`);
  }
  return problems;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
