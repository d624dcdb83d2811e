import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceEvent } from '../../src/kernel/trace.ts';
import { logValue, printable } from '../../src/printable.ts';
import { traceLine } from '../../src/cli/trace-printer.ts';

const FORGED = 'node-1\n     t=1.000s  leaf-101         session-ready  agent=admin';
const event = (data: TraceEvent['data'], actor = 'leaf-101'): TraceEvent => ({ tMs: 1500, actor, event: 'session-ready', data });

describe('printing peer-controlled text', { timeout: 10_000 }, () => {
  it('keeps an agent name that carries a newline on one line, quoted and escaped', () => {
    const line = traceLine(event({ agent: FORGED }), false);
    assert.doesNotMatch(line, /\n/);
    assert.equal(line, '    t=1.500s  leaf-101         session-ready  agent="node-1\\x0a     t=1.000s  leaf-101         session-ready  agent=admin"');
  });

  it('escapes terminal escape sequences, C1 controls, line separators and bidi overrides', () => {
    assert.equal(printable('\u001b[2J\u001b]0;title\u0007\u009b31m\u2028\u202eevil'), '\\x1b[2J\\x1b]0;title\\x07\\x9b31m\\u2028\\u202eevil');
    const line = traceLine(event({ agent: 'a\u001b[31mred' }, 'agent:\u001b[1mx'), false);
    assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f]/);
    assert.match(line, /agent:\\x1b\[1mx/);
  });

  it('quotes a value with spaces or quotes, so one field never reads as two', () => {
    assert.equal(logValue('plain-name'), 'plain-name');
    assert.equal(logValue('a b=c'), '"a b=c"');
    assert.equal(logValue('say "hi"\\'), '"say \\"hi\\"\\\\"');
    assert.equal(logValue(''), '""');
    assert.equal(logValue(42), '42');
  });

  it('keeps NDJSON valid JSON with the same value, and free of raw separators and controls', () => {
    const name = 'x\u2028y\u0085z\u202e\n';
    const line = traceLine(event({ agent: name }), true);
    assert.doesNotMatch(line, /[\u0000-\u001f\u0080-\u009f\u2028\u202e]/);
    assert.equal((JSON.parse(line) as { agent: string }).agent, name);
  });
});
