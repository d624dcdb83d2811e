import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ContractMatcher, DEFAULT_PROBE_PORT, replyPacket, requestPacket, type ProbeTraffic,
} from '../../src/fabric/contract-matcher.ts';
import type { EpgSpec, FilterSpec, PolicySpec, RuleSpec } from '../../src/scenario/types.ts';

const filters: FilterSpec[] = [
  { name: 'tcp-5432', etherType: 'ipv4', protocol: 'tcp', ports: [5432, 5432] },
  { name: 'tcp-22', etherType: 'ipv4', protocol: 'tcp', ports: [22, 22] },
  { name: 'tcp-any', etherType: 'ipv4', protocol: 'tcp' },
  { name: 'udp-53', etherType: 'ipv4', protocol: 'udp', ports: [53, 53] },
  { name: 'icmp', etherType: 'ipv4', protocol: 'icmp' },
  { name: 'ipv6-any', etherType: 'ipv6', protocol: 'unspecified' },
];

const rule = (filterNames: string[], direction: RuleSpec['direction'] = 'bidirectional', action: RuleSpec['action'] = 'allow'): RuleSpec =>
  ({ name: `${action}-${direction}-${filterNames.join('+')}`, direction, filters: filterNames, action });

/** A provider EPG `server`, a consumer EPG `client`, linked by one contract of the given rules. */
function matcher(rules: RuleSpec[], extraEpgs: EpgSpec[] = []): ContractMatcher {
  const policy: PolicySpec = {
    domain: 'd', tenant: 't', commonTenant: 'common', encapType: 'vxlan', vrfs: [], bridgeDomains: [],
    epgs: [
      { name: 'client', bd: 'bd', provides: [], consumes: ['c'], intraGroupPolicy: 'allow' },
      { name: 'server', bd: 'bd', provides: ['c'], consumes: [], intraGroupPolicy: 'allow' },
      ...extraEpgs,
    ],
    filters,
    contracts: [{ name: 'c', subjects: [{ name: 's', rules }] }],
  };
  return new ContractMatcher(policy);
}

const tcp = (port: number): ProbeTraffic => ({ protocol: 'tcp', port });
const udp = (port: number): ProbeTraffic => ({ protocol: 'udp', port });
const ICMP: ProbeTraffic = { protocol: 'icmp', port: undefined };

/** The verdicts of a request from `from` to `to` and of its reply. */
function exchange(m: ContractMatcher, from: string, to: string, traffic: ProbeTraffic): [string, string] {
  return [m.verdict(from, to, requestPacket(traffic), false), m.verdict(to, from, replyPacket(traffic), true)];
}

describe('contract matching', { timeout: 30_000 }, () => {
  it('a filter matches protocol and destination port: TCP 5432 passes, TCP 80 and UDP 5432 do not', () => {
    const m = matcher([rule(['tcp-5432'])]);
    assert.deepEqual(exchange(m, 'client', 'server', tcp(5432)), ['permit', 'permit']);
    assert.equal(m.verdict('client', 'server', requestPacket(tcp(80)), false), 'no-permit');
    assert.equal(m.verdict('client', 'server', requestPacket(udp(5432)), false), 'no-permit');
    assert.equal(m.verdict('client', 'server', requestPacket(ICMP), false), 'no-permit');
  });

  it('a deny rule wins over an allow rule that matches the same packet', () => {
    const m = matcher([rule(['tcp-any']), rule(['tcp-22'], 'bidirectional', 'deny')]);
    assert.equal(m.verdict('client', 'server', requestPacket(tcp(22)), false), 'deny');
    assert.equal(m.verdict('client', 'server', requestPacket(tcp(8080)), false), 'permit');
  });

  it('a bidirectional rule lets the provider reply from the filtered port but not open connections to it', () => {
    const m = matcher([rule(['udp-53'])]);
    assert.deepEqual(exchange(m, 'client', 'server', udp(53)), ['permit', 'permit'], 'reverse filter ports allow the reply');
    assert.equal(m.verdict('server', 'client', requestPacket(udp(53)), false), 'no-permit', 'the provider cannot open a flow to the consumer\'s port 53');
  });

  it('an in rule allows consumer-to-provider requests; only TCP replies come back (connection tracking)', () => {
    const udpOnly = matcher([rule(['udp-53'], 'in')]);
    assert.deepEqual(exchange(udpOnly, 'client', 'server', udp(53)), ['permit', 'no-permit']);
    const tcpOnly = matcher([rule(['tcp-5432'], 'in')]);
    assert.deepEqual(exchange(tcpOnly, 'client', 'server', tcp(5432)), ['permit', 'permit']);
    assert.deepEqual(exchange(tcpOnly, 'server', 'client', tcp(5432)), ['no-permit', 'no-permit'], 'not from the provider');
  });

  it('an out rule allows provider-to-consumer requests only', () => {
    const m = matcher([rule(['tcp-5432'], 'out')]);
    assert.equal(m.verdict('client', 'server', requestPacket(tcp(5432)), false), 'no-permit');
    assert.deepEqual(exchange(m, 'server', 'client', tcp(5432)), ['permit', 'permit']);
  });

  it('a filter without ports matches both ways; an IPv6 filter matches no IPv4 probe', () => {
    const m = matcher([rule(['icmp']), rule(['ipv6-any'])]);
    assert.deepEqual(exchange(m, 'client', 'server', ICMP), ['permit', 'permit']);
    assert.deepEqual(exchange(m, 'server', 'client', ICMP), ['permit', 'permit']);
    assert.equal(m.verdict('client', 'server', requestPacket(tcp(443)), false), 'no-permit');
  });

  it('EPGs without a contract between them, or unknown EPGs, are denied implicitly', () => {
    const m = matcher([rule(['tcp-any'])], [{ name: 'other', bd: 'bd', provides: [], consumes: [], intraGroupPolicy: 'allow' }]);
    assert.equal(m.verdict('client', 'other', requestPacket(tcp(80)), false), 'no-permit');
    assert.equal(m.verdict('client', 'nobody', requestPacket(tcp(80)), false), 'no-permit');
  });

  it('within an EPG: allowed, unless it requires a contract, which then only an intra-EPG contract gives', () => {
    const m = matcher([rule(['tcp-5432'])], [
      { name: 'isolated', bd: 'bd', provides: [], consumes: [], intraGroupPolicy: 'require-contract' },
      { name: 'self', bd: 'bd', provides: ['c'], consumes: ['c'], intraGroupPolicy: 'require-contract' },
    ]);
    assert.equal(m.verdict('client', 'client', requestPacket(tcp(1)), false), 'permit');
    assert.equal(m.verdict('isolated', 'isolated', requestPacket(tcp(5432)), false), 'no-permit');
    assert.deepEqual(exchange(m, 'self', 'self', tcp(5432)), ['permit', 'permit']);
    assert.equal(m.verdict('self', 'self', requestPacket(tcp(80)), false), 'no-permit');
  });

  it('a flow without protocol or port probes the first traffic the contract permits, else TCP 80', () => {
    const m = matcher([rule(['tcp-22'], 'bidirectional', 'deny'), rule(['udp-53', 'tcp-5432']), rule(['icmp'])]);
    assert.deepEqual(m.trafficOf({}, 'client', 'server'), udp(53));
    assert.deepEqual(m.trafficOf({ protocol: 'tcp' }, 'client', 'server'), tcp(5432));
    assert.deepEqual(m.trafficOf({ protocol: 'icmp' }, 'client', 'server'), ICMP);
    assert.deepEqual(m.trafficOf({ port: 8443 }, 'client', 'server'), tcp(8443));
    assert.deepEqual(m.trafficOf({}, 'server', 'client'), ICMP, 'reverse-filtered ports cannot be probed from the provider');
    assert.deepEqual(m.trafficOf({}, 'client', 'client'), tcp(DEFAULT_PROBE_PORT));
  });
});
