/**
 * The default terminal report of `simulate` for the built-in default scenario, read against the
 * scenario and against the JSON report of the same run: what a person reads must be what happened.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { runCli } from '../support/capture.ts';

interface JsonFlow {
  name: string;
  outageMs: number;
  dropped: Record<string, number>;
}
interface JsonMigration {
  index: number;
  node: string;
  from: string;
  to: string;
  fromPair: string;
  toPair: string;
  switchoverToConvergedMs: number | null;
  milestones: { name: string; actor: string; tMs: number }[];
  downloadsByLeaf: Record<string, { downloaded: number; servedFromCache: number; bySubject: Record<string, number> }>;
  flows: JsonFlow[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The report split into one block of lines per "Migration N:" heading. */
function migrationBlocks(report: string): string[][] {
  const blocks: string[][] = [];
  for (const line of report.split('\n')) {
    if (/^Migration \d+: /.test(line)) blocks.push([line]);
    else if (blocks.length > 0) blocks[blocks.length - 1]!.push(line);
  }
  return blocks;
}

describe('the default terminal report of simulate (built-in default scenario)', { timeout: 60_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  let report = '';
  let json: { scenario: string; seed: number; migrations: JsonMigration[] };
  let blocks: string[][] = [];

  before(async () => {
    const text = await runCli(['simulate']);
    assert.equal(text.code, 0, text.stderr);
    report = text.stdout;
    const asJson = await runCli(['simulate', '--json']);
    assert.equal(asJson.code, 0, asJson.stderr);
    json = JSON.parse(asJson.stdout);
    blocks = migrationBlocks(report);
  });

  it('opens with the scenario name and seed, and has one block per migration of the scenario', () => {
    assert.match(report.split('\n')[0]!, new RegExp(`^opflex-twin simulate: ${escapeRegExp(scenario.name)}  seed ${json.seed},`));
    assert.ok(scenario.migrations.length > 0, 'the default scenario plans migrations');
    assert.equal(json.migrations.length, scenario.migrations.length);
    assert.equal(blocks.length, json.migrations.length);
  });

  it('names the node, the source and destination hypervisors and their leaf pairs of each migration', () => {
    json.migrations.forEach((m, i) => {
      const planned = scenario.migrations[i]!;
      assert.equal(m.node, planned.node);
      assert.equal(m.to, planned.to);
      const heading = `Migration ${i + 1}: ${m.node}  ${m.from} (${m.fromPair}) -> ${m.to} (${m.toPair})`;
      assert.ok(blocks[i]![0]!.startsWith(heading), `${JSON.stringify(blocks[i]![0])} starts with ${JSON.stringify(heading)}`);
    });
  });

  it('prints the convergence time the JSON reports as switchoverToConvergedMs', () => {
    json.migrations.forEach((m, i) => {
      assert.notEqual(m.switchoverToConvergedMs, null, `migration ${i + 1} converges in the default scenario`);
      assert.match(blocks[i]![0]!, new RegExp(`converged ${(m.switchoverToConvergedMs! / 1000).toFixed(3)} s after the switch-over$`));
    });
  });

  it("prints each destination leaf's downloaded count and classes as the JSON's downloadsByLeaf", () => {
    json.migrations.forEach((m, i) => {
      const leaves = Object.entries(m.downloadsByLeaf);
      assert.ok(leaves.length > 0, `migration ${i + 1} lists its destination leaves`);
      for (const [leaf, d] of leaves) {
        const classes = Object.entries(d.bySubject).map(([subject, n]) => `${subject} ${n}`).join(', ');
        const line = blocks[i]!.find((l) => l.trimStart().startsWith(`${leaf}: `));
        assert.ok(line, `migration ${i + 1} has a line for ${leaf}`);
        const expected = `${leaf}: ${d.downloaded} downloaded from APIC${classes ? ` (${classes})` : ''}, ${d.servedFromCache} resolves served from cache`;
        assert.equal(line.trim(), expected);
      }
    });
  });

  it('prints each flow touching the node with its outage and drop counts as in the JSON', () => {
    json.migrations.forEach((m, i) => {
      assert.ok(m.flows.length > 0, `migration ${i + 1} has flows touching ${m.node}`);
      const flowLines = blocks[i]!.filter((l) => /^ {4}\S+\s+outage\s/.test(l));
      assert.equal(flowLines.length, m.flows.length, `migration ${i + 1}: one line per flow`);
      for (const f of m.flows) {
        const line = flowLines.find((l) => l.trim().split(/\s+/)[0] === f.name);
        assert.ok(line, `migration ${i + 1} has a line for flow ${f.name}`);
        assert.match(line, new RegExp(`outage\\s+${(f.outageMs / 1000).toFixed(3)} s`));
        const drops = Object.entries(f.dropped).map(([reason, n]) => `${n} ${reason}`).join(', ');
        assert.ok(line.trimEnd().endsWith(drops), `${JSON.stringify(line)} ends with ${JSON.stringify(drops)}`);
      }
      const longest = Math.max(...m.flows.map((f) => f.outageMs));
      assert.ok(blocks[i]!.includes(`  Longest pod-traffic outage: ${(longest / 1000).toFixed(3)} s`));
    });
  });

  it('lists the milestones in time order, at the times the JSON has', () => {
    json.migrations.forEach((m, i) => {
      const times = blocks[i]!.flatMap((l) => {
        const at = /^\s+\+\d+\.\d{3}s\s+t=(\d+\.\d{3})s\s/.exec(l);
        return at ? [Number(at[1])] : [];
      });
      assert.ok(times.length > 1, `migration ${i + 1} prints its milestones`);
      for (let k = 1; k < times.length; k++) assert.ok(times[k - 1]! <= times[k]!, `migration ${i + 1}: milestone ${k + 1} is not before milestone ${k}`);
      const jsonTimes = m.milestones.map((s) => Number((s.tMs / 1000).toFixed(3)));
      for (const t of times) assert.ok(jsonTimes.includes(t), `migration ${i + 1}: t=${t}s is a milestone of the JSON`);
      assert.equal(times[0], m.milestones.reduce((a, s) => Math.min(a, s.tMs), Infinity) / 1000, 'the first milestone is the migration start');
    });
  });
});
