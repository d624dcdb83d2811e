/**
 * The objects an agent declares for one local endpoint, as the reference agent declares them: an
 * EprL2Ep with its (empty) reported attribute set, and one EprL3Ep per IP. A fabric-scale run holds
 * one set per pod (a million at XL), so each object keeps only its URI and what it describes; the
 * wire members (properties, children, the parent triple) are made when read, and `toJSON` gives the
 * plain wire shape that the codec and JSON.stringify write.
 */
import type { ManagedObject, Property } from '../model/managed-object.ts';
import { escapeUriComponent } from '../model/uri.ts';

export interface LocalEndpoint {
  uuid: string;
  mac: string;
  ips: string[];
  epgUri: string;
  interfaceName: string;
  /** The pod's name, for traces. */
  name: string;
}

/** The bridge and routing domains an endpoint's EPG leads to. */
export interface EndpointNetwork {
  bd: string;
  rd: string;
}

const ATTRIBUTE_SET = 'GbpeReportedEpAttributeSet';

/** The keys of an object's wire shape (subject, uri, properties, children and the parent triple), in UTF-16 units. */
const OBJECT_KEY_CHARS = 'subject'.length + 'uri'.length + 'properties'.length + 'children'.length + 'parent_subject'.length + 'parent_uri'.length + 'parent_relation'.length;
/** A property's keys ("name", "data"). */
const PROPERTY_KEY_CHARS = 'name'.length + 'data'.length;
/** An empty list, as textChars counts it. */
const LIST_CHARS = 2;

/** A string property's text: its keys, its name and its value. */
function propertyChars(name: string, value: string): number {
  return PROPERTY_KEY_CHARS + name.length + value.length;
}

abstract class DeclaredObject implements ManagedObject {
  abstract readonly subject: string;
  abstract readonly uri: string;
  abstract readonly properties: Property[];
  abstract readonly children: string[];
  abstract readonly parent_subject: string;
  abstract readonly parent_uri: string;
  abstract readonly parent_relation: string;

  /**
   * Its text as textChars (proxy-limits.ts) counts the wire shape `toJSON` gives, worked out without
   * making it: a leaf counts every declare it receives, and agents renew each of a node's endpoints.
   */
  abstract textChars(): number;

  /** The members every declared object has, counted as textChars would (its properties and children aside). */
  protected frameChars(): number {
    return OBJECT_KEY_CHARS + this.subject.length + this.uri.length + this.parent_subject.length + this.parent_uri.length + this.parent_relation.length;
  }

  toJSON(): ManagedObject {
    return {
      subject: this.subject,
      uri: this.uri,
      properties: this.properties,
      children: this.children,
      parent_subject: this.parent_subject,
      parent_uri: this.parent_uri,
      parent_relation: this.parent_relation,
    };
  }
}

/**
 * An endpoint's L2 object. Its URI is made when first asked for (the domain's prefix and the escaped
 * MAC), then kept: a fabric's leaves number the agent's endpoints without it (RegistrationSlots), and
 * most of a million pods' URIs are never read in a run.
 */
export class EprL2Ep extends DeclaredObject {
  private madeUri: string | undefined;

  constructor(
    /** `/EprL2Universe/EprL2Ep/<escaped bd>/`, shared by the domain's endpoints. */
    readonly prefix: string,
    readonly endpoint: LocalEndpoint,
    readonly bd: string,
  ) {
    super();
  }

  get uri(): string {
    return (this.madeUri ??= this.prefix + lastSegment(this.endpoint.mac));
  }

  get subject(): string {
    return 'EprL2Ep';
  }

  get properties(): Property[] {
    const ep = this.endpoint;
    return [
      { name: 'uuid', data: ep.uuid },
      { name: 'mac', data: ep.mac },
      { name: 'interfaceName', data: ep.interfaceName },
      { name: 'group', data: ep.epgUri },
      { name: 'context', data: this.bd },
    ];
  }

  get children(): string[] {
    return [this.uri + ATTRIBUTE_SET + '/'];
  }

  textChars(): number {
    const ep = this.endpoint;
    const properties = LIST_CHARS + propertyChars('uuid', ep.uuid) + propertyChars('mac', ep.mac) + propertyChars('interfaceName', ep.interfaceName) + propertyChars('group', ep.epgUri) + propertyChars('context', this.bd);
    const children = LIST_CHARS + this.uri.length + ATTRIBUTE_SET.length + 1;
    return this.frameChars() + properties + children;
  }

  get parent_subject(): string {
    return 'EprL2Universe';
  }

  get parent_uri(): string {
    return '/EprL2Universe/';
  }

  get parent_relation(): string {
    return 'EprL2Ep';
  }
}

/** The L2 endpoint's reported attribute set: empty, named by its parent. */
export class ReportedEpAttributeSet extends DeclaredObject {
  constructor(readonly parent: EprL2Ep) {
    super();
  }

  get subject(): string {
    return ATTRIBUTE_SET;
  }

  get uri(): string {
    return this.parent.uri + ATTRIBUTE_SET + '/';
  }

  textChars(): number {
    // Its uri is its parent's and a segment: counted, not built.
    const uriChars = this.parent.uri.length + ATTRIBUTE_SET.length + 1;
    return OBJECT_KEY_CHARS + this.subject.length + uriChars + this.parent_subject.length + this.parent_uri.length + this.parent_relation.length + LIST_CHARS + LIST_CHARS;
  }

  get properties(): Property[] {
    return [];
  }

  get children(): string[] {
    return [];
  }

  get parent_subject(): string {
    return 'EprL2Ep';
  }

  get parent_uri(): string {
    return this.parent.uri;
  }

  get parent_relation(): string {
    return ATTRIBUTE_SET;
  }
}

/** An endpoint's L3 object for one IP; its URI made when first asked for, as EprL2Ep's. */
export class EprL3Ep extends DeclaredObject {
  private madeUri: string | undefined;

  constructor(
    /** `/EprL3Universe/EprL3Ep/<escaped rd>/`, shared by the domain's endpoints. */
    readonly prefix: string,
    readonly endpoint: LocalEndpoint,
    readonly rd: string,
    readonly ip: string,
  ) {
    super();
  }

  get uri(): string {
    return (this.madeUri ??= this.prefix + lastSegment(this.ip));
  }

  get subject(): string {
    return 'EprL3Ep';
  }

  get properties(): Property[] {
    const ep = this.endpoint;
    return [
      { name: 'uuid', data: ep.uuid },
      { name: 'mac', data: ep.mac },
      { name: 'ip', data: this.ip },
      { name: 'group', data: ep.epgUri },
      { name: 'context', data: this.rd },
    ];
  }

  get children(): string[] {
    return [];
  }

  textChars(): number {
    const ep = this.endpoint;
    const properties = LIST_CHARS + propertyChars('uuid', ep.uuid) + propertyChars('mac', ep.mac) + propertyChars('ip', this.ip) + propertyChars('group', ep.epgUri) + propertyChars('context', this.rd);
    return this.frameChars() + properties + LIST_CHARS;
  }

  get parent_subject(): string {
    return 'EprL3Universe';
  }

  get parent_uri(): string {
    return '/EprL3Universe/';
  }

  get parent_relation(): string {
    return 'EprL3Ep';
  }
}

/** Escaped domain prefixes a factory remembers per layer; past it, all of that layer are forgotten at once. */
export const domainPrefixesRememberedMax = 4096;

/**
 * Builds the declared objects of endpoints, remembering each domain's escaped URI prefix (every pod
 * of an EPG shares it, and escaping a URI inside a URI is most of the work). Bounded: a live agent's
 * domains are whatever its peers name, and a peer may name endless ones.
 */
export class EndpointObjectFactory {
  private readonly l2Prefix = new Map<string, string>();
  private readonly l3Prefix = new Map<string, string>();

  /** Domain prefixes remembered (both layers). */
  get rememberedPrefixes(): number {
    return this.l2Prefix.size + this.l3Prefix.size;
  }

  /** [[EprL2Ep, its attribute set], [EprL3Ep] per IP]: each inner list is one endpoint_declare. */
  objectsOf(ep: LocalEndpoint, network: EndpointNetwork): ManagedObject[][] {
    const l2 = new EprL2Ep(prefixed(this.l2Prefix, 'EprL2', network.bd), ep, network.bd);
    // Sized up front: an array grown by push keeps room for 17 lists, 150 bytes more per pod.
    const ips = ep.ips; // a getter may build the list each time (a pod's does)
    const out = new Array<ManagedObject[]>(1 + ips.length);
    out[0] = [l2, new ReportedEpAttributeSet(l2)];
    const l3Prefix = prefixed(this.l3Prefix, 'EprL3', network.rd);
    for (let i = 0; i < ips.length; i++) out[i + 1] = [new EprL3Ep(l3Prefix, ep, network.rd, ips[i]!)];
    return out;
  }
}

/**
 * A URI's last segment, escaped and with its "/", as one flat string. The URI is then the shared
 * domain prefix + this: a rope of two, which costs less than a flat copy of the whole URI (a million
 * pods each have two).
 */
function lastSegment(name: string): string {
  return escapeUriComponent(name, '/');
}

function prefixed(cache: Map<string, string>, layer: 'EprL2' | 'EprL3', domain: string): string {
  let prefix = cache.get(domain);
  if (prefix === undefined) {
    prefix = `/${layer}Universe/${layer}Ep/${escapeUriComponent(domain)}/`;
    if (cache.size >= domainPrefixesRememberedMax) cache.clear();
    cache.set(domain, prefix);
  }
  return prefix;
}

/** The endpoint whose declared objects (as `objectsOf` lists them) these are. */
export function endpointOfDeclared(declared: readonly (readonly ManagedObject[])[]): LocalEndpoint {
  const l2 = declared[0]?.[0];
  if (!(l2 instanceof EprL2Ep)) throw new TypeError('declared objects do not start with an EprL2Ep built by EndpointObjectFactory');
  return l2.endpoint;
}

/** One endpoint's declared objects (a factory of its own; agents share one through the processor). */
export function endpointObjects(ep: LocalEndpoint, network: EndpointNetwork): ManagedObject[][] {
  return new EndpointObjectFactory().objectsOf(ep, network);
}

/** The IP an EprL3Ep declares (read without building its property list when it is one of ours). */
export function declaredIp(mo: ManagedObject): string | undefined {
  if (mo instanceof EprL3Ep) return mo.ip;
  if (mo.subject !== 'EprL3Ep') return undefined;
  for (const p of mo.properties) if (p.name === 'ip') return typeof p.data === 'string' ? p.data : undefined;
  return undefined;
}
