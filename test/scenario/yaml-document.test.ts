import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScenario } from '../../src/scenario/loader.ts';
import { parsePlan } from '../../src/scenario/plan.ts';
import { parseAccProvision } from '../../src/scenario/acc-provision.ts';
import { ScenarioError, scenarioIssuesReportedMax } from '../../src/scenario/scenario-error.ts';
import { parseVary } from '../../src/scenario/variants.ts';
import { parseYamlSource, parseYamlValue, yamlAliasesMax, yamlDepthMax, yamlToJs } from '../../src/scenario/yaml-document.ts';
import { tiny } from './fixtures.ts';

function failure(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ScenarioError, `expected a ScenarioError, got ${err instanceof Error ? err.stack : String(err)}`);
    return err;
  }
  assert.fail('expected the YAML to be refused');
}

describe('YAML as the command line reads it', { timeout: 300_000 }, () => {
  it('refuses an alias inside the node it names, at the alias, in scenarios, plans and acc-provision files', () => {
    const scenario = failure(() => parseScenario(tiny({ 38: 'controller: &c {node: node-2, self: *c}', 39: 'migrations:' }, []), 'cycle.yaml'));
    assert.equal(scenario.message, 'cycle.yaml:38:37: alias *c is inside the node &c it refers to (a cycle)');
    assert.match(failure(() => parsePlan('migrations: &m [*m]\n', 'plan.yaml')).message, /^plan\.yaml:1:17: alias \*m is inside/);
    assert.match(failure(() => parseAccProvision('kube_config: &k\n  x: *k\n', 'acc.yaml')).message, /^acc\.yaml:2:6: alias \*k is inside/);
  });

  it('refuses a cyclic --set or --vary value with a SyntaxError naming it', () => {
    assert.throws(() => parseVary('apicFetch=&a [*a]'), { name: 'SyntaxError', message: /^value "&a \[\*a\]": alias \*a is inside the node &a it refers to \(a cycle\) \(column 5\)$/ });
    assert.deepEqual(parseYamlValue('[1, {a: b}]', 'value'), [1, { a: 'b' }]);
  });

  it('accepts aliases that do not form a cycle, and merge keys', () => {
    const y = parseYamlSource('base: &b {x: 1}\nuse: *b\nmerged:\n  <<: *b\n  y: 2\n', 'ok.yaml');
    assert.deepEqual(yamlToJs(y), { base: { x: 1 }, use: { x: 1 }, merged: { x: 1, y: 2 } });
  });

  it('reports a duplicate key at the second one, saying where the first is', () => {
    assert.equal(failure(() => parseYamlSource('a: 1\nb:\n  c: 1\n  c: 2\n', 'dup.yaml')).message, 'dup.yaml:4:3: YAML syntax error: map keys must be unique: "c" is already at line 3');
  });

  it('checks 100,000 duplicate keys in linear time and lists the first 100 of them', { timeout: 60_000 }, () => {
    // With the yaml package's own uniqueKeys check this took minutes (quadratic); the test timeout is the bound.
    const text = 'k: 0\n' + Array.from({ length: 100_000 }, (_, i) => `k: ${i}\n`).join('');
    const err = failure(() => parseYamlSource(text, 'many.yaml'));
    assert.equal(err.issues.length, scenarioIssuesReportedMax);
    assert.equal(err.omitted, 100_000 - scenarioIssuesReportedMax);
    assert.match(err.message, /\n\.\.\. and 99900 more problems not shown$/);
  });

  it('refuses 100,000 unknown scenario keys with 100 placed issues, in time linear in the keys', { timeout: 120_000 }, () => {
    const text = tiny({}, Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`));
    const err = failure(() => parseScenario(text, 'keys.yaml'));
    assert.equal(err.issues.length, scenarioIssuesReportedMax);
    assert.equal(err.omitted, 100_000 - scenarioIssuesReportedMax);
    assert.match(err.issues[0]!.message, /^unknown key "k0"/);
  });

  it('refuses a mapping or list used as a key (the yaml package would only print a warning)', () => {
    assert.match(failure(() => parseYamlSource('? [a, b]\n: 1\n', 'key.yaml')).message, /^key\.yaml:1:3: a mapping key must be a plain value, not a mapping or list$/);
  });

  it(`refuses nesting deeper than ${yamlDepthMax} levels, in block and flow style`, () => {
    const flow = '['.repeat(yamlDepthMax + 1) + ']'.repeat(yamlDepthMax + 1);
    assert.match(failure(() => parseYamlSource(flow, 'deep.yaml')).message, new RegExp(`^deep\\.yaml:1:${yamlDepthMax + 1}: nested more than ${yamlDepthMax} levels deep$`));
    const block = Array.from({ length: yamlDepthMax + 1 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
    assert.match(failure(() => parseYamlSource(block, 'deep.yaml')).message, /nested more than 64 levels deep/);
    assert.doesNotThrow(() => parseYamlSource('['.repeat(yamlDepthMax) + ']'.repeat(yamlDepthMax), 'ok.yaml'));
  });

  it('turns a parser stack overflow on absurd nesting into a syntax error, not a crash', () => {
    const err = failure(() => parseYamlSource('['.repeat(100_000), 'abyss.yaml'));
    assert.match(err.message, /^abyss\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it(`refuses more than ${yamlAliasesMax} aliases (an alias bomb)`, () => {
    const text = 'a: &a [x]\nb: [' + Array.from({ length: yamlAliasesMax + 1 }, () => '*a').join(', ') + ']\n';
    assert.match(failure(() => parseYamlSource(text, 'bomb.yaml')).message, new RegExp(`more than ${yamlAliasesMax} aliases in one document`));
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    assert.match(failure(() => yamlToJs(parseYamlSource(bomb, 'bomb.yaml'))).message, /^bomb\.yaml:1:1: cannot read the YAML document: /);
  });
});
