import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoTally, keepaliveExpiresAnswered } from '../../src/opflex/echo-tally.ts';
import { MessageCounter } from '../../src/report/message-counter.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { simulatedTwin } from '../../src/simulated-twin.ts';

describe('keepalive echoes counted instead of sent', { timeout: 120_000 }, () => {
  describe('the tally', () => {
    it('counts the echo on opening, then one per period from the first tick, the tick at the instant included', () => {
      const tally = new EchoTally(15_000);
      const a = {};
      const b = {};
      tally.open(a, 10_000, true);
      tally.open(b, 4_000, false);
      assert.equal(tally.echoesUntil(3_999), 1);
      assert.equal(tally.echoesUntil(4_000), 2);
      assert.equal(tally.echoesUntil(10_000), 3);
      assert.equal(tally.echoesUntil(25_000), 5); // a: open, 10 s, 25 s; b: 4 s, 19 s
    });

    it('settles a session when it closes: its later periods count nothing, a second close nothing more', () => {
      const tally = new EchoTally(15_000);
      const a = {};
      tally.open(a, 10_000, true);
      tally.close(a, 30_000);
      tally.close(a, 90_000);
      tally.close({}, 90_000);
      assert.equal(tally.echoesUntil(1_000_000), 3);
    });

    it('applies only where answered echoes keep the keepalive from expiring', () => {
      assert.equal(keepaliveExpiresAnswered({ firstMs: 10_000, repeatMs: 15_000, timeoutMs: 120_000 }), false);
      assert.equal(keepaliveExpiresAnswered({ firstMs: 10_000, repeatMs: 15_000, timeoutMs: 15_000 }), false);
      assert.equal(keepaliveExpiresAnswered({ firstMs: 10_000, repeatMs: 15_000, timeoutMs: 14_999 }), true);
      assert.equal(keepaliveExpiresAnswered({ firstMs: 20_000, repeatMs: 15_000, timeoutMs: 19_000 }), true);
    });
  });

  /** Runs a twin to `untilMs`: the echoes it sent (as a watcher of its links sees them), those it counted, and its events. */
  function run(scenario: Scenario, untilMs: number, sendEchoes = false) {
    const messages = new MessageCounter();
    const { twin, scheduler } = simulatedTwin(scenario, { observe: messages.observe, sendEchoes });
    twin.start();
    scheduler.runUntil(untilMs);
    return { sent: messages.toJSON()['echo']?.agentToLeaf ?? 0, counted: twin.countedEchoes(), events: scheduler.eventsRun };
  }

  const quiet = (s: Scenario): Scenario => ({ ...s, migrations: [], evacuations: [], flows: [] });
  const generated = parseScenario('name: small\ngenerated: { leafPairs: 3, hypervisorsPerPair: 2, nodes: 12, podsPerNode: 5, epgs: 10 }\n', 'small.yaml');

  for (const [start, scenario] of [['a steady start', { ...quiet(generated), start: 'steady' as const }], ['a cold start', quiet(loadBuiltinScenario('default'))]] as const) {
    it(`counts as many echoes in ${start} as sending them does, and at least the two arrivals of each fewer events`, () => {
      const sending = run(scenario, 120_000, true);
      const counting = run(scenario, 120_000);
      assert.ok(sending.sent > 0 && sending.counted === 0, 'sending: every echo on the links');
      assert.equal(counting.sent, 0, 'counting: no echo on the links');
      assert.equal(counting.counted, sending.sent);
      assert.ok(counting.events <= sending.events - 2 * sending.sent, `${counting.events} events counting, ${sending.events} sending`);
    });
  }

  it('sends them where one could be lost or expire: faults scheduled, multipod, a timeout under the period', () => {
    const base = { ...quiet(generated), start: 'steady' as const };
    const node = base.nodes[0]!.name;
    const leaf = base.fabric.leafPairs[0]!.leaves[0]!.name;
    const faulty: Scenario = { ...base, faultSchedule: [{ atMs: 50_000, kind: 'partition', node, leaf, mode: 'drop', forMs: 1_000 }] };
    const shortTimeout: Scenario = { ...base, timers: { ...base.timers, keepaliveTimeoutMs: 12_000 } };
    for (const scenario of [faulty, quiet(loadBuiltinScenario('multipod')), shortTimeout]) {
      const r = run(scenario, 40_000);
      assert.ok(r.sent > 0 && r.counted === 0, `${scenario.name}: ${r.sent} sent, ${r.counted} counted`);
    }
  });
});
