import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { scenarioJsonSchema } from '../../src/scenario/scenario-json-schema.ts';

interface JsonSchema {
  $schema?: string;
  type?: string;
  required?: string[];
  additionalProperties?: boolean;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  else?: JsonSchema;
  default?: unknown;
}

describe('scenario JSON Schema export', { timeout: 120_000 }, () => {
  const schema = scenarioJsonSchema() as JsonSchema;

  it('is a draft 2020-12 schema of a strict object that needs a name, and fabric and nodes unless they are generated', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(schema.type, 'object');
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ['name']);
    assert.deepEqual(schema.else?.required, ['fabric', 'nodes']);
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(schema)));
  });

  it('describes the input form: acc-provision names in settings, keys without Ms, input defaults', () => {
    const p = schema.properties!;
    assert.ok(p['settings']!.properties!['enable_opflex_agent_reconnect']);
    assert.equal(p['settings']!.properties!['opflex_agent_reset_wait_delay']!.default, 5);
    assert.equal(p['timers']!.properties!['bounceAging']!.default, '630s');
    assert.equal(p['timers']!.properties!['bounceAgingMs'], undefined);
    assert.equal(p['latencies']!.properties!['stun']!.default, '200ms..1s');
    assert.equal(p['latencies']!.properties!['stun']!.anyOf!.length, 6);
    assert.equal(p['fabric']!.properties!['anycast']!.default, '10.0.0.30:8009');
  });

  it('has every key documented in docs/scenario-reference.md', () => {
    const docs = readFileSync(new URL('../../docs/scenario-reference.md', import.meta.url), 'utf8');
    // Every word inside a `code span` of the docs, e.g. `leaves[].address` gives leaves and address.
    const prose = docs.replace(/```[\s\S]*?```/g, '');
    const documented = new Set([...prose.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1]!.split(/[^A-Za-z0-9_]+/)));
    const missing: string[] = [];
    const visit = (s: JsonSchema, path: string) => {
      for (const option of s.anyOf ?? []) visit(option, path);
      if (s.items) visit(s.items, `${path}[]`);
      for (const [key, sub] of Object.entries(s.properties ?? {})) {
        if (!documented.has(key)) missing.push(`${path}.${key}`);
        visit(sub, `${path}.${key}`);
      }
    };
    visit(schema, '');
    assert.deepEqual(missing, []);
  });
});
