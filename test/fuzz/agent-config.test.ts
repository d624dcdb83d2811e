/**
 * Seeded fuzzing of the agent configuration files (`agent --config-dir`): hostile text, hostile JSON
 * and mutations of a real 01-base.conf either read or fail with an AgentConfigError whose message is one
 * line starting with the file's name; nothing else escapes, nothing hangs. What the host-agent's
 * template writes reads back to the same values, except where Go's `js` escaping itself makes
 * something the reference agent cannot read either.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { goJsEscape, renderBaseConf } from '../../src/live/agent-config-files.ts';
import { AgentConfigError, parseAgentConfigText, readAgentConfigDirs, type AgentConfig } from '../../src/live/agent-config-reader.ts';
import { fuzzParameters, hostileJson, hostileString } from '../support/fuzz.ts';

const FILE = '/etc/opflex/01-base.conf';
const BASE = renderBaseConf({ name: 'node-1', domain: 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid', peerHost: '10.0.0.30' });

/** Reads `text` as the file FILE; returns the configuration or the AgentConfigError (anything else fails the property). */
function readText(text: string): AgentConfig | AgentConfigError {
  const dir = scratch();
  writeFileSync(join(dir, '01-base.conf'), text);
  try {
    return readAgentConfigDirs([dir]);
  } catch (err) {
    if (!(err instanceof AgentConfigError)) throw err;
    assert.ok(err.message.startsWith(join(dir, '01-base.conf')), err.message);
    assert.ok(!/[\n\r]/.test(err.message), `one line: ${JSON.stringify(err.message)}`);
    return err;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const root = mkdtempSync(join(tmpdir(), 'opflex-twin-fuzz-conf-'));
let scratches = 0;
/** A fresh directory for one input (the reader takes directories, as the agent does). */
function scratch(): string {
  const dir = join(root, String(scratches++));
  mkdirSync(dir);
  return dir;
}

/** 01-base.conf with a few characters inserted, deleted or replaced. */
const mutatedBase = fc
  .array(fc.tuple(fc.nat(BASE.length), fc.nat(3), fc.oneof(hostileString(4), fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '#', '//', '\n'))), { minLength: 1, maxLength: 6 })
  .map((edits) => edits.reduce((text, [at, remove, insert]) => text.slice(0, at) + insert + text.slice(at + remove), BASE));

/** A JSON object shaped like a configuration, with hostile values where the reader looks. */
const hostileConfig = fc.record({
  opflex: fc.oneof(hostileJson(), fc.record({ name: hostileJson(2), domain: hostileJson(2), peers: fc.oneof(hostileJson(3), fc.array(fc.record({ hostname: hostileJson(1), port: hostileJson(1) }), { maxLength: 70 })) }, { requiredKeys: [] })),
}, { requiredKeys: [] });

describe('fuzzing the agent configuration reader', { timeout: 60_000 }, () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reads or refuses in one line naming the file: hostile text, hostile JSON, configuration-shaped JSON, mutations of 01-base.conf', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(400), hostileJson().map((v) => JSON.stringify(v) ?? ''), hostileConfig.map((v) => JSON.stringify(v)), mutatedBase), (text) => {
        const result = readText(text);
        if (!(result instanceof AgentConfigError)) {
          assert.ok(result.peers.every((p) => typeof p.host === 'string' && p.host !== '' && Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535));
          assert.ok(result.name === undefined || (typeof result.name === 'string' && result.name !== ''));
        }
      }),
      fuzzParameters(300),
    );
  });

  it('deep nesting is refused before JSON.parse recurses, at any depth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 33, max: 200_000 }), fc.constantFrom('[', '{"a":'), (depth, open) => {
        assert.throws(() => parseAgentConfigText(open.repeat(depth), FILE), { name: 'AgentConfigError', message: new RegExp(`^${FILE}:1: nested more than 32 levels deep$`) });
      }),
      fuzzParameters(30),
    );
  });

  it("what the host-agent's template writes reads back to the same name and domain, unless Go's escaping made it unreadable", () => {
    // Go writes \' for an apostrophe (not JSON), and \u plus all hex digits for a non-printable code point past U+FFFF.
    const unreadable = (value: string) => value.includes("'") || [...value].some((ch) => ch.codePointAt(0)! > 0xffff && goJsEscape(ch).startsWith('\\u'));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (name, domain) => {
        const result = readText(renderBaseConf({ name, domain, peerHost: '10.1.0.30' }));
        if (unreadable(name) || unreadable(domain)) return;
        assert.ok(!(result instanceof AgentConfigError), result instanceof AgentConfigError ? result.message : '');
        assert.equal(result.name, name);
        assert.equal(result.domain, domain);
        assert.deepEqual(result.peers, [{ host: '10.1.0.30', port: 8009 }]);
      }),
      fuzzParameters(300),
    );
  });
});
