/**
 * An agent's declared endpoints against the Map by uuid they replace: the same declares, removals and
 * questions on both, in any order, with the steady start's adds (no uuid asked) mixed in, and every
 * answer and the order compared.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { DeclaredEndpoints } from '../../src/opflex/declared-endpoints.ts';
import { endpointObjects, type LocalEndpoint } from '../../src/opflex/endpoint-objects.ts';
import { fuzzParameters, fuzzTimeoutMs } from '../support/fuzz.ts';

const network = { bd: '/PolicyUniverse/PolicySpace/kube/GbpBridgeDomain/bd/', rd: '/PolicyUniverse/PolicySpace/kube/GbpRoutingDomain/rd/' };

/** Pods have 0 to 3 IPs (by version), so an endpoint declares one to four lists. */
function declaredFor(pod: number, version: number): ManagedObject[][] {
  const endpoint: LocalEndpoint = {
    uuid: `node-1/pod-${pod}`,
    mac: `0a:58:0a:00:00:${pod.toString(16).padStart(2, '0')}`,
    ips: Array.from({ length: version % 4 }, (_, i) => `10.${i}.0.${pod}`),
    epgUri: `/PolicyUniverse/PolicySpace/kube/GbpEpGroup/epg-${version}/`,
    interfaceName: `veth-${pod}`,
    name: `pod-${pod}`,
  };
  return endpointObjects(endpoint, network);
}

/** The same lists, in the same order (the outer array is made when asked; the lists are the ones declared). */
function sameLists(got: ManagedObject[][] | undefined, expected: ManagedObject[][] | undefined): void {
  if (expected === undefined) return assert.equal(got, undefined);
  assert.equal(got?.length, expected.length);
  expected.forEach((list, i) => assert.equal(got![i], list));
}

type Op = { op: 'set' | 'add'; pod: number; version: number } | { op: 'delete' | 'get'; pod: number } | { op: 'fit' };

const pod = fc.integer({ min: 0, max: 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constantFrom('set' as const, 'add' as const), pod, version: fc.nat(7) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('delete' as const, 'get' as const), pod }) },
  { weight: 1, arbitrary: fc.constant({ op: 'fit' as const }) },
);

describe('an agent\'s declared endpoints', { timeout: fuzzTimeoutMs(60_000) }, () => {
  it('answer and list in order exactly as a Map by uuid would', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
        const reference = new Map<string, ManagedObject[][]>();
        const declared = new DeclaredEndpoints();
        for (const o of ops) {
          const uuid = o.op === 'fit' ? '' : `node-1/pod-${o.pod}`;
          switch (o.op) {
            case 'set': {
              const lists = declaredFor(o.pod, o.version);
              reference.set(uuid, lists);
              declared.set(uuid, lists);
              break;
            }
            case 'add':
              // Only for an endpoint not declared yet, as a steady start adds them.
              if (reference.has(uuid)) break;
              reference.set(uuid, declaredFor(o.pod, o.version));
              declared.add(reference.get(uuid)!);
              break;
            case 'delete':
              assert.equal(declared.delete(uuid), reference.delete(uuid));
              break;
            case 'get':
              sameLists(declared.get(uuid), reference.get(uuid));
              break;
            case 'fit':
              declared.fitToSize();
              break;
          }
          assert.equal(declared.size, reference.size);
        }
        const got = [...declared.values()];
        const expected = [...reference.values()];
        assert.equal(got.length, expected.length);
        expected.forEach((lists, i) => sameLists(got[i], lists));
      }),
      fuzzParameters(300),
    );
  });

  it('finds each endpoint again after most were removed and the list closed up', () => {
    const declared = new DeclaredEndpoints();
    for (let pod = 0; pod < 40; pod++) declared.add(declaredFor(pod, 0));
    for (let pod = 0; pod < 40; pod++) if (pod % 4 !== 0) assert.equal(declared.delete(`node-1/pod-${pod}`), true);
    for (let pod = 0; pod < 40; pod++) assert.equal(declared.get(`node-1/pod-${pod}`)?.[0]?.[0]?.uri, pod % 4 === 0 ? declaredFor(pod, 0)[0]![0]!.uri : undefined);
    declared.set('node-1/pod-1', declaredFor(1, 0));
    declared.set('node-1/pod-0', declaredFor(0, 1));
    assert.deepEqual(
      [...declared.values()].map((d) => d[0]![0]!.uri),
      [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 1].map((pod) => declaredFor(pod, 0)[0]![0]!.uri),
    );
  });
});
