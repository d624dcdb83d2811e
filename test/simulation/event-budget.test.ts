import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toJsonReport } from '../../src/report/json-report.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { preset } from '../../src/scenario/presets.ts';
import { defaultEventBudget, EventBudgetError, eventsMaxBase, eventsMaxPerEndpoint, simulate } from '../../src/simulation.ts';

const scenario = loadBuiltinScenario('default');

/** The deterministic part of a result (wall-clock figures left out). */
function deterministic(result: ReturnType<typeof simulate>): unknown {
  const { stats, ...rest } = toJsonReport(result) as { stats: Record<string, unknown> };
  const { wallMs: _w, startWallMs: _s, peakRssBytes: _p, ...counts } = stats;
  return { ...rest, counts };
}

describe('the event budget of a simulation', { timeout: 60_000 }, () => {
  const full = simulate(scenario);
  const needed = full.stats.events;

  it('lets a run that fits its budget exactly finish with the same result as without one', () => {
    assert.deepEqual(deterministic(simulate(scenario, { maxEvents: needed })), deterministic(full));
  });

  it('stops a run one event over its budget with an error naming the budget and how to raise it', () => {
    assert.throws(() => simulate(scenario, { maxEvents: needed - 1 }), (err: unknown) => {
      assert.ok(err instanceof EventBudgetError);
      assert.equal(err.maxEvents, needed - 1);
      assert.ok(err.simulatedMs <= err.durationMs);
      assert.match(err.message, /^the run stopped after [\d,]+ events, its event budget, at [\d.]+m?s of 200s: .*raise the budget with --max-events$/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  });

  it('is 10M events plus 25 per node and pod, so the XL preset (~4.8M events) fits with room to spare', () => {
    const pods = scenario.nodes.reduce((n, node) => n + node.pods.length, 0);
    assert.equal(defaultEventBudget(scenario), eventsMaxBase + eventsMaxPerEndpoint * (scenario.nodes.length + pods));
    const xl = preset('XL').plan.generated;
    const xlEndpoints = xl.nodes! * (1 + xl.podsPerNode!);
    assert.ok(eventsMaxBase + eventsMaxPerEndpoint * xlEndpoints > 4 * 4_800_000);
    assert.ok(needed < defaultEventBudget(scenario));
  });
});
