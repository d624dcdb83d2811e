/**
 * Decides whether the policy lets a packet from one EPG to another through, as ACI and the
 * opflex-agent's OVS do (docs/scenario-reference.md, "How the data plane applies policy"):
 *
 * - Same EPG: allowed when intraGroupPolicy is allow; with require-contract only a contract the
 *   EPG both provides and consumes (an intra-EPG contract) can permit it.
 * - Different EPGs: only contracts that one EPG consumes and the other provides apply. A rule's
 *   direction is relative to the provider: `in` classifies consumer-to-provider packets, `out`
 *   provider-to-consumer packets, `bidirectional` both, with the filter's ports reversed for
 *   provider-to-consumer (ACI's "apply both directions" with "reverse filter ports").
 * - A matching deny rule wins over matching allow rules; nothing matching is an implicit deny.
 * - The reply of a TCP connection the policy permitted passes (the classifier's reflexive
 *   connection tracking), whatever the rules say about the reply direction.
 */
import type { EpgSpec, FilterSpec, PolicySpec, ProbeProtocol, RuleSpec } from '../scenario/types.ts';

export interface ProbePacket {
  protocol: ProbeProtocol;
  /** Absent for ICMP. */
  srcPort: number | undefined;
  dstPort: number | undefined;
}

export type ContractVerdict = 'permit' | 'deny' | 'no-permit';

/** Where a packet goes relative to a contract's provider. */
type ContractDirection = 'in' | 'out';

/** The source port of every probe request (the start of IANA's dynamic port range). */
const PROBE_SOURCE_PORT = 49152;
/** A probe's destination port when neither the flow nor the policy names one. */
export const DEFAULT_PROBE_PORT = 80;

/** What a flow probes: protocol and destination port (none for ICMP). */
export interface ProbeTraffic {
  protocol: ProbeProtocol;
  port: number | undefined;
}

export function requestPacket(traffic: ProbeTraffic): ProbePacket {
  if (traffic.protocol === 'icmp') return { protocol: 'icmp', srcPort: undefined, dstPort: undefined };
  return { protocol: traffic.protocol, srcPort: PROBE_SOURCE_PORT, dstPort: traffic.port };
}

export function replyPacket(traffic: ProbeTraffic): ProbePacket {
  const request = requestPacket(traffic);
  return { protocol: request.protocol, srcPort: request.dstPort, dstPort: request.srcPort };
}

interface ApplicableContract {
  rules: RuleSpec[];
  direction: ContractDirection;
}

export class ContractMatcher {
  private readonly epgs = new Map<string, EpgSpec>();
  private readonly filters = new Map<string, FilterSpec>();
  private readonly rulesOf = new Map<string, RuleSpec[]>();
  /** Verdicts by EPG pair and packet; probes send the same few packets over and over. */
  private readonly verdicts = new Map<string, ContractVerdict>();

  constructor(policy: PolicySpec) {
    for (const e of policy.epgs) this.epgs.set(e.name, e);
    for (const f of policy.filters) this.filters.set(f.name, f);
    for (const c of policy.contracts) this.rulesOf.set(c.name, c.subjects.flatMap((s) => s.rules));
  }

  /** The verdict for a request, or for the reply to a request that went the other way. */
  verdict(fromEpg: string, toEpg: string, packet: ProbePacket, reply: boolean): ContractVerdict {
    const key = `${fromEpg}\u0000${toEpg}\u0000${packet.protocol}\u0000${packet.srcPort}\u0000${packet.dstPort}\u0000${reply}`;
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      verdict = this.decide(fromEpg, toEpg, packet);
      if (verdict !== 'permit' && reply && packet.protocol === 'tcp') {
        const request = { protocol: packet.protocol, srcPort: packet.dstPort, dstPort: packet.srcPort };
        if (this.decide(toEpg, fromEpg, request) === 'permit') verdict = 'permit';
      }
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  /**
   * The first traffic a permit rule allows from one EPG to another (contracts, subjects, rules and
   * filters in scenario order; consumer-to-provider before provider-to-consumer), of the given
   * protocol if one is named. Undefined when no rule names a protocol and port the probe can use.
   */
  firstPermitted(fromEpg: string, toEpg: string, protocol?: ProbeProtocol): ProbeTraffic | undefined {
    for (const contract of this.applicable(fromEpg, toEpg)) {
      for (const rule of contract.rules) {
        if (rule.action !== 'allow' || !ruleApplies(rule, contract.direction)) continue;
        const reversed = portsReversed(rule, contract.direction);
        for (const name of rule.filters) {
          const f = this.filters.get(name);
          if (!f || (f.etherType !== 'ipv4' && f.etherType !== 'unspecified')) continue;
          if (f.protocol === 'unspecified' || (protocol !== undefined && f.protocol !== protocol)) continue;
          if (f.protocol === 'icmp') return { protocol: 'icmp', port: undefined };
          // A reversed filter constrains the source port, which the probe does not choose.
          if (reversed && f.ports !== undefined) continue;
          return { protocol: f.protocol, port: reversed ? DEFAULT_PROBE_PORT : (f.ports?.[0] ?? DEFAULT_PROBE_PORT) };
        }
      }
    }
    return undefined;
  }

  /**
   * What a flow probes: its protocol and port where it names them, else the first the policy
   * permits between its EPGs, else tcp to DEFAULT_PROBE_PORT (ICMP has no port).
   */
  trafficOf(flow: { protocol?: ProbeProtocol; port?: number }, fromEpg: string, toEpg: string): ProbeTraffic {
    if (flow.protocol === 'icmp') return { protocol: 'icmp', port: undefined };
    if (flow.port !== undefined) return { protocol: flow.protocol ?? 'tcp', port: flow.port };
    return this.firstPermitted(fromEpg, toEpg, flow.protocol) ?? { protocol: flow.protocol ?? 'tcp', port: DEFAULT_PROBE_PORT };
  }

  private decide(fromEpg: string, toEpg: string, packet: ProbePacket): ContractVerdict {
    const a = this.epgs.get(fromEpg);
    const b = this.epgs.get(toEpg);
    if (!a || !b) return 'no-permit';
    if (a === b && a.intraGroupPolicy === 'allow') return 'permit';
    let permitted = false;
    for (const contract of this.applicable(fromEpg, toEpg)) {
      for (const rule of contract.rules) {
        if (!ruleApplies(rule, contract.direction)) continue;
        const reversed = portsReversed(rule, contract.direction);
        if (!rule.filters.some((name) => this.filterMatches(name, packet, reversed))) continue;
        if (rule.action === 'deny') return 'deny';
        permitted = true;
      }
    }
    return permitted ? 'permit' : 'no-permit';
  }

  /** The contracts linking the two EPGs, each with the direction the packet takes through it. */
  private applicable(fromEpg: string, toEpg: string): ApplicableContract[] {
    const a = this.epgs.get(fromEpg);
    const b = this.epgs.get(toEpg);
    if (!a || !b) return [];
    const out: ApplicableContract[] = [];
    const add = (consumer: EpgSpec, provider: EpgSpec, direction: ContractDirection) => {
      for (const name of consumer.consumes) {
        const rules = this.rulesOf.get(name);
        if (rules && provider.provides.includes(name)) out.push({ rules, direction });
      }
    };
    add(a, b, 'in');
    add(b, a, 'out');
    return out;
  }

  private filterMatches(name: string, packet: ProbePacket, reversed: boolean): boolean {
    const f = this.filters.get(name);
    if (!f) return false;
    // Probes are IPv4 packets between pods.
    if (f.etherType !== 'ipv4' && f.etherType !== 'unspecified') return false;
    if (f.protocol !== 'unspecified' && f.protocol !== packet.protocol) return false;
    if (f.ports === undefined) return true;
    const port = reversed ? packet.srcPort : packet.dstPort;
    return port !== undefined && port >= f.ports[0] && port <= f.ports[1];
  }
}

function ruleApplies(rule: RuleSpec, direction: ContractDirection): boolean {
  return rule.direction === 'bidirectional' || rule.direction === direction;
}

/** A bidirectional rule classifies provider-to-consumer packets with its filters' ports reversed. */
function portsReversed(rule: RuleSpec, direction: ContractDirection): boolean {
  return rule.direction === 'bidirectional' && direction === 'out';
}
