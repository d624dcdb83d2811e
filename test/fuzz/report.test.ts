/**
 * A saved trace is outside input to `show`: hostile lines and hostile events must end in a one-line
 * error or a report, never a crash, and nothing in the data may turn into markup in the page or
 * statements in the Mermaid diagram. FUZZ_SCALE=50 runs it long.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import { renderHtmlReport } from '../../src/report/html/html-report.ts';
import { runView } from '../../src/report/html/run-view.ts';
import { markdownSummary } from '../../src/report/markdown-summary.ts';
import { RunReportBuilder, TraceFormatError } from '../../src/report/run-report.ts';
import { parseTraceLine, reportFromTraceFile, TraceFileError } from '../../src/report/trace-file.ts';
import { fuzzParameters, hostileJson, hostileString } from '../support/fuzz.ts';

const EVENTS = [
  'run', 'settings', 'leaf-pair', 'flow', 'migration-start', 'milestone', 'flow-down', 'probe-lost', 'flow-up', 'opflex-message',
  'opflex-messages-dropped', 'policy-download-queued', 'policy-download', 'policy-present', 'policy-missing', 'policy-served', 'anything',
];

const scalar = fc.oneof(hostileString(), fc.integer({ min: -3, max: 5 }), fc.double(), fc.boolean(), fc.constantFrom('node-1', 'leaf-1', 'pair-a', 'converged', 'stun-start', 'cache', 'f'));
const fields = fc.dictionary(
  fc.constantFrom('scenario', 'seed', 'durationMs', 'pair', 'leaves', 'flow', 'from', 'to', 'fromNode', 'toNode', 'migration', 'node', 'fromPair', 'toPair', 'name', 'detail', 'reason', 'uri', 'subject', 'requestedBy', 'queued', 'sentMs', 'method', 'kind', 'objects', 'count'),
  scalar,
  { maxKeys: 8 },
);
const event = fc.record({
  dtMs: fc.integer({ min: 0, max: 5_000 }),
  actor: fc.oneof(hostileString(16), fc.constantFrom('flow:f', 'leaf-1', 'vmotion', 'agent:node-1')),
  event: fc.constantFrom(...EVENTS),
  data: fields,
});

/** Events in time order, starting with a run header so finish() gets as far as drawing. */
function toTrace(list: { dtMs: number; actor: string; event: string; data: Record<string, unknown> }[]): TraceEvent[] {
  let t = 0;
  const out: TraceEvent[] = [{ tMs: 0, actor: 'simulation', event: 'run', data: { scenario: '</script><script>alert(1)</script>', seed: 1, durationMs: 10_000, start: 'cold' } }];
  for (const e of list) out.push({ tMs: (t += e.dtMs), actor: e.actor, event: e.event, data: e.data as TraceEvent['data'] });
  return out;
}

function assertInert(html: string, markdown: string): void {
  const data = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.ok(!data.includes('<'), 'the page data holds no "<"');
  JSON.parse(data);
  for (const block of markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)) {
    for (const line of block[1]!.split('\n').slice(1)) assert.match(line, /^ {2}(participant P\d+ as [^;#]*|P\d+-{1,2}>>P\d+: [^;#]*|Note over P\d+,P\d+: [^;#]*)$/, line);
  }
}

describe('show on hostile traces (fuzz)', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-fuzz-report-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let tried = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();

  it('reads any line as an event or a reason, never throwing', { timeout: 300_000 }, () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(200), hostileJson().map((v) => JSON.stringify(v) ?? 'undefined')), (line) => {
        tried++;
        const e = parseTraceLine(line);
        if (typeof e === 'string') return;
        assert.equal(typeof e.tMs, 'number');
        for (const v of Object.values(e.data)) assert.ok(['string', 'number', 'boolean'].includes(typeof v));
      }),
      fuzzParameters(2_000),
    );
  });

  it('builds a report from any sequence of events, or names what is wrong, and the report stays inert', { timeout: 300_000 }, () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (list) => {
        tried++;
        const builder = new RunReportBuilder();
        try {
          for (const e of toTrace(list)) builder.onEvent(e);
          const report = builder.finish();
          assertInert(renderHtmlReport({ kind: 'run', title: report.scenario, run: runView(report) }), markdownSummary(report));
        } catch (err) {
          if (!(err instanceof TraceFormatError)) throw err;
        }
      }),
      fuzzParameters(400),
    );
  });

  it('show turns a broken file into one line naming the file and line', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(hostileString(80), event.map((e) => JSON.stringify({ tMs: e.dtMs, actor: e.actor, event: e.event, ...e.data }))), { maxLength: 12 }), async (lines) => {
        tried++;
        const path = join(dir, 'trace.ndjson');
        writeFileSync(path, lines.join('\n'));
        try {
          await reportFromTraceFile(path);
        } catch (err) {
          assert.ok(err instanceof TraceFileError, String(err));
          assert.ok(err.message.startsWith(path), err.message);
          assert.ok(!err.message.includes('\n    at '), 'no stack');
        }
      }),
      fuzzParameters(150),
    );
    gc?.();
    const now = process.memoryUsage();
    const mib = (n: number) => Math.round(n / 2 ** 20);
    console.log(
      `report fuzz: ${tried} inputs tried, RSS ${mib(before.rss)} -> ${mib(now.rss)} MiB, heap ${mib(before.heapUsed)} -> ${mib(now.heapUsed)} MiB` +
        (gc ? ' after GC' : ' (run with --expose-gc to collect first)'),
    );
  });
});
