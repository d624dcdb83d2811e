/**
 * The terminal report prints names that come from the scenario file (scenario, nodes, hypervisors,
 * leaf pairs, leaves, flows) and from peers (object classes and URIs): none of them may start a new
 * line or send a terminal escape sequence.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSimulation } from '../../src/report/terminal-report.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { simulate } from '../../src/simulation.ts';
import type { SimulationResult } from '../../src/simulation-result.ts';

const HOSTILE = 'x\x1b[2J\nforged line\u202e';

function withHostileNames(result: SimulationResult, migrations: number): SimulationResult {
  const one = result.migrations[0]!;
  const migration = {
    ...one,
    node: `node${HOSTILE}`,
    from: `from${HOSTILE}`,
    to: `to${HOSTILE}`,
    fromPair: `pair${HOSTILE}`,
    toPair: `pair${HOSTILE}`,
    milestones: one.milestones.map((s) => ({ ...s, actor: `actor${HOSTILE}`, detail: `detail${HOSTILE}` })),
    downloadedObjects: [{ leaf: `leaf${HOSTILE}`, subject: `Class${HOSTILE}`, uri: `/Uri${HOSTILE}/`, tMs: 0 }],
    downloadsByLeaf: { [`leaf${HOSTILE}`]: { downloaded: 1, servedFromCache: 0, bySubject: { [`Class${HOSTILE}`]: 1 } } },
    flows: one.flows.map((f) => ({ ...f, name: `flow${HOSTILE}` })),
  };
  return {
    ...result,
    scenario: `scenario${HOSTILE}`,
    migrations: Array.from({ length: migrations }, (_, index) => ({ ...migration, index })),
    plan: { ...result.plan, leaves: [{ ...result.plan.leaves[0]!, leaf: `leaf${HOSTILE}` }] },
  };
}

describe('the terminal report with names from a hostile scenario file', () => {
  const scenario = loadBuiltinScenario('default');
  const result = simulate(scenario);

  for (const [what, count] of [['one migration in detail', 1], ['a plan of many migrations', 12]] as const) {
    it(`escapes every printed name (${what})`, { timeout: 30_000 }, () => {
      assert.ok(result.migrations.length > 0 && result.migrations[0]!.flows.length > 0, 'the default scenario has a migration with flows');
      const text = renderSimulation(withHostileNames(result, count));
      assert.doesNotMatch(text, /\x1b|\u202e/, 'no raw escape or bidi override');
      assert.ok(!text.split('\n').some((line) => line.startsWith('forged line')), 'no name starts a line of its own');
      assert.match(text, /scenariox\\x1b\[2J\\x0aforged line\\u202e/);
      assert.match(text, /nodex\\x1b\[2J\\x0aforged line\\u202e/);
    });
  }
});
