import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/loader.ts';
import { ScenarioError, formatScenarioIssue } from '../../src/scenario/scenario-error.ts';
import type { ScenarioIssue } from '../../src/scenario/scenario-error.ts';
import { tiny } from './fixtures.ts';

const SOURCE = 'scenarios/tiny.yaml';

/** Parses `text` expecting a ScenarioError, and returns it. */
function failure(text: string, source = SOURCE): ScenarioError {
  try {
    parseScenario(text, source);
  } catch (err) {
    assert.ok(err instanceof ScenarioError, `expected a ScenarioError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the scenario to be rejected');
}

/** The issue at `path`, asserting there is exactly one. */
function issueAt(err: ScenarioError, path: string): ScenarioIssue {
  const found = err.issues.filter((i) => i.path === path);
  assert.equal(found.length, 1, `expected one issue at ${path}, got:\n${err.message}`);
  return found[0]!;
}

describe('scenario errors', { timeout: 120_000 }, () => {
  it('the tiny fixture itself is valid', () => {
    assert.equal(parseScenario(tiny(), SOURCE).name, 'tiny');
  });

  it('a value of the wrong type names the file, line, column and field', () => {
    const err = failure(tiny({ 2: 'seed: "abc"' }));
    assert.equal(err.message, 'scenarios/tiny.yaml:2:7: seed: expected a number, got string "abc"');
    assert.deepEqual(err.issues, [{ source: SOURCE, line: 2, column: 7, path: 'seed', message: 'expected a number, got string "abc"' }]);
  });

  it('a migration of an unknown node lists the known nodes', () => {
    const err = failure(tiny({ 40: '    node: node-9' }));
    assert.equal(err.message, 'scenarios/tiny.yaml:40:11: migrations[0].node: unknown node "node-9" (known: node-1, node-2)');
  });

  it('a pod in an EPG that does not exist points at the pod\'s epg', () => {
    const err = failure(tiny({ 29: '        epg: web-x' }));
    assert.equal(err.message, 'scenarios/tiny.yaml:29:14: nodes[0].pods[0].epg: unknown EPG "web-x" (known: web)');
  });

  it('a negative latency points at the latency', () => {
    const err = failure(tiny({}, ['latencies:', '  stun: -5ms', '  garp: { normal: { mean: 2ms, sd: -1 } }']));
    assert.equal(
      err.message,
      [
        'scenarios/tiny.yaml:45:9: latencies.stun: duration must not be negative, got "-5ms"',
        'scenarios/tiny.yaml:46:36: latencies.garp.normal.sd: duration must not be negative, got -1',
      ].join('\n'),
    );
  });

  it('an unknown key points at the key and suggests the closest known one', () => {
    const err = failure(tiny({}, ['timers:', '  bounceAgingMs: 630s']));
    assert.equal(err.message, 'scenarios/tiny.yaml:45:3: timers.bounceAgingMs: unknown key "bounceAgingMs" (did you mean "bounceAging"?)');
  });

  it('a misspelt required key gives both the unknown key and the missing one at its parent', () => {
    const err = failure(tiny({ 25: '    infraIP: 10.0.0.101' }));
    const missing = issueAt(err, 'nodes[0].infraIp');
    assert.deepEqual([missing.line, missing.column, missing.message], [23, 5, 'missing required key "infraIp" (a string)']);
    const unknown = issueAt(err, 'nodes[0].infraIP');
    assert.deepEqual([unknown.line, unknown.column, unknown.message], [25, 5, 'unknown key "infraIP" (did you mean "infraIp"?)']);
  });

  it('an unknown top-level key is an error too', () => {
    const err = failure(tiny({}, ['colour: blue']));
    assert.equal(err.issues.length, 1);
    assert.equal(err.issues[0]!.line, 44);
    assert.match(err.message, /^scenarios\/tiny\.yaml:44:1: colour: unknown key "colour" \(expected one of: name, description, seed, /);
  });

  it('a YAML syntax error is reported with its line and column', () => {
    const err = failure(tiny({ 21: '    - { name: web, bd: bd' }));
    assert.equal(err.issues.length, 1);
    const issue = err.issues[0]!;
    assert.deepEqual([issue.source, issue.line, issue.column, issue.path], [SOURCE, 22, 1, '']);
    assert.match(err.message, /^scenarios\/tiny\.yaml:22:1: YAML syntax error: flow map in block collection must be sufficiently indented and end with a \}/);
  });

  it('a duplicate map key is a YAML error at the second key', () => {
    const err = failure(tiny({ 2: 'seed: 7\nseed: 8' }));
    assert.match(err.message, /^scenarios\/tiny\.yaml:3:1: YAML syntax error: map keys must be unique/);
  });

  it('a duplicate pod name points at the second pod and says where the first is', () => {
    const err = failure(tiny({ 37: '      - { name: web-1, epg: web, ip: 10.2.2.10, mac: 0a:58:0a:02:02:0a }', 43: '  - { name: web, from: web-1, to: web-1 }' }));
    const dup = issueAt(err, 'nodes[1].pods[0].name');
    assert.equal(formatScenarioIssue(dup), 'scenarios/tiny.yaml:37:17: nodes[1].pods[0].name: duplicate pod name "web-1" (first used at line 28, nodes[0].pods[0].name)');
    assert.match(issueAt(err, 'flows[0].to').message, /two different pods/);
  });

  it('an empty value for a required key points at the key', () => {
    const err = failure(tiny({ 23: '  - name:' }));
    assert.equal(err.message, 'scenarios/tiny.yaml:23:5: nodes[0].name: expected a string, got an empty value');
  });

  it('a missing section points at the document root', () => {
    const text = tiny().replace(/^nodes:[\s\S]*?(?=^migrations:)/m, '');
    const err = failure(text);
    const issue = issueAt(err, 'nodes');
    assert.deepEqual([issue.line, issue.column, issue.message], [1, 1, 'missing required key "nodes" (a list)']);
  });

  it('an empty file or a document that is not a mapping is an error at 1:1', () => {
    assert.equal(failure('# nothing here\n').message, 'scenarios/tiny.yaml:1:1: scenario is empty: expected a mapping with at least name, fabric and nodes');
    assert.equal(failure('- a\n- b\n').message, 'scenarios/tiny.yaml:1:1: expected a mapping, got a list');
  });

  it('reports every issue at once, in file order', () => {
    const err = failure(tiny({ 2: 'seed: -1', 8: '        - { name: leaf-101, id: 101, address: 10.0.80.640 }', 26: '    mac: 00:50:56:A1:00' }));
    assert.deepEqual(
      err.issues.map((i) => [i.line, i.path]),
      [
        [2, 'seed'],
        [8, 'fabric.leafPairs[0].leaves[0].address'],
        [26, 'nodes[0].mac'],
      ],
    );
    assert.equal(issueAt(err, 'seed').message, 'must be >= 0, got -1');
    assert.equal(issueAt(err, 'fabric.leafPairs[0].leaves[0].address').message, 'expected an IPv4 address such as "10.0.0.101", got string "10.0.80.640"');
    assert.match(issueAt(err, 'nodes[0].mac').message, /^expected a MAC address/);
  });

  it('migrating a node to the hypervisor it is already on is an error', () => {
    const err = failure(tiny({ 38: 'migrations:\n  - { at: 30s, node: node-1, to: esx-2 }' }));
    // The migration at 30s comes second in time even though it is listed first.
    assert.equal(err.message, 'scenarios/tiny.yaml:39:34: migrations[0].to: node "node-1" is already on hypervisor "esx-2" at 30s');
  });

  it('a migration or flow outside the scenario duration is an error', () => {
    const err = failure(tiny({ 2: 'seed: 7\nduration: 15s' }).replace('to: web-1 }', 'to: web-1, stop: 1m }'));
    assert.equal(
      err.message,
      [
        'scenarios/tiny.yaml:40:9: migrations[0].at: 20s is not before the end of the scenario (duration 15s)',
        'scenarios/tiny.yaml:44:48: flows[0].stop: 60s is after the end of the scenario (duration 15s)',
      ].join('\n'),
    );
  });

  it('dangling policy references are reported at each reference', () => {
    const err = failure(
      tiny({
        19: '  bridgeDomains: [{ name: bd, vrf: vrf-x, subnets: [10.2.0.1/16] }]',
        21: '    - { name: web, bd: bd, provides: [nope] }',
        15: '    - { name: esx-1, leafPair: pair-z }',
      }),
    );
    assert.deepEqual(
      err.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`),
      [
        '15:32 fabric.hypervisors[0].leafPair: unknown leaf pair "pair-z" (known: pair-a, pair-b)',
        '19:36 policy.bridgeDomains[0].vrf: unknown VRF "vrf-x" (known: vrf)',
        '21:39 policy.epgs[0].provides[0]: unknown contract "nope" (none defined)',
      ],
    );
  });

  it('a leaf pair needs exactly two leaves, with unique names, ids and addresses', () => {
    const err = failure(tiny({ 9: '        - { name: leaf-101, id: 101, address: 10.0.80.64 }', 13: '' }));
    assert.deepEqual(
      err.issues.map((i) => `${i.line} ${i.path}: ${i.message}`),
      ['12 fabric.leafPairs[1].leaves: must have exactly 2 items, got 1'],
    );
    const err2 = failure(tiny({ 9: '        - { name: leaf-101, id: 101, address: 10.0.80.64 }' }));
    assert.deepEqual(
      err2.issues.map((i) => `${i.line} ${i.path}`),
      ['9 fabric.leafPairs[0].leaves[1].name', '9 fabric.leafPairs[0].leaves[1].id', '9 fabric.leafPairs[0].leaves[1].address'],
    );
  });

  it('a distribution in the wrong form explains the accepted forms', () => {
    const err = failure(tiny({}, ['latencies:', '  stun: { gamma: 1 }', '  garp: 5x', '  connect: { uniform: [2ms, 1ms] }']));
    assert.deepEqual(
      err.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`),
      [
        '45:9 latencies.stun: expected a distribution: a duration, a range "A..B", {uniform: [A, B]}, {normal: {mean, sd, min?}}, {lognormal: {median, sigma, max?}} or {exponential: {mean, max?}}, got a mapping',
        '46:9 latencies.garp: unknown unit "x" in duration "5x": use ms, s, m or h',
        '47:23 latencies.connect.uniform: the lower bound (2ms) must not be greater than the upper bound (1ms)',
      ],
    );
  });
});

describe('scenario files', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-scenario-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an error in a file names the file path', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, tiny({ 40: '    node: node-9' }));
    assert.throws(() => loadScenarioFile(path), (err: unknown) => {
      assert.ok(err instanceof ScenarioError);
      assert.equal(err.message, `${path}:40:11: migrations[0].node: unknown node "node-9" (known: node-1, node-2)`);
      return true;
    });
  });

  it('a file that does not exist is a ScenarioError naming the path', () => {
    const path = join(dir, 'missing.yaml');
    assert.throws(() => loadScenarioFile(path), (err: unknown) => {
      assert.ok(err instanceof ScenarioError);
      assert.equal(err.message, `${path}: scenario file not found`);
      assert.deepEqual(err.issues, [{ source: path, line: 0, column: 0, path: '', message: 'scenario file not found' }]);
      return true;
    });
  });

  it('an unknown built-in scenario lists the known ones', () => {
    assert.throws(() => loadBuiltinScenario('nope'), { name: 'ScenarioError', message: /^built-in:nope: unknown built-in scenario "nope" \(known: .*default/ });
  });

  it('a policy file that does not exist is reported at policy.policyFile', () => {
    const err = failure(tiny({ 18: '  policyFile: nope.json\n  vrfs: [{ name: vrf }]' }), join(dir, 'x.yaml'));
    assert.equal(err.issues.length, 1);
    assert.equal(err.issues[0]!.line, 18);
    assert.equal(err.issues[0]!.message, `policy file not found: ${join(dir, 'nope.json')}`);
  });
});
