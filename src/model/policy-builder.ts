/**
 * Builds the policy universe APIC serves from a scenario's policy section, in the shapes the
 * reference agent resolves (opflex-protocol.md section 7): EPG -> FloodDomain -> BridgeDomain ->
 * RoutingDomain, Subnets, Contract -> Subject -> Rule -> Classifier / Action, and the
 * PlatformConfig of the VMM domain.
 */
import type { PolicySpec } from '../scenario/types.ts';
import type { ManagedObject, Property, PropertyData } from './managed-object.ts';
import { ObjectStore } from './object-store.ts';
import { buildUri, childUri } from './uri.ts';

const POLICY_UNIVERSE_URI = '/PolicyUniverse/';

export function platformConfigUri(domain: string): string {
  return buildUri(['PolicyUniverse'], ['PlatformConfig', domain]);
}

export function policySpaceUri(tenant: string): string {
  return buildUri(['PolicyUniverse'], ['PolicySpace', tenant]);
}

export function epgUri(tenant: string, epg: string): string {
  return buildUri(['PolicyUniverse'], ['PolicySpace', tenant], ['GbpEpGroup', epg]);
}

function bridgeDomainUri(tenant: string, bd: string): string {
  return buildUri(['PolicyUniverse'], ['PolicySpace', tenant], ['GbpBridgeDomain', bd]);
}

function floodDomainUri(tenant: string, bd: string): string {
  return buildUri(['PolicyUniverse'], ['PolicySpace', tenant], ['GbpFloodDomain', bd]);
}

function routingDomainUri(tenant: string, vrf: string): string {
  return buildUri(['PolicyUniverse'], ['PolicySpace', tenant], ['GbpRoutingDomain', vrf]);
}

function subnetsUri(tenant: string, bd: string): string {
  return buildUri(['PolicyUniverse'], ['PolicySpace', tenant], ['GbpSubnets', bd]);
}

function contractUri(tenant: string, contract: string): string {
  return buildUri(['PolicyUniverse'], ['PolicySpace', tenant], ['GbpContract', contract]);
}

function classifierUri(tenant: string, filter: string): string {
  return buildUri(['PolicyUniverse'], ['PolicySpace', tenant], ['GbpeL24Classifier', filter]);
}

function actionUri(tenant: string, action: 'allow' | 'deny'): string {
  return buildUri(['PolicyUniverse'], ['PolicySpace', tenant], ['GbpAllowDenyAction', action]);
}

const PROTOCOL_NUMBERS: Record<string, number | undefined> = { tcp: 6, udp: 17, icmp: 1, unspecified: undefined };
const ETHER_TYPES: Record<string, string | undefined> = { ipv4: 'ipv4', ipv6: 'ipv6', arp: 'arp', unspecified: undefined };

class UniverseWriter {
  readonly store = new ObjectStore();

  add(subject: string, uri: string, props: [string, PropertyData | undefined][], parent?: ManagedObject): ManagedObject {
    const properties: Property[] = [];
    for (const [name, data] of props) if (data !== undefined) properties.push({ name, data });
    const mo: ManagedObject = { subject, uri, properties, children: [] };
    if (parent) {
      mo.parent_subject = parent.subject;
      mo.parent_uri = parent.uri;
      mo.parent_relation = subject;
      parent.children.push(uri);
    }
    this.store.adopt(mo);
    return mo;
  }

  /** A single-cardinality relationship source (`<parent>Class/`) whose target is `targetUri`. */
  relation(parent: ManagedObject, className: string, targetSubject: string, targetUri: string): ManagedObject {
    return this.add(className, childUri(parent.uri, className), [['target', { subject: targetSubject, reference_uri: targetUri }]], parent);
  }

  /** A multi-cardinality relationship source, named by target class and URI (genie's scheme). */
  multiRelation(parent: ManagedObject, className: string, targetSubject: string, targetUri: string): ManagedObject {
    return this.add(
      className,
      childUri(parent.uri, className, targetSubject, targetUri),
      [['target', { subject: targetSubject, reference_uri: targetUri }]],
      parent,
    );
  }

  instContext(parent: ManagedObject, encapId: number, classid: number): ManagedObject {
    return this.add('GbpeInstContext', childUri(parent.uri, 'GbpeInstContext'), [
      ['encapId', encapId],
      ['classid', classid],
    ], parent);
  }
}

function parseCidr(cidr: string): { gateway: string; network: string; prefixLen: number } {
  const [ip, len] = cidr.split('/');
  const prefixLen = Number(len);
  const octets = ip!.split('.').map(Number);
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  const net = (value & mask) >>> 0;
  const network = [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join('.');
  return { gateway: ip!, network, prefixLen };
}

/** The whole policy universe for a scenario, as APIC holds it. */
export function buildPolicyUniverse(spec: PolicySpec): ObjectStore {
  const w = new UniverseWriter();
  const root = w.add('PolicyUniverse', POLICY_UNIVERSE_URI, []);
  w.add('PlatformConfig', platformConfigUri(spec.domain), [
    ['name', spec.domain],
    ['encapType', spec.encapType],
    ['mode', 'intra_epg'],
    ['multicastGroupIP', '225.0.0.1'],
  ], root);

  const spaces = new Map<string, ManagedObject>();
  const space = (tenant: string): ManagedObject => {
    let s = spaces.get(tenant);
    if (!s) {
      s = w.add('PolicySpace', policySpaceUri(tenant), [['name', tenant]], root);
      spaces.set(tenant, s);
    }
    return s;
  };
  space(spec.commonTenant);
  space(spec.tenant);

  let vnid = 0x780000;
  let classid = 49152;
  const t = spec.tenant;
  const common = spec.commonTenant;

  for (const action of ['allow', 'deny'] as const) {
    w.add('GbpAllowDenyAction', actionUri(common, action), [
      ['name', action],
      ['allow', action === 'allow' ? 1 : 0],
    ], space(common));
  }
  spec.filters.forEach((f, i) => {
    w.add('GbpeL24Classifier', classifierUri(common, f.name), [
      ['name', f.name],
      ['order', i + 1],
      ['etherT', ETHER_TYPES[f.etherType]],
      ['prot', PROTOCOL_NUMBERS[f.protocol]],
      ['dFromPort', f.ports?.[0]],
      ['dToPort', f.ports?.[1]],
      ['connectionTracking', f.protocol === 'tcp' ? 'reflexive' : undefined],
    ], space(common));
  });

  const vrfTenant = new Map(spec.vrfs.map((v) => [v.name, v.tenant]));
  for (const vrf of spec.vrfs) {
    const rd = w.add('GbpRoutingDomain', routingDomainUri(vrf.tenant, vrf.name), [['name', vrf.name]], space(vrf.tenant));
    w.instContext(rd, vnid++, classid++);
    for (const bd of spec.bridgeDomains.filter((b) => b.vrf === vrf.name)) {
      w.multiRelation(rd, 'GbpRoutingDomainToIntSubnetsRSrc', 'GbpSubnets', subnetsUri(t, bd.name));
    }
  }

  for (const bd of spec.bridgeDomains) {
    const subnets = w.add('GbpSubnets', subnetsUri(t, bd.name), [['name', bd.name]], space(t));
    for (const cidr of bd.subnets) {
      const { gateway, network, prefixLen } = parseCidr(cidr);
      w.add('GbpSubnet', childUri(subnets.uri, 'GbpSubnet', cidr), [
        ['name', cidr],
        ['address', network],
        ['prefixLen', prefixLen],
        ['virtualRouterIp', gateway],
      ], subnets);
    }
    const bdMo = w.add('GbpBridgeDomain', bridgeDomainUri(t, bd.name), [
      ['name', bd.name],
      ['routingMode', 'enabled'],
    ], space(t));
    w.instContext(bdMo, vnid++, classid++);
    w.relation(bdMo, 'GbpBridgeDomainToNetworkRSrc', 'GbpRoutingDomain', routingDomainUri(vrfTenant.get(bd.vrf) ?? common, bd.vrf));
    w.relation(bdMo, 'GbpForwardingBehavioralGroupToSubnetsRSrc', 'GbpSubnets', subnets.uri);

    const fd = w.add('GbpFloodDomain', floodDomainUri(t, bd.name), [
      ['name', bd.name],
      ['arpMode', 'unicast'],
      ['neighborDiscMode', 'unicast'],
      ['unknownFloodMode', 'drop'],
      ['bcastFloodMode', 'normal'],
    ], space(t));
    w.add('GbpeFloodContext', childUri(fd.uri, 'GbpeFloodContext'), [['multicastGroupIP', '225.0.0.2']], fd);
    w.relation(fd, 'GbpFloodDomainToNetworkRSrc', 'GbpBridgeDomain', bdMo.uri);
  }

  for (const contract of spec.contracts) {
    const c = w.add('GbpContract', contractUri(t, contract.name), [['name', contract.name]], space(t));
    for (const subject of contract.subjects) {
      const s = w.add('GbpSubject', childUri(c.uri, 'GbpSubject', subject.name), [['name', subject.name]], c);
      subject.rules.forEach((rule, order) => {
        const r = w.add('GbpRule', childUri(s.uri, 'GbpRule', rule.name), [
          ['name', rule.name],
          ['direction', rule.direction],
          ['order', order + 1],
        ], s);
        for (const filter of rule.filters) w.multiRelation(r, 'GbpRuleToClassifierRSrc', 'GbpeL24Classifier', classifierUri(common, filter));
        w.multiRelation(r, 'GbpRuleToActionRSrc', 'GbpAllowDenyAction', actionUri(common, rule.action));
      });
    }
  }

  for (const epg of spec.epgs) {
    const e = w.add('GbpEpGroup', epgUri(t, epg.name), [
      ['name', epg.name],
      ['intraGroupPolicy', epg.intraGroupPolicy],
    ], space(t));
    w.instContext(e, vnid++, classid++);
    w.relation(e, 'GbpEpGroupToNetworkRSrc', 'GbpFloodDomain', floodDomainUri(t, epg.bd));
    w.relation(e, 'GbpEpGroupToSubnetsRSrc', 'GbpSubnets', subnetsUri(t, epg.bd));
    for (const name of epg.provides) w.multiRelation(e, 'GbpEpGroupToProvContractRSrc', 'GbpContract', contractUri(t, name));
    for (const name of epg.consumes) w.multiRelation(e, 'GbpEpGroupToConsContractRSrc', 'GbpContract', contractUri(t, name));
  }
  return w.store;
}
