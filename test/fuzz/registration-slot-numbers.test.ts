/**
 * RegistrationSlots keys endpoint URIs with a number (a MAC or an IPv4 address under its domain) in an
 * index, reads the number of the agent's own objects without their URI, and keeps every other URI in
 * a Map. Against the plain URI -> slot Map it replaced: the same holds and releases on both, every
 * slot compared, with URIs a peer might send (other spellings, IPv6, hostile text), the agent's
 * objects and their copies off the wire, and tables too small to index everything (few probes, few
 * domains) so that numbered URIs also live in the Map.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { EndpointObjectFactory, type LocalEndpoint } from '../../src/opflex/endpoint-objects.ts';
import { macNumber, numberedPrefixEnd, numberedUriText, uriNumber } from '../../src/fabric/endpoint-uri-numbers.ts';
import { NO_SLOT, RegistrationSlots } from '../../src/fabric/registration-slots.ts';
import { fuzzParameters, fuzzTimeoutMs, hostileString } from '../support/fuzz.ts';

/** The table before numbering: a Map, slots reused last-freed first. */
class MapSlots {
  private readonly byUri = new Map<string, number>();
  private readonly holders: number[] = [];
  private readonly free: number[] = [];
  private used = 0;

  slotOf(uri: string): number {
    return this.byUri.get(uri) ?? NO_SLOT;
  }

  hold(uri: string): number {
    let slot = this.slotOf(uri);
    if (slot === NO_SLOT) {
      slot = this.free.pop() ?? this.used++;
      this.byUri.set(uri, slot);
      this.holders[slot] = 0;
    }
    this.holders[slot]!++;
    return slot;
  }

  release(slot: number, top: ManagedObject): void {
    const uri = top.uri;
    if (--this.holders[slot]! > 0) return;
    this.byUri.delete(uri);
    this.free.push(slot);
  }

  get size(): number {
    return this.byUri.size;
  }
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const mac = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 300 }).map((i) => `0a:58:0a:00:${hex2(i >> 8)}:${hex2(i & 255)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 48 - 1 }).map((n) => Array.from({ length: 6 }, (_, k) => hex2(Math.floor(n / 2 ** (40 - 8 * k)) % 256)).join(':')) },
  { weight: 1, arbitrary: fc.constantFrom('0A:58:0A:00:00:01', '0a-58-0a-00-00-01', '0a:58:0a:00:00:1', '0a:58:0a:00:00:0g', '', '0a:58:0a:00:00:01:02') },
);
const ip = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 300 }).map((i) => `10.1.${i >> 8}.${i & 255}`) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffffffff }).map((n) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`) },
  { weight: 1, arbitrary: fc.constantFrom('10.1.0.01', 'fd00::1', '10.1.0', '256.1.1.1', '') },
);
const domain = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }).map((i) => `/PolicyUniverse/PolicySpace/kube/GbpBridgeDomain/bd-${i}/`) },
  { weight: 1, arbitrary: fc.constantFrom('', 'a/b', 'ü%3a', '%2f') },
);

type Declared = { kind: 'agent' | 'wire'; layer: 2 | 3; mac: string; ip: string; domain: string };
const declared: fc.Arbitrary<Declared> = fc.record({ kind: fc.constantFrom('agent' as const, 'wire' as const), layer: fc.constantFrom(2 as const, 3 as const), mac, ip, domain });
/** A URI a peer might send that the agent's objects never make. */
const otherUri = fc.oneof(
  fc.constantFrom('/EprL2Universe/EprL2Ep/bd/x/', '/EprL3Universe/EprL3Ep//10.0.0.1/', '/EprL3Universe/EprL3Ep/rd/10.0.0.1', '/EprL3Universe/EprL3Ep/rd/10.0.0.1/x/', '/EprL2Universe/EprL2Ep/0a%3a58%3a0a%3a00%3a00%3a01/', '/'),
  hostileString(40),
);

/** The declare's first object: the agent's own (numbered from its MAC or IP) or a plain copy off the wire. */
function firstObject(d: Declared): ManagedObject {
  const ep: LocalEndpoint = { uuid: 'u', mac: d.mac, ips: [d.ip], epgUri: '/epg/', interfaceName: 'veth', name: 'pod' };
  const lists = new EndpointObjectFactory().objectsOf(ep, { bd: d.domain, rd: d.domain });
  const top = lists[d.layer === 2 ? 0 : 1]![0]!;
  if (d.kind === 'agent') return top;
  // Off the wire: a plain object, its URI a flat string of its own.
  return { subject: top.subject, uri: JSON.parse(JSON.stringify(top.uri)) as string, properties: [], children: [] };
}

type Op = { op: 'hold'; what: Declared | string } | { op: 'release'; pick: number } | { op: 'ask'; what: Declared | string };
const what = fc.oneof({ weight: 5, arbitrary: declared }, { weight: 1, arbitrary: otherUri });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('hold' as const), what }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('ask' as const), what }) },
);

describe('endpoint URIs numbered in a leaf pair\'s registration table', { timeout: fuzzTimeoutMs(60_000) }, () => {
  it('every slot as the plain URI -> slot Map gives it, whichever way the URI is asked', () => {
    const tables = fc.constantFrom<[number | undefined, number | undefined]>([undefined, undefined], [1, undefined], [2, 2], [32, 1]);
    fc.assert(
      fc.property(tables, fc.array(op, { maxLength: 400, size: 'max' }), ([probesMax, domainsMax], ops) => {
        const table = new RegistrationSlots({ ...(probesMax ? { probesMax } : {}), ...(domainsMax ? { domainsMax } : {}) });
        const model = new MapSlots();
        const held: { uri: string; top: ManagedObject; slot: number }[] = [];
        for (const o of ops) {
          if (o.op === 'release') {
            if (held.length === 0) continue;
            const [h] = held.splice(o.pick % held.length, 1);
            table.release(h!.slot, h!.top);
            model.release(h!.slot, h!.top);
            continue;
          }
          const top = typeof o.what === 'string' ? { subject: 'EprL2Ep', uri: o.what, properties: [], children: [] } : firstObject(o.what);
          const expected = model.slotOf(top.uri);
          assert.equal(table.slotOfDeclared(top), expected, `slotOfDeclared ${top.uri}`);
          assert.equal(table.slotOf(top.uri), expected, `slotOf ${top.uri}`);
          if (o.op === 'hold') {
            const slot = table.hold(top, expected);
            assert.equal(slot, model.hold(top.uri), `hold ${top.uri}`);
            held.push({ uri: top.uri, top, slot });
          }
          assert.equal(table.size, model.size);
        }
        for (const h of held) assert.equal(table.slotOf(h.uri), model.slotOf(h.uri));
      }),
      fuzzParameters(300),
    );
  });

  it('a URI\'s number reads back as the same URI, and only the usual spellings have one', () => {
    fc.assert(
      fc.property(declared, (d) => {
        const top = firstObject({ ...d, kind: 'agent' });
        const prefixEnd = numberedPrefixEnd(top.uri);
        const value = prefixEnd < 0 ? -1 : uriNumber(top.uri, prefixEnd);
        const usual = d.layer === 2 ? macNumber(d.mac) >= 0 : /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(d.ip) && d.ip.split('.').every((o) => Number(o) < 256);
        assert.equal(value >= 0, usual, top.uri);
        if (value >= 0) assert.equal(numberedUriText(top.uri.slice(0, prefixEnd), value), top.uri);
      }),
      fuzzParameters(2000),
    );
  });
});
