import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromeTrace, formatChromeTrace, MessageFlowCollector, type ChromeTraceEvent } from '../../src/report/chrome-trace.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { simulate } from '../../src/simulation.ts';
import { runCli } from '../support/capture.ts';
import { traceEventFormatProblems } from '../support/trace-event-format.ts';

const scenario = loadBuiltinScenario('default');

function chromeTraceOf(seed = scenario.seed) {
  const messages = new MessageFlowCollector();
  const result = simulate(scenario, { seed, recordTrace: true, onMessageFlow: messages.onMessageFlow });
  const text = formatChromeTrace(chromeTrace({ ...result, scenario, messages: messages.flows }));
  return { result, text, doc: JSON.parse(text) as { traceEvents: ChromeTraceEvent[]; displayTimeUnit: string } };
}

/** Track names by "pid/tid" and process names by pid, from the metadata events. */
function trackNames(events: readonly ChromeTraceEvent[]) {
  const threads = new Map<string, string>();
  const processes = new Map<number, string>();
  for (const e of events) {
    if (e.ph !== 'M' || !('name' in e.args)) continue;
    if (e.name === 'thread_name') threads.set(`${e.pid}/${e.tid}`, e.args.name);
    if (e.name === 'process_name') processes.set(e.pid, e.args.name);
  }
  const trackOf = (actor: string) => [...threads].find(([, name]) => name === actor)?.[0];
  const processOf = (actor: string) => processes.get(Number(trackOf(actor)?.split('/')[0]));
  return { threads, processes, trackOf, processOf };
}

const onTrack = (e: ChromeTraceEvent, track: string | undefined) => 'tid' in e && `${e.pid}/${e.tid}` === track;

describe('simulate --trace-format chrome: the default scenario in the Trace Event Format', { timeout: 60_000 }, () => {
  const { result, text, doc } = chromeTraceOf();
  const events = doc.traceEvents;
  const names = trackNames(events);

  it('passes the schema check: fields per phase, spans nested per track, flow ids paired and bound to slices', () => {
    assert.deepEqual(traceEventFormatProblems(doc), []);
    assert.equal(doc.displayTimeUnit, 'ms');
    assert.ok(events.some((e) => e.ph === 'X') && events.some((e) => e.ph === 's') && events.some((e) => e.ph === 'i') && events.some((e) => e.ph === 'C'));
  });

  it('has a named track for every actor of the run, in a process for its part of the fabric', () => {
    const actors = new Set(result.trace.map((e) => e.actor));
    for (const leaf of scenario.fabric.leafPairs.flatMap((p) => p.leaves)) actors.add(leaf.name);
    for (const node of scenario.nodes) actors.add(`agent:${node.name}`).add(`host-agent:${node.name}`);
    const tracks = new Set(names.threads.values());
    for (const actor of actors) assert.ok(tracks.has(actor), `a track for ${actor}`);
    assert.equal(names.threads.size, new Set(names.threads.values()).size, 'one track per actor');
    for (const pair of scenario.fabric.leafPairs) for (const leaf of pair.leaves) assert.equal(names.processOf(leaf.name), `Leaf pair ${pair.name}`);
    for (const node of scenario.nodes) {
      assert.equal(names.processOf(`agent:${node.name}`), `Node VM ${node.name}`);
      assert.equal(names.processOf(`host-agent:${node.name}`), `Node VM ${node.name}`);
    }
    assert.equal(names.processOf('apic'), 'APIC');
    assert.equal(names.processOf('coop'), 'Spines (COOP)');
    assert.equal(names.processOf('vmotion'), 'Hypervisors (vMotion)');
    for (const flow of scenario.flows) assert.equal(names.processOf(`flow:${flow.name}`), 'Pod traffic');
    const used = new Set(events.filter((e) => e.ph !== 'M' && 'tid' in e).map((e) => `${e.pid}/${(e as { tid: number }).tid}`));
    for (const track of used) assert.ok(names.threads.has(track), `track ${track} is named`);
  });

  it('draws each migration as a span with its phases nested inside and its milestones as instants, in order', () => {
    assert.equal(result.migrations.length, 2);
    for (const m of result.migrations) {
      const name = `migration ${m.index + 1}: ${m.node} ${m.from} -> ${m.to}`;
      const span = events.find((e) => e.ph === 'X' && e.name === name);
      assert.ok(span && span.ph === 'X', `a span "${name}"`);
      assert.equal(names.processes.get(span.pid), 'Migrations');
      assert.equal(span.ts, Math.round(m.startMs * 1000));
      assert.equal(span.dur, Math.round((m.startMs + m.convergenceMs!) * 1000) - span.ts);
      const track = `${span.pid}/${span.tid}`;
      const phases = events.filter((e) => e.ph === 'X' && onTrack(e, track) && e !== span);
      assert.deepEqual(phases.map((e) => e.name), ['pre-copy', 'stunned', 'switch-over to converged']);
      const instants = events.filter((e) => e.ph === 'i' && onTrack(e, track)).map((e) => e.name);
      assert.deepEqual(instants, m.milestones.map((s) => s.name));
    }
  });

  it('draws each outage as a span on its flow\'s track covering the dropped probes, with the drops by reason', () => {
    const outages = result.migrations.flatMap((m) => m.flows.filter((f) => f.outageMs > 0).map((f) => ({ m, f })));
    assert.ok(outages.length >= 6);
    for (const { m, f } of outages) {
      const track = names.trackOf(`flow:${f.name}`);
      const span = events.find((e) => e.ph === 'X' && e.name === `outage ${f.name}` && onTrack(e, track) && e.args?.migration === m.index + 1);
      assert.ok(span && span.ph === 'X', `an outage span for ${f.name} in migration ${m.index + 1}`);
      assert.ok(span.ts <= Math.round(f.firstDropMs! * 1000) && span.ts + span.dur >= Math.round(f.lastDropMs! * 1000), `${f.name}: the span covers the drops`);
      assert.equal(span.dur, Math.round(f.outageMs * 1000));
      assert.deepEqual(span.args!.dropped, f.dropped);
    }
  });

  it('draws every OpFlex message that arrived as an arrow from the sender\'s track to the receiver\'s', () => {
    // The run counts its keepalive echoes without sending them (src/opflex/echo-tally.ts).
    const sent = Object.entries(result.stats.messages).reduce((n, [method, c]) => (method === 'echo' ? n : n + c.agentToLeaf + c.leafToAgent), 0);
    const starts = events.filter((e) => e.ph === 's');
    const finishes = new Map(events.filter((e) => e.ph === 'f').map((e) => [(e as { id: number }).id, e]));
    assert.ok(starts.length > 0.99 * sent && starts.length <= sent, `${starts.length} arrows for ${sent} messages sent (a few never arrive: their receiver closed)`);
    const threadOf = (e: ChromeTraceEvent) => names.threads.get(`${e.pid}/${(e as { tid: number }).tid}`)!;
    const leafNames = new Set(scenario.fabric.leafPairs.flatMap((p) => p.leaves.map((l) => l.name)).concat('anycast'));
    for (const s of starts) {
      const f = finishes.get((s as { id: number }).id)!;
      const [from, to] = [threadOf(s), threadOf(f)];
      assert.ok((from.startsWith('agent:') && leafNames.has(to)) || (leafNames.has(from) && to.startsWith('agent:')), `${s.name}: ${from} -> ${to}`);
    }
    // The source leaf's PlatformConfig delete reaches node-1's agent just before it resets.
    const sentMilestone = result.migrations[0]!.milestones.find((m) => m.name === 'platform-config-delete-sent')!;
    const update = starts.find((s) => s.name === 'policy_update' && threadOf(s) === sentMilestone.actor && s.ts === Math.round(sentMilestone.tMs * 1000));
    assert.ok(update, 'a policy_update arrow leaves the source leaf when the milestone says');
    assert.equal(threadOf(finishes.get((update as { id: number }).id)!), 'agent:node-1');
  });

  it('is the same bytes for the same seed, and differs for another', () => {
    assert.equal(chromeTraceOf().text, text);
    assert.notEqual(chromeTraceOf(2).text, text);
  });

  it('leaves the simulation itself unchanged (watching the messages changes nothing in the trace)', () => {
    const plain = simulate(scenario, { recordTrace: true });
    assert.deepEqual(plain.trace, result.trace);
  });
});

describe('the schema check', { timeout: 10_000 }, () => {
  const thread = { pid: 1, tid: 1 };
  it('finds spans that overlap without nesting, unbalanced B/E, unpaired and unbound flows, missing fields', () => {
    const problems = traceEventFormatProblems({
      traceEvents: [
        { ph: 'X', name: 'a', cat: 'c', ts: 0, dur: 10, ...thread },
        { ph: 'X', name: 'b', cat: 'c', ts: 5, dur: 10, ...thread },
        { ph: 'B', name: 'open', ts: 20, ...thread },
        { ph: 's', name: 'm', cat: 'c', id: 1, ts: 0, ...thread },
        { ph: 'f', name: 'm', cat: 'c', id: 2, ts: 100, bp: 'e', ...thread },
        { ph: 'X', name: 'no dur', ts: 1, ...thread },
        { ph: 'C', name: 'q', ts: 1, pid: 1, args: { queued: 'x' } },
      ],
    });
    const expected = [/overlaps .* without nesting/, /\(B "open"\): never closed/, /flow c#1: 1 start \(s\) and 0 finish/, /flow c#2: 0 start/, /no slice on track 1\/1 to bind to at 100/, /"dur" must be/, /series "queued" is not a number/];
    for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in ${problems.join('\n')}`);
    assert.deepEqual(traceEventFormatProblems({ traceEvents: [{ ph: 'X', name: 'a', ts: 0, dur: 10, ...thread }, { ph: 'X', name: 'b', ts: 2, dur: 8, ...thread }] }), []);
  });
});

describe('the simulate command', { timeout: 60_000 }, () => {
  it('writes the Chrome trace to --trace with --trace-format chrome, and names a bad format', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'opflex-twin-chrome-')), 'trace.json');
    const { code } = await runCli(['simulate', '--trace', file, '--trace-format', 'chrome']);
    assert.equal(code, 0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: unknown[] };
    assert.deepEqual(traceEventFormatProblems(doc), []);
    const bad = await runCli(['simulate', '--trace', file, '--trace-format', 'perfetto']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--trace-format must be one of ndjson, chrome, got "perfetto"/);
  });
});
