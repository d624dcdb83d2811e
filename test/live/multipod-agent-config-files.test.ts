import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BASE_CONF_FILE, goJsEscape, renderBaseConf, renderRendererConf, RENDERER_CONF_FILE } from '../../src/live/agent-config-files.ts';
import { agentConfigDepthMax, agentConfigFileMaxBytes, agentConfigPeersMax, readAgentConfigDirs } from '../../src/live/agent-config-reader.ts';

const root = mkdtempSync(join(tmpdir(), 'opflex-twin-agent-conf-'));
let dirs = 0;
function configDir(files: Record<string, string>): string {
  const dir = join(root, `d${dirs++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const DOMAIN = 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid';

after(() => rmSync(root, { recursive: true, force: true }));

describe('the agent configuration files the host-agent writes', { timeout: 30_000 }, () => {
  it("01-base.conf is the reference template's text: four-space indents, the odd ' } ,', the port as the string \"8009\"", () => {
    const text = renderBaseConf({ name: 'node-1', domain: DOMAIN, peerHost: '10.0.0.30' });
    assert.ok(text.startsWith('{\n    "opflex": {\n        "name": "node-1",\n        "domain": "comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid",\n'));
    assert.ok(text.includes('        "peers": [\n            {"hostname": "10.0.0.30", "port": "8009"}\n        ]\n    } ,\n'));
    assert.ok(text.includes('    "endpoint-sources": {\n        "filesystem": ["/usr/local/var/lib/opflex-agent-ovs/endpoints/"]\n    },\n'));
    assert.ok(text.endsWith('    "host-agent-fault-sources": {\n        "filesystem": ["/usr/local/var/lib/opflex-agent-ovs/faults/"]\n    }\n}\n'));
  });

  it('10-renderer.conf carries the VXLAN anycast remote (.32) and the infra VLAN as a string', () => {
    const parsed = JSON.parse(renderRendererConf({ vxlanRemoteIp: '10.1.0.32' })) as { renderers: { 'stitched-mode': { encap: { vxlan: Record<string, unknown> } } } };
    assert.deepEqual(parsed.renderers['stitched-mode'].encap.vxlan, {
      'encap-iface': 'vxlan0', 'uplink-iface': 'eth1.4093', 'uplink-vlan': '4093', 'remote-ip': '10.1.0.32', 'remote-port': 8472,
    });
  });

  it("escapes values as Go's js template function does", () => {
    assert.equal(goJsEscape('<a href="x">&\\'), '\\u003Ca href\\u003D\\"x\\"\\u003E\\u0026\\\\');
    assert.equal(goJsEscape("it's"), "it\\'s");
    assert.equal(goJsEscape('a\nb\u0000\u001f'), 'a\\u000Ab\\u0000\\u001F');
    assert.equal(goJsEscape('n\u00e9ud-\u4e2d'), 'n\u00e9ud-\u4e2d');
    assert.equal(goJsEscape('\u200b\u2028'), '\\u200B\\u2028');
  });

  it('reads back what it writes: name, domain and the peer on port 8009, even with quotes, backslashes and newlines in the values', () => {
    const name = 'node "1"\\\n<x>=&';
    const dir = configDir({ [BASE_CONF_FILE]: renderBaseConf({ name, domain: DOMAIN, peerHost: '127.0.1.30' }), [RENDERER_CONF_FILE]: renderRendererConf({ vxlanRemoteIp: '127.0.1.32' }) });
    const config = readAgentConfigDirs([dir]);
    assert.equal(config.name, name);
    assert.equal(config.domain, DOMAIN);
    assert.deepEqual(config.peers, [{ host: '127.0.1.30', port: 8009 }]);
    assert.deepEqual(config.files, [join(dir, BASE_CONF_FILE), join(dir, RENDERER_CONF_FILE)]);
  });

  it("a value with an apostrophe makes a file that is not JSON (Go writes \\'), and the reader says where", () => {
    const dir = configDir({ [BASE_CONF_FILE]: renderBaseConf({ name: "o'brien", domain: DOMAIN, peerHost: '10.0.0.30' }) });
    assert.throws(() => readAgentConfigDirs([dir]), { message: `${join(dir, BASE_CONF_FILE)}:3: not JSON: Bad escaped character` });
  });
});

describe('reading configuration directories as the reference agent does', { timeout: 30_000 }, () => {
  it('applies *.conf files in name order: later files override the name and domain, peers accumulate; reset, reboot and hidden files are not configuration', () => {
    const dir = configDir({
      '01-base.conf': '{"opflex": {"name": "a", "domain": "d1", "peers": [{"hostname": "10.0.0.30", "port": "8009"}]}}',
      '20-override.conf': '# a comment line\n// and another\n{"opflex": {"name": "b", "peers": [{"hostname": "10.0.0.31", "port": 8010}, {"hostname": "10.0.0.30", "port": 8009}]}}',
      'reset.conf': 'not json at all',
      'reboot-x.conf': 'not json at all',
      '.hidden.conf': 'not json at all',
      'notes.txt': 'not json at all',
    });
    const config = readAgentConfigDirs([dir]);
    assert.equal(config.name, 'b');
    assert.equal(config.domain, 'd1');
    assert.deepEqual(config.peers, [{ host: '10.0.0.30', port: 8009 }, { host: '10.0.0.31', port: 8010 }]);
    assert.deepEqual(config.files.map((f) => f.slice(dir.length + 1)), ['01-base.conf', '20-override.conf']);
  });

  it('directories apply in the order given', () => {
    const first = configDir({ 'x.conf': '{"opflex": {"name": "first"}}' });
    const second = configDir({ 'a.conf': '{"opflex": {"name": "second"}}' });
    assert.equal(readAgentConfigDirs([first, second]).name, 'second');
    assert.equal(readAgentConfigDirs([second, first]).name, 'first');
  });

  it('names the file and line, or the file and field, of every problem in one line', () => {
    const cases: [string, string][] = [
      ['{\n  "opflex": {"name": "a",}\n}', ':2: not JSON: Expected double-quoted property name'],
      ['[1]', ': must be a JSON object'],
      ['{"opflex": {"peers": [{"hostname": "h", "port": "80a"}]}}', ': opflex.peers[0].port: must be a port number (1-65535), got "80a"'],
      ['{"opflex": {"peers": [{"hostname": "h", "port": 70000}]}}', ': opflex.peers[0].port: must be a port number (1-65535), got 70000'],
      ['{"opflex": {"peers": [{"port": 1}]}}', ': opflex.peers[0].hostname: must be a non-empty string'],
      ['{"opflex": {"name": 7}}', ': opflex.name: must be a non-empty string'],
      ['{"opflex": {"peers": {}}}', ': opflex.peers: must be a list of {"hostname", "port"}'],
      [`{"a":\n${'['.repeat(agentConfigDepthMax)}]}`, `:2: nested more than ${agentConfigDepthMax} levels deep`],
    ];
    for (const [text, problem] of cases) {
      const dir = configDir({ 'c.conf': text });
      assert.throws(() => readAgentConfigDirs([dir]), (err: Error) => {
        assert.equal(err.message, `${join(dir, 'c.conf')}${problem}`);
        assert.ok(!err.message.includes('\n'));
        return true;
      });
    }
  });

  it('refuses a file over the size bound, too many peers, and a directory that cannot be read', () => {
    const big = configDir({ 'big.conf': ' '.repeat(agentConfigFileMaxBytes + 1) });
    assert.throws(() => readAgentConfigDirs([big]), { message: `${join(big, 'big.conf')}: agent configuration file is too large (${agentConfigFileMaxBytes + 1} bytes; the limit is 1 MiB)` });
    const peers = Array.from({ length: agentConfigPeersMax + 1 }, (_, i) => ({ hostname: `10.0.${i >> 8}.${i & 255}`, port: 8009 }));
    const many = configDir({ 'p.conf': JSON.stringify({ opflex: { peers } }) });
    assert.throws(() => readAgentConfigDirs([many]), { message: `${join(many, 'p.conf')}: opflex.peers: more than ${agentConfigPeersMax} peers` });
    assert.throws(() => readAgentConfigDirs([join(root, 'missing')]), { message: `${join(root, 'missing')}: cannot read the configuration directory: ENOENT` });
  });
});
