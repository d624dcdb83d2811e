/**
 * EndpointKeyMap against the Map it replaces in COOP and the EPM: the same operations on both, every
 * answer and the iteration order compared, with keys a peer might pick (IPv4 in and out of the usual
 * spelling, IPv6, MACs, junk) and addresses chosen to collide in the index.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EndpointKeyMap, mix, probesMax } from '../../src/fabric/endpoint-key-map.ts';
import { fuzzParameters, fuzzTimeoutMs, hostileString } from '../support/fuzz.ts';

const ipv4 = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** Addresses whose hashes agree in their low `bits` bits: they share a home in any index up to 2^bits positions. */
function collidingAddresses(count: number, bits: number): string[] {
  const out: string[] = [];
  const want = mix(0x0a000001) & ((1 << bits) - 1);
  for (let n = 0x0a000001; out.length < count; n++) if ((mix(n) & ((1 << bits) - 1)) === want) out.push(ipv4(n));
  return out;
}

const colliding = collidingAddresses(3 * probesMax, 14);

const key = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 63 }).map((i) => ipv4(0x0a400000 + i)) },
  { weight: 3, arbitrary: fc.constantFrom(...colliding) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }).map(ipv4) },
  { weight: 1, arbitrary: fc.constantFrom('10.64.0.01', '010.64.0.1', '10.64.0.1.', '256.1.1.1', '1.2.3', 'fd00::1', '0a:58:0a:40:00:01', '0.0.0.0', '255.255.255.255') },
  { weight: 1, arbitrary: hostileString(20) },
);

type Op = { op: 'set'; key: string; value: number } | { op: 'delete' | 'get' | 'has'; key: string } | { op: 'clear' } | { op: 'reserve'; entries: number } | { op: 'iterate'; setWhile: string | undefined; deleteWhile: string | undefined };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const), key }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('iterate' as const), setWhile: fc.option(key, { nil: undefined }), deleteWhile: fc.option(key, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reserve' as const), entries: fc.integer({ min: 0, max: 600 }) }) },
);

/** Iterates, setting and deleting a key after the first entry, as a caller changing the map mid-walk might. */
function walk(map: Map<string, number> | EndpointKeyMap<number>, setWhile: string | undefined, deleteWhile: string | undefined): [string, number][] {
  const seen: [string, number][] = [];
  for (const entry of map.entries()) {
    if (seen.length === 0) {
      if (setWhile !== undefined) map.set(setWhile, -1);
      if (deleteWhile !== undefined) map.delete(deleteWhile);
    }
    seen.push(entry);
    if (seen.length > 10_000) break;
  }
  return seen;
}

describe('an endpoint key map', { timeout: fuzzTimeoutMs(60_000) }, () => {
  it('answers and iterates exactly as a Map under any sequence of operations, room reserved ahead or not', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400, size: 'max' }), (ops) => {
        const reference = new Map<string, number>();
        const map = new EndpointKeyMap<number>();
        for (const o of ops) {
          switch (o.op) {
            case 'set':
              reference.set(o.key, o.value);
              map.set(o.key, o.value);
              break;
            case 'delete':
              assert.equal(map.delete(o.key), reference.delete(o.key));
              break;
            case 'get':
              assert.equal(map.get(o.key), reference.get(o.key));
              break;
            case 'has':
              assert.equal(map.has(o.key), reference.has(o.key));
              break;
            case 'clear':
              reference.clear();
              map.clear();
              break;
            case 'reserve':
              map.reserve(o.entries);
              break;
            case 'iterate':
              assert.deepEqual(walk(map, o.setWhile, o.deleteWhile), walk(reference, o.setWhile, o.deleteWhile));
              break;
          }
          assert.equal(map.size, reference.size);
        }
        assert.deepEqual([...map], [...reference]);
        assert.deepEqual([...map.values()], [...reference.values()]);
      }),
      fuzzParameters(300),
    );
  });

  it('keeps addresses chosen to collide, past the probe bound, and finds each again', () => {
    const map = new EndpointKeyMap<number>();
    colliding.forEach((k, i) => map.set(k, i));
    colliding.forEach((k, i) => assert.equal(map.get(k), i));
    for (const k of colliding.slice(0, probesMax)) map.delete(k);
    assert.equal(map.size, colliding.length - probesMax);
    assert.deepEqual([...map.entries()].map(([k]) => k), colliding.slice(probesMax));
  });

  it('does not move entries under an iteration that adds to a map full of deleted slots', () => {
    const reference = new Map<string, number>();
    const map = new EndpointKeyMap<number>();
    const keys = Array.from({ length: 64 }, (_, i) => ipv4(0x0a400000 + i));
    for (const m of [reference, map]) {
      keys.forEach((k, i) => m.set(k, i));
      for (const k of keys.slice(0, 48)) m.delete(k);
    }
    const walkAdding = (m: Map<string, number> | EndpointKeyMap<number>) => {
      const seen: string[] = [];
      let added = 0;
      for (const [k] of m.entries()) {
        seen.push(k);
        if (added < 40) m.set(ipv4(0x0b000000 + added++), 0);
      }
      return seen;
    };
    assert.deepEqual(walkAdding(map), walkAdding(reference));
    assert.deepEqual([...map], [...reference]);
  });

  it('holds a million addresses and gives each back in order', () => {
    const map = new EndpointKeyMap<string>();
    for (let i = 0; i < 1_000_000; i++) map.set(ipv4(0x0a400000 + i), 'pair-' + (i % 100));
    assert.equal(map.size, 1_000_000);
    assert.equal(map.get(ipv4(0x0a400000 + 999_999)), 'pair-99');
    let i = 0;
    for (const [k] of map) assert.equal(k, ipv4(0x0a400000 + i++));
  });
});
