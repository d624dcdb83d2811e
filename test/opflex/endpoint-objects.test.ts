import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage } from '../../src/opflex/codec.ts';
import { declaredIp, domainPrefixesRememberedMax, endpointObjects, EndpointObjectFactory, endpointOfDeclared, type LocalEndpoint } from '../../src/opflex/endpoint-objects.ts';
import { makeRawId } from '../../src/opflex/message.ts';
import { referenceFrame } from './reference-frames.ts';

/** The endpoint of reference frames 12 and 14 (an agent on the test domain). */
const endpoint: LocalEndpoint = {
  uuid: '0a4b5c6d-80f7-46e2-b06c-4d9487b0c755',
  name: 'h2',
  mac: '92:e2:9b:ad:0b:89',
  ips: ['10.0.1.5'],
  epgUri: '/PolicyUniverse/PolicySpace/test/GbpEpGroup/group2/',
  interfaceName: 'veth-h2',
};
const network = { bd: '/PolicyUniverse/PolicySpace/test/GbpBridgeDomain/bd2/', rd: '/PolicyUniverse/PolicySpace/test/GbpRoutingDomain/rd/' };

/** The frame our agent would send for one declare, with the reference frame's id. */
function declareFrame(objects: unknown[], referenceId: bigint): Buffer {
  return encodeMessage({ kind: 'request', id: makeRawId('endpoint_declare', referenceId), method: 'endpoint_declare', params: [{ endpoint: objects, prr: 7200 }] });
}

describe('declared endpoint objects', { timeout: 120_000 }, () => {
  it('encode to the reference agent\'s EprL2Ep declare byte for byte (frame 12)', () => {
    const [l2] = endpointObjects(endpoint, network);
    assert.deepEqual(declareFrame(l2!, 9223372036854775844n), referenceFrame('12-').bytes);
  });

  it('encode to the reference agent\'s EprL3Ep declare byte for byte (frame 14)', () => {
    const [, l3] = endpointObjects(endpoint, network);
    assert.deepEqual(declareFrame(l3!, 9223372036854775846n), referenceFrame('14-').bytes);
  });

  it('read like the decoded reference objects: subject, uri, properties, children and parents', () => {
    const reference = decodeMessage(referenceFrame('12-').frame);
    const decoded = (reference.kind === 'request' ? reference.params[0] : undefined) as { endpoint: unknown[] };
    const [l2] = endpointObjects(endpoint, network);
    assert.deepEqual(l2!.map((mo) => JSON.parse(JSON.stringify(mo))), JSON.parse(JSON.stringify(decoded.endpoint)));
    for (const [i, mo] of l2!.entries()) {
      const wire = decoded.endpoint[i] as Record<string, unknown>;
      for (const key of ['subject', 'uri', 'properties', 'children', 'parent_subject', 'parent_uri', 'parent_relation'] as const) {
        assert.deepEqual((mo as unknown as Record<string, unknown>)[key], wire[key], `${mo.subject}.${key}`);
      }
    }
  });

  it('make each URI when first read: the domain\'s prefix and the escaped MAC or IP, the same on every read', () => {
    const [[l2, attributes], [l3]] = new EndpointObjectFactory().objectsOf(endpoint, network) as [[object, { uri: string }], [object]];
    const first = [(l2 as { uri: string }).uri, (l3 as { uri: string }).uri];
    assert.deepEqual(first, ['/EprL2Universe/EprL2Ep/%2fPolicyUniverse%2fPolicySpace%2ftest%2fGbpBridgeDomain%2fbd2%2f/92%3ae2%3a9b%3aad%3a0b%3a89/', '/EprL3Universe/EprL3Ep/%2fPolicyUniverse%2fPolicySpace%2ftest%2fGbpRoutingDomain%2frd%2f/10.0.1.5/']);
    assert.deepEqual([(l2 as { uri: string }).uri, (l3 as { uri: string }).uri], first);
    assert.equal(attributes.uri, `${first[0]}GbpeReportedEpAttributeSet/`);
    assert.ok(!('madeUri' in JSON.parse(JSON.stringify(l2))), 'the wire shape has no trace of it');
  });

  it('one EprL3Ep per IP, each naming its IP', () => {
    const objects = new EndpointObjectFactory().objectsOf({ ...endpoint, ips: ['10.0.1.5', '10.0.1.6'] }, network);
    assert.deepEqual(objects.map((list) => list.map((mo) => mo.subject)), [['EprL2Ep', 'GbpeReportedEpAttributeSet'], ['EprL3Ep'], ['EprL3Ep']]);
    assert.deepEqual(objects.slice(1).map(([mo]) => declaredIp(mo!)), ['10.0.1.5', '10.0.1.6']);
    assert.equal(declaredIp(objects[0]![0]!), undefined);
  });

  it('name the endpoint they declare (an agent keeps only the objects), and foreign lists are refused', () => {
    const declared = new EndpointObjectFactory().objectsOf(endpoint, network);
    assert.equal(endpointOfDeclared(declared), endpoint);
    assert.throws(() => endpointOfDeclared([]), TypeError);
    assert.throws(() => endpointOfDeclared([[{ subject: 'EprL2Ep', uri: '/EprL2Universe/EprL2Ep/x/', properties: [], children: [] }]]), TypeError);
  });

  it('remember a bounded number of domain prefixes however many domains peers name, and build the same URIs past the bound', () => {
    const factory = new EndpointObjectFactory();
    const first = factory.objectsOf(endpoint, network);
    for (let i = 0; i < 3 * domainPrefixesRememberedMax; i++) {
      factory.objectsOf(endpoint, { bd: `/PolicyUniverse/PolicySpace/t/GbpBridgeDomain/bd-${i}/`, rd: `/PolicyUniverse/PolicySpace/t/GbpRoutingDomain/rd-${i}/` });
      assert.ok(factory.rememberedPrefixes <= 2 * domainPrefixesRememberedMax);
    }
    assert.deepEqual(
      factory.objectsOf(endpoint, network).map((list) => list.map((mo) => mo.uri)),
      first.map((list) => list.map((mo) => mo.uri)),
    );
  });
});
