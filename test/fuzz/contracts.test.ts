/**
 * Seeded fuzzing of contract enforcement: random policies (EPGs providing and consuming random
 * contracts of random rules and filters) and random probe traffic, checked against properties that
 * hold for any policy; and hostile flow protocol / port values in scenario files.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ContractMatcher, replyPacket, requestPacket, type ProbeTraffic } from '../../src/fabric/contract-matcher.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import type { ContractSpec, EpgSpec, FilterSpec, PolicySpec, RuleSpec } from '../../src/scenario/types.ts';
import { tiny } from '../scenario/fixtures.ts';
import { fuzzParameters, hostileJson } from '../support/fuzz.ts';

const EPGS = ['a', 'b', 'c'];
const CONTRACTS = ['k1', 'k2', 'k3'];
const portArb = fc.oneof(fc.constantFrom(22, 53, 80, 443, 5432, 49152), fc.integer({ min: 1, max: 65535 }));

const filterArb: fc.Arbitrary<FilterSpec> = fc
  .record({
    etherType: fc.constantFrom('ipv4', 'ipv6', 'arp', 'unspecified' as const),
    protocol: fc.constantFrom('tcp', 'udp', 'icmp', 'unspecified' as const),
    ports: fc.option(fc.tuple(portArb, portArb).map(([x, y]): [number, number] => [Math.min(x, y), Math.max(x, y)]), { nil: undefined }),
  })
  .map((f) => ({ name: '', etherType: f.etherType, protocol: f.protocol, ...(f.ports && (f.protocol === 'tcp' || f.protocol === 'udp') ? { ports: f.ports } : {}) }));

const ruleArb = (filterCount: number): fc.Arbitrary<RuleSpec> =>
  fc.record({
    direction: fc.constantFrom('in', 'out', 'bidirectional' as const),
    filters: fc.uniqueArray(fc.integer({ min: 0, max: filterCount - 1 }), { minLength: 1, maxLength: 3 }).map((ix) => ix.map((i) => `f${i}`)),
    action: fc.constantFrom('allow', 'allow', 'deny' as const),
  }).map((r) => ({ name: 'r', ...r }));

const policyArb: fc.Arbitrary<PolicySpec> = fc.array(filterArb, { minLength: 1, maxLength: 6 }).chain((filters) =>
  fc
    .record({
      contracts: fc.tuple(...CONTRACTS.map(() => fc.array(fc.array(ruleArb(filters.length), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 }))),
      epgs: fc.tuple(...EPGS.map(() => fc.record({
        provides: fc.subarray(CONTRACTS),
        consumes: fc.subarray(CONTRACTS),
        intraGroupPolicy: fc.constantFrom('allow', 'require-contract' as const),
      }))),
    })
    .map(({ contracts, epgs }): PolicySpec => ({
      domain: 'd', tenant: 't', commonTenant: 'common', encapType: 'vxlan', vrfs: [], bridgeDomains: [],
      filters: filters.map((f, i) => ({ ...f, name: `f${i}` })),
      contracts: contracts.map((subjects, i): ContractSpec => ({
        name: CONTRACTS[i]!,
        subjects: subjects.map((rules, j) => ({ name: `s${j}`, rules: rules.map((r, k) => ({ ...r, name: `r${k}` })) })),
      })),
      epgs: epgs.map((e, i): EpgSpec => ({ name: EPGS[i]!, bd: 'bd', ...e })),
    })),
);

const trafficArb: fc.Arbitrary<ProbeTraffic> = fc.oneof(
  fc.record({ protocol: fc.constantFrom('tcp', 'udp' as const), port: portArb }),
  fc.constant({ protocol: 'icmp' as const, port: undefined }),
);
const pairArb = fc.tuple(fc.constantFrom(...EPGS), fc.constantFrom(...EPGS));

const withoutDeny = (p: PolicySpec): PolicySpec => ({
  ...p,
  contracts: p.contracts.map((c) => ({ ...c, subjects: c.subjects.map((s) => ({ ...s, rules: s.rules.filter((r) => r.action === 'allow') })) })),
});

describe('contract enforcement fuzz', { timeout: 60_000 }, () => {
  it('adding a deny-everything rule to every contract denies every packet between different EPGs', () => {
    fc.assert(
      fc.property(policyArb, pairArb, trafficArb, (policy, [from, to], traffic) => {
        fc.pre(from !== to);
        const denyAll: RuleSpec = { name: 'deny-all', direction: 'bidirectional', filters: ['any'], action: 'deny' };
        const hardened: PolicySpec = {
          ...policy,
          filters: [...policy.filters, { name: 'any', etherType: 'unspecified', protocol: 'unspecified' }],
          contracts: policy.contracts.map((c) => ({ ...c, subjects: [...c.subjects, { name: 'deny', rules: [denyAll] }] })),
        };
        const verdict = new ContractMatcher(hardened).verdict(from, to, requestPacket(traffic), false);
        assert.notEqual(verdict, 'permit');
      }),
      fuzzParameters(300),
    );
  });

  it('the traffic a flow defaults to is permitted when the policy has no deny rule', () => {
    fc.assert(
      fc.property(policyArb, pairArb, (policy, [from, to]) => {
        const m = new ContractMatcher(withoutDeny(policy));
        const first = m.firstPermitted(from, to);
        if (first) assert.equal(m.verdict(from, to, requestPacket(first), false), 'permit', JSON.stringify(first));
      }),
      fuzzParameters(300),
    );
  });

  it('without deny rules, a permitted request through bidirectional rules only gets its reply back', () => {
    fc.assert(
      fc.property(policyArb, pairArb, trafficArb, (policy, [from, to], traffic) => {
        const allowing = withoutDeny(policy);
        const bidirectional: PolicySpec = {
          ...allowing,
          contracts: allowing.contracts.map((c) => ({
            ...c,
            subjects: c.subjects.map((s) => ({ ...s, rules: s.rules.map((r) => ({ ...r, direction: 'bidirectional' as const })) })),
          })),
        };
        const m = new ContractMatcher(bidirectional);
        if (m.verdict(from, to, requestPacket(traffic), false) === 'permit') {
          assert.equal(m.verdict(to, from, replyPacket(traffic), true), 'permit');
        }
      }),
      fuzzParameters(300),
    );
  });

  it('verdicts are the same asked twice and from a fresh matcher (the cache changes nothing)', () => {
    fc.assert(
      fc.property(policyArb, fc.array(fc.tuple(pairArb, trafficArb, fc.boolean()), { minLength: 1, maxLength: 20 }), (policy, asks) => {
        const cached = new ContractMatcher(policy);
        for (const [[from, to], traffic, reply] of asks) {
          const packet = reply ? replyPacket(traffic) : requestPacket(traffic);
          const first = cached.verdict(from, to, packet, reply);
          assert.equal(cached.verdict(from, to, packet, reply), first);
          assert.equal(new ContractMatcher(policy).verdict(from, to, packet, reply), first);
        }
      }),
      fuzzParameters(200),
    );
  });

  it('hostile flow protocol and port values are refused with a ScenarioError naming the flow field, or accepted as valid', () => {
    fc.assert(
      fc.property(hostileJson(2), hostileJson(2), (protocol, port) => {
        const line = `  - { name: web, from: web-2, to: web-1, protocol: ${JSON.stringify(protocol)}, port: ${JSON.stringify(port)} }`;
        try {
          const flow = parseScenario(tiny({ 43: line }), 'tiny.yaml').flows[0]!;
          // YAML null reads as an absent key.
          assert.ok(flow.protocol === undefined || ['tcp', 'udp', 'icmp'].includes(flow.protocol));
          assert.ok(!(flow.protocol === 'icmp' && flow.port !== undefined));
          assert.ok(flow.port === undefined || (Number.isInteger(flow.port) && flow.port >= 1 && flow.port <= 65535));
        } catch (err) {
          assert.ok(err instanceof ScenarioError, `expected a ScenarioError, got ${String(err)}`);
          for (const issue of err.issues) assert.match(issue.path, /^flows\[0\]/, err.message);
        }
      }),
      fuzzParameters(300),
    );
  });
});
