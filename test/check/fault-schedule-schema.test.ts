import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FAULT_KIND_NAMES, FAULT_KINDS, faultDurationMaxMs } from '../../src/scenario/fault-schema.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import { tiny } from '../scenario/fixtures.ts';

/** The tiny scenario with `faultSchedule:` entries appended from line 45 on. */
function withFaults(...entries: string[]): string {
  return tiny({}, ['faultSchedule:', ...entries.map((e) => `  - ${e}`)]);
}

function errors(text: string): string[] {
  try {
    parseScenario(text, 'f.yaml');
  } catch (err) {
    assert.ok(err instanceof ScenarioError, String(err));
    return err.message.split('\n');
  }
  assert.fail('expected the scenario to be refused');
}

describe('faultSchedule entries', { timeout: 30_000 }, () => {
  test('a valid entry of every kind loads, with durations in milliseconds and defaults for side and mode', () => {
    const entries = FAULT_KIND_NAMES.map((kind) => {
      const spec = FAULT_KINDS[kind];
      const parts = [`at: 25s`, `kind: ${kind}`];
      if ((spec.targets as readonly string[]).includes('node')) parts.push('node: node-1');
      if ((spec.targets as readonly string[]).includes('leaf')) parts.push('leaf: leaf-101');
      if ((spec.targets as readonly string[]).includes('hypervisor')) parts.push('hypervisor: esx-1');
      if (spec.for) parts.push('for: 1.5s');
      if (spec.delay) parts.push('delay: 250ms');
      return `{ ${parts.join(', ')} }`;
    });
    const s = parseScenario(withFaults(...entries), 'f.yaml');
    assert.equal(s.faultSchedule!.length, FAULT_KIND_NAMES.length);
    const partition = s.faultSchedule!.find((f) => f.kind === 'partition')!;
    assert.deepEqual(partition, { atMs: 25_000, kind: 'partition', node: 'node-1', leaf: 'leaf-101', mode: 'hold', forMs: 1500 });
    assert.equal(s.faultSchedule!.find((f) => f.kind === 'session-reset')!.side, 'agent');
    assert.equal(s.faultSchedule!.find((f) => f.kind === 'message-delay')!.delayMs, 250);
  });

  test('no faultSchedule key: the scenario has none', () => {
    assert.equal(parseScenario(tiny(), 't.yaml').faultSchedule, undefined);
  });

  test('each problem is one line with file, line, column and field', () => {
    const lines = errors(
      withFaults(
        '{ at: 30s, kind: partition, node: node-1, for: 5s }', //     line 45: no leaf
        '{ at: 30s, kind: bogus }', //                                line 46
        '{ at: 30s, kind: coop-delay, for: 1s }', //                  line 47: no delay
        '{ at: 30s, kind: host-agent-restart, node: node-1, for: 1s }', // line 48: takes no for
        '{ at: 30s, kind: apic-slow, for: 25h, delay: 1s }', //        line 49: too long
        '{ at: 30s, kind: garp-lost, node: node-1, for: 1s, side: leaf }', // line 50
      ),
    );
    assert.ok(lines.some((l) => /^f\.yaml:45:\d+: faultSchedule\[0\]\.leaf: partition needs a leaf$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^f\.yaml:46:\d+: faultSchedule\[1\]\.kind: expected one of .*"partition".*got string "bogus"$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^f\.yaml:47:\d+: faultSchedule\[2\]\.delay: coop-delay needs a magnitude/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^f\.yaml:48:\d+: faultSchedule\[3\]\.for: host-agent-restart takes no duration/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => new RegExp(`^f\\.yaml:49:\\d+: faultSchedule\\[4\\]\\.for: must be at most ${faultDurationMaxMs / 3_600_000} hours`).test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^f\.yaml:50:\d+: faultSchedule\[5\]\.side: only session-reset takes a side$/.test(l)), lines.join('\n'));
  });

  test('a target that names nothing in the scenario is refused with the known names', () => {
    const lines = errors(withFaults('{ at: 30s, kind: proxy-restart, leaf: leaf-999, for: 1s }', '{ at: 30s, kind: agent-restart, node: node-9, for: 1s }'));
    assert.ok(lines.some((l) => /^f\.yaml:45:\d+: faultSchedule\[0\]\.leaf: unknown leaf "leaf-999" \(known: leaf-101, leaf-102, leaf-103, leaf-104\)$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^f\.yaml:46:\d+: faultSchedule\[1\]\.node: unknown node "node-9"/.test(l)), lines.join('\n'));
  });
});
