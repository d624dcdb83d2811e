/**
 * What the twin knows of the modelgbp classes it builds and serves (policy-builder.ts and the
 * reference opflex_server policy file): the wire type of each property it knows. libopflex drops a
 * property of the wrong JSON type silently (opflex-protocol.md section 5); the twin refuses it, so a
 * bad file or change is caught where it is made. Unknown classes and properties are not checked.
 */

/** Wire types: strings (enums travel as their const names), unsigned integers (U8..U64), references. */
type PropertyKind = 'string' | 'unsigned' | 'reference';

const NAMED: Record<string, PropertyKind> = { name: 'string' };

const CLASSES: Record<string, Record<string, PropertyKind>> = {
  PolicyUniverse: {},
  PlatformConfig: { name: 'string', encapType: 'string', mode: 'string', multicastGroupIP: 'string', inventoryType: 'string' },
  PolicySpace: NAMED,
  GbpAllowDenyAction: { name: 'string', allow: 'unsigned', order: 'unsigned' },
  GbpeL24Classifier: {
    name: 'string', order: 'unsigned', etherT: 'string', prot: 'unsigned', connectionTracking: 'string',
    sFromPort: 'unsigned', sToPort: 'unsigned', dFromPort: 'unsigned', dToPort: 'unsigned',
  },
  GbpRoutingDomain: NAMED,
  GbpeInstContext: { encapId: 'unsigned', classid: 'unsigned', multicastGroupIP: 'string' },
  GbpSubnets: NAMED,
  GbpSubnet: { name: 'string', address: 'string', prefixLen: 'unsigned', virtualRouterIp: 'string' },
  GbpBridgeDomain: { name: 'string', routingMode: 'string' },
  GbpFloodDomain: { name: 'string', arpMode: 'string', neighborDiscMode: 'string', unknownFloodMode: 'string', bcastFloodMode: 'string' },
  GbpeFloodContext: { multicastGroupIP: 'string' },
  GbpContract: NAMED,
  GbpSubject: NAMED,
  GbpRule: { name: 'string', direction: 'string', order: 'unsigned' },
  GbpEpGroup: { name: 'string', intraGroupPolicy: 'string' },
};

/** Relationship sources (`<Src>To<Dep>RSrc`) expose one property, `target`, a reference. */
const RELATION_SOURCE = /^[A-Z][A-Za-z0-9]*To[A-Z][A-Za-z0-9]*RSrc$/;
const RELATION_PROPERTIES: Record<string, PropertyKind> = { target: 'reference' };

/** The wire type of `className.property`, or undefined when the twin does not know it. */
export function propertyKind(className: string, property: string): PropertyKind | undefined {
  const known = Object.hasOwn(CLASSES, className) ? CLASSES[className] : RELATION_SOURCE.test(className) ? RELATION_PROPERTIES : undefined;
  return known !== undefined && Object.hasOwn(known, property) ? known[property] : undefined;
}
