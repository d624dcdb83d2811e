/** The multipod form of `fabric`: defaults, and each rule with its one-line error at file:line. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../../src/scenario/loader.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';

const builtinText = readFileSync(fileURLToPath(new URL('../../src/scenario/builtin/multipod.yaml', import.meta.url)), 'utf8');

/** The built-in text with one line replaced (matched exactly once). */
function edited(from: string, to: string): string {
  assert.equal(builtinText.split(from).length, 2, `"${from}" must occur once`);
  return builtinText.replace(from, to);
}

function problems(text: string): string[] {
  try {
    parseScenario(text, 'mp.yaml');
  } catch (err) {
    assert.ok(err instanceof ScenarioError, String(err));
    return err.message.split('\n');
  }
  assert.fail('expected a ScenarioError');
}

const lineOf = (text: string, fragment: string) => text.split('\n').findIndex((l) => l.includes(fragment)) + 1;

describe('multipod scenario form', { timeout: 30_000 }, () => {
  it('normalises pods: the default anycast is the pool base .30:8009, flat lists hold every pod, the DHCP defaults apply', () => {
    const s = loadBuiltinScenario('multipod');
    assert.deepEqual(s.fabric.pods!.map((p) => [p.id, p.tepPool, p.anycast]), [
      [1, '10.0.0.0/16', { address: '10.0.0.30', port: 8009 }],
      [2, '10.1.0.0/16', { address: '10.1.0.30', port: 8009 }],
    ]);
    assert.deepEqual(s.fabric.leafPairs.map((p) => p.name), ['pair-a', 'pair-b', 'pair-c']);
    assert.deepEqual(s.fabric.hypervisors.map((h) => h.name), ['esx-1', 'esx-2', 'esx-3', 'esx-4']);
    assert.deepEqual(s.fabric.pods![1]!.dhcp, { leaseMs: 86_400_000, offerLatencyMs: { kind: 'uniform', minMs: 5, maxMs: 50 }, range: { first: '10.1.0.64', last: '10.1.255.254' } });
    assert.equal(s.fabric.podId, 1);
  });

  it('refuses a leaf address outside its pod pool, at its line', () => {
    const text = edited('{ name: leaf-201, id: 201, address: 10.1.80.64 }', '{ name: leaf-201, id: 201, address: 10.0.80.99 }');
    const [line] = problems(text);
    assert.equal(line, `mp.yaml:${lineOf(text, 'leaf-201')}:51: fabric.pods[1].leafPairs[0].leaves[0].address: leaf "leaf-201" address 10.0.80.99 is outside pod 2's TEP pool 10.1.0.0/16`);
  });

  it("refuses a node's infra address outside its hypervisor's pod pool", () => {
    const text = edited('infraIp: 10.1.176.73', 'infraIp: 10.0.176.73');
    const lines = problems(text);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^mp\\.yaml:${lineOf(text, 'infraIp: 10.0.176.73')}:\\d+: nodes\\[2\\]\\.infraIp: infra address 10\\.0\\.176\\.73 of node "node-3" is outside pod 2's TEP pool 10\\.1\\.0\\.0/16 \\(hypervisor "esx-3"\\)$`));
  });

  it('refuses duplicate pod ids, overlapping pools and a hypervisor name used in two pods', () => {
    const text = edited('    - id: 2\n      tepPool: 10.1.0.0/16', '    - id: 1\n      tepPool: 10.0.128.0/17').replace('{ name: esx-4, leafPair: pair-c }', '{ name: esx-1, leafPair: pair-c }');
    const lines = problems(text);
    assert.ok(lines.some((l) => /fabric\.pods\[1\]\.id: duplicate pod id 1/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /fabric\.pods\[1\]\.tepPool: TEP pool 10\.0\.128\.0\/17 overlaps pod 1's 10\.0\.0\.0\/16/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /fabric\.pods\[1\]\.hypervisors\[1\]\.name: duplicate hypervisor name "esx-1"/.test(l)), lines.join('\n'));
  });

  it('refuses a hypervisor on a leaf pair of another pod', () => {
    const text = edited('{ name: esx-4, leafPair: pair-c }', '{ name: esx-4, leafPair: pair-a }');
    const [line] = problems(text);
    assert.match(line!, /fabric\.pods\[1\]\.hypervisors\[1\]\.leafPair: leaf pair "pair-a" is in pod 1, not in hypervisor "esx-4"'s pod 2$/);
  });

  it('refuses a pool that is not a base, and top-level lists beside pods', () => {
    const text = edited('tepPool: 10.1.0.0/16', 'tepPool: 10.1.0.5/16')
      .replace('fabric:\n  pods:', 'fabric:\n  spines: [x]\n  pods:');
    const lines = problems(text);
    assert.ok(lines.some((l) => /fabric\.spines: spines belongs inside each pod when fabric lists pods/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /fabric\.pods\[1\]\.tepPool: "10\.1\.0\.5\/16" is not a pool base: did you mean "10\.1\.0\.0\/16"\?/.test(l)), lines.join('\n'));
  });

  it('refuses the multipod faults with the wrong type, at their line', () => {
    const text = edited('  - { at: 20s, node: node-1, to: esx-3 }', '  - { at: 20s, node: node-1, to: esx-3, faults: { dhcpSilent: sometimes } }');
    const [line] = problems(text);
    assert.match(line!, /^mp\.yaml:\d+:\d+: migrations\[0\]\.faults\.dhcpSilent: /);
  });
});
