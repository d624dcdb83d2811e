import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import { chromeTrace, formatChromeTrace } from '../../src/report/chrome-trace.ts';
import type { MessageFlow } from '../../src/report/message-flows.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { fuzzParameters, hostileString } from '../support/fuzz.ts';
import { traceEventFormatProblems } from '../support/trace-event-format.ts';

const scenario = loadBuiltinScenario('default');
const time = fc.double({ min: 0, max: 1e7, noNaN: true });
const actor = fc.oneof(hostileString(24), fc.constantFrom('apic', 'leaf-101', 'agent:node-1', 'flow:web-to-api', 'flow:', 'agent:', 'host-agent:\u0000'));
const value = fc.oneof(hostileString(), fc.double(), fc.integer(), fc.boolean(), fc.constant(undefined));
const traceEvent = fc.record({
  tMs: time,
  actor,
  event: fc.oneof(hostileString(16), fc.constantFrom('flow-down', 'flow-up', 'policy-download', 'policy-download-queued')),
  data: fc.dictionary(hostileString(8), value, { maxKeys: 4 }),
});
const flow = fc.record({
  from: actor,
  to: actor,
  method: hostileString(16),
  kind: fc.constantFrom('request', 'result', 'error') as fc.Arbitrary<MessageFlow['kind']>,
  sentMs: time,
  arrivedMs: time,
});

describe('fuzz: the Chrome trace of any trace and any messages', { timeout: 60_000 }, () => {
  it('is JSON that passes the Trace Event Format check, with a named track for every actor', () => {
    fc.assert(
      fc.property(fc.array(traceEvent, { maxLength: 40 }), fc.array(flow, { maxLength: 20 }), fc.double({ min: 0, max: 1e7, noNaN: true }), (raw, messages, durationMs) => {
        const trace = (raw as TraceEvent[]).sort((a, b) => a.tMs - b.tMs);
        const text = formatChromeTrace(chromeTrace({ scenario, seed: 1, durationMs, trace, migrations: [], messages }));
        const doc = JSON.parse(text) as { traceEvents: { ph: string; name: string; args?: { name?: string } }[] };
        assert.deepEqual(traceEventFormatProblems(doc), []);
        const tracks = new Set(doc.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args!.name));
        for (const a of [...trace.map((e) => e.actor), ...messages.flatMap((m) => [m.from, m.to])]) assert.ok(tracks.has(a), `a track for ${JSON.stringify(a)}`);
      }),
      fuzzParameters(300),
    );
  });
});
