import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { buildUri, escapeUriComponent, unescapeUriComponent, uriSegments } from '../../src/model/uri.ts';
import { decodeMessage, encodeMessageText } from '../../src/opflex/codec.ts';
import type { RpcRequest } from '../../src/opflex/message.ts';
import { referenceFrame } from './reference-frames.ts';
import { fuzzParameters, hostileString } from '../support/fuzz.ts';

describe('URI component escaping', { timeout: 120_000 }, () => {
  const cases: [string, string][] = [
    ['kubernetes|kube-default', 'kubernetes%7ckube-default'],
    ['/PolicyUniverse/', '%2fPolicyUniverse%2f'],
    ['ctrlr-[kube]-kube', 'ctrlr-%5bkube%5d-kube'],
    ['92:e2:9b:ad:0b:89', '92%3ae2%3a9b%3aad%3a0b%3a89'],
    ['a b+c%d', 'a%20b%2bc%25d'],
    ['Az09-_.~', 'Az09-_.~'],
    ['café', 'caf%c3%a9'],
    ['€', '%e2%82%ac'],
    ['🚀', '%f0%9f%9a%80'],
    ['', ''],
  ];
  for (const [plain, escaped] of cases) {
    it(`escapes ${JSON.stringify(plain)} as ${JSON.stringify(escaped)} and back`, () => {
      assert.equal(escapeUriComponent(plain), escaped);
      assert.equal(unescapeUriComponent(escaped), plain);
    });
    it(`escapes ${JSON.stringify(plain)} then appends a suffix unescaped`, () => {
      assert.equal(escapeUriComponent(plain, '/'), escaped + '/');
      assert.equal(escapeUriComponent(plain, '/a:b/'), escaped + '/a:b/');
    });
  }

  it('escapes every byte of any string as the UTF-8 reading says, runs of plain characters kept whole', () => {
    // The definition, byte by byte.
    const byBytes = (value: string) =>
      [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).padStart(2, '0'))).join('');
    fc.assert(
      fc.property(hostileString(80), fc.constantFrom('', '/', 'x/'), (value, suffix) => {
        assert.equal(escapeUriComponent(value, suffix), byBytes(value) + suffix);
      }),
      fuzzParameters(300),
    );
  });

  it('writes hex digits in lowercase only', () => {
    const everyByte = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));
    const escaped = escapeUriComponent(everyByte);
    assert.doesNotMatch(escaped, /%[0-9a-f]?[A-F]/);
    assert.equal(unescapeUriComponent(escaped), everyByte);
  });

  it('reads uppercase escapes too', () => {
    assert.equal(unescapeUriComponent('kubernetes%7Ckube-default'), 'kubernetes|kube-default');
  });

  it('rejects a truncated escape', () => {
    assert.throws(() => unescapeUriComponent('abc%7'), SyntaxError);
  });
});

describe('URIs in the reference frames', { timeout: 120_000 }, () => {
  const l2ep = (decodeMessage(referenceFrame('12').frame) as RpcRequest).params[0] as { endpoint: ManagedObject[] };
  const ep = l2ep.endpoint[0]!;

  it('rebuild the EprL2Ep URI of frame 12 from its bridge domain URI and MAC', () => {
    const bd = ep.properties.find((p) => p.name === 'context')!.data as string;
    const mac = ep.properties.find((p) => p.name === 'mac')!.data as string;
    assert.equal(buildUri(['EprL2Universe'], ['EprL2Ep', bd, mac]), ep.uri);
    assert.equal(ep.uri, '/EprL2Universe/EprL2Ep/%2fPolicyUniverse%2fPolicySpace%2ftest%2fGbpBridgeDomain%2fbd2%2f/92%3ae2%3a9b%3aad%3a0b%3a89/');
  });

  it('split back into the bridge domain URI and MAC', () => {
    const [, , bd, mac] = uriSegments(ep.uri);
    assert.equal(unescapeUriComponent(bd!), '/PolicyUniverse/PolicySpace/test/GbpBridgeDomain/bd2/');
    assert.equal(unescapeUriComponent(mac!), '92:e2:9b:ad:0b:89');
  });

  it('rebuild the contract relation URIs of frame 9, escaping a whole URI as one component', () => {
    const contract = '/PolicyUniverse/PolicySpace/test/GbpContract/contract2/';
    const epg = buildUri(['PolicyUniverse'], ['PolicySpace', 'test'], ['GbpEpGroup', 'group1']);
    const rsrc = buildUri(['PolicyUniverse'], ['PolicySpace', 'test'], ['GbpEpGroup', 'group1'], ['GbpEpGroupToProvContractRSrc', 'GbpContract', contract]);
    assert.ok(referenceFrame('09').frame.includes(`"uri":"${rsrc}"`));
    assert.ok(rsrc.startsWith(epg));
  });

  it('survive a codec round trip unchanged, escapes and multibyte names included', () => {
    const name = 'kubernetes|kube-défault/€';
    const uri = buildUri(['PolicyUniverse'], ['PolicySpace', 'kube'], ['GbpEpGroup', name]);
    const text = encodeMessageText({
      kind: 'request',
      id: '["policy_resolve",9223372036854775808]',
      method: 'policy_resolve',
      params: [{ subject: 'GbpEpGroup', policy_uri: uri, prr: 7200 }],
    });
    const decoded = decodeMessage(Buffer.from(text, 'utf8')) as RpcRequest;
    const item = decoded.params[0] as { policy_uri: string };
    assert.equal(item.policy_uri, '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/kubernetes%7ckube-d%c3%a9fault%2f%e2%82%ac/');
    assert.equal(unescapeUriComponent(uriSegments(item.policy_uri)[4]!), name);
  });

  it('escapes any value, with any suffix, byte for byte as URIBuilder does (UTF-8, unreserved kept, lowercase hex)', () => {
    const unreserved = /^[A-Za-z0-9\-_.~]$/;
    const reference = (value: string, suffix: string): string =>
      [...Buffer.from(value, 'utf8')].map((b) => (unreserved.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('') + suffix;
    const text = fc.oneof(hostileString(40), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('02:00:0a:0b:0c:0d', '10.1.2.3', 'kubernetes|web-7'));
    fc.assert(
      fc.property(text, fc.oneof(fc.constantFrom('', '/'), text), (value, suffix) => {
        assert.equal(escapeUriComponent(value, suffix), reference(value, suffix));
      }),
      fuzzParameters(500),
    );
  });
});
