/**
 * OpFlex JSON-RPC 1.0 messages as the actors see them. The id is kept as its raw JSON text
 * (`["policy_resolve",9223372036854775808]`) so it is echoed byte-for-byte and never passes through
 * a JS number.
 */
import type { ManagedObject, PropertyData } from '../model/managed-object.ts';

export type RawId = string;

export interface RpcRequest {
  kind: 'request';
  id: RawId;
  method: string;
  params: unknown[];
}

export interface RpcResult {
  kind: 'result';
  id: RawId;
  result: unknown;
}

export interface RpcErrorReply {
  kind: 'error';
  id: RawId;
  error: { code: string; message: string };
}

export type RpcMessage = RpcRequest | RpcResult | RpcErrorReply;

export const OPFLEX_ROLES = ['policy_element', 'policy_repository', 'endpoint_registry', 'observer'] as const;
export type OpflexRole = (typeof OPFLEX_ROLES)[number];

export const SERVER_ROLES: OpflexRole[] = ['policy_repository', 'endpoint_registry', 'observer'];

export interface IdentityRequest {
  proto_version: '1.0';
  name: string;
  domain: string;
  my_location?: string;
  my_role: OpflexRole[];
  data?: { mac?: string; features?: string[] };
}

export interface IdentityPeer {
  role: OpflexRole[];
  connectivity_info: string;
}

export interface IdentityResult {
  name: string;
  domain: string;
  your_location: string;
  data: Record<string, unknown>;
  my_role: OpflexRole[];
  peers: IdentityPeer[];
}

export interface PolicyResolveItem {
  subject: string;
  policy_uri: string;
  prr: number;
}

export interface PolicyUnresolveItem {
  subject: string;
  policy_uri: string;
}

export interface PolicyUpdateItem {
  replace: ManagedObject[];
  merge_children: ManagedObject[];
  delete: { subject: string; uri: string }[];
}

export interface EndpointDeclareItem {
  endpoint: ManagedObject[];
  prr: number;
}

export interface EndpointUndeclareItem {
  subject: string;
  endpoint_uri: string;
}

export interface EndpointResolveItem {
  subject: string;
  endpoint_uri: string;
  prr: number;
}

export interface StateReportItem {
  observable: ManagedObject[];
}

/**
 * The raw id libopflex generates for a request: `["method", n]` with n an unsigned 64-bit counter
 * (a number where the counter cannot pass 2^53, as an echo's cannot: no BigInt per keepalive).
 */
export function makeRawId(method: string, n: bigint | number): RawId {
  let prefix = idPrefixes.get(method);
  if (prefix === undefined) {
    prefix = `[${JSON.stringify(method)},`;
    if (idPrefixes.size < 64) {
      idPrefixes.set(method, prefix);
      idMethods.push(method);
    }
  }
  // Joined flat rather than concatenated into a rope: the id is hashed when its reply is awaited and
  // read again when the reply is counted, and each read of a rope would first copy it flat.
  return [prefix, n, ']'].join('');
}

/** `["method",` per method name (a few are used millions of times). */
const idPrefixes = new Map<string, string>();
/** The same method names, in a list that methodOfRawId reads its answers from (no new string per reply). */
const idMethods: string[] = [];

/** The method named by a `["method", n]` id, or undefined when the id is not of that form. */
export function methodOfRawId(id: RawId): string | undefined {
  // The ids we make (makeRawId) have no spaces or escapes: read those without a regex.
  if (id.startsWith('["')) {
    const end = id.indexOf('"', 2);
    if (end > 0 && id.charCodeAt(end + 1) === 44 /* , */ && id.lastIndexOf('\\', end) < 2) {
      const length = end - 2;
      for (let i = 0; i < idMethods.length; i++) {
        const method = idMethods[i]!;
        if (method.length === length && id.startsWith(method, 2)) return method;
      }
      return id.slice(2, end);
    }
  }
  const m = /^\[\s*"((?:[^"\\]|\\.)*)"\s*,/.exec(id);
  return m ? (JSON.parse(`"${m[1]}"`) as string) : undefined;
}

export type { ManagedObject, PropertyData };
