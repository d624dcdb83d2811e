/**
 * The send_identity reply as our agent reads it, checked before any of it is used: a result object
 * whose `peers` is an array of `{connectivity_info: "host:port"}` (libopflex closes the connection
 * on a malformed one), an optional `your_location` string and `my_role` list, each bounded.
 */
import { formatEndpoint, parseEndpoint, type Endpoint } from '../transport/transport.ts';
import { OPFLEX_ROLES, type OpflexRole } from './message.ts';
import { errorMessage } from '../error-details.ts';

/** Peers one identity reply may list (the agent's pool holds at most as many). */
export const identityPeersMax = 64;
/** `host:port` of one listed peer. */
export const connectivityInfoLengthMax = 300;
/** The location a server assigns (`your_location`). */
export const locationLengthMax = 1024;
/** Entries in `my_role`. */
export const rolesMax = 16;

export interface IdentityReply {
  peers: { key: string; endpoint: Endpoint }[];
  location: string | undefined;
  roles: OpflexRole[];
}

/** The reply's content, or why it is malformed (one line). */
export function readIdentityReply(result: unknown): IdentityReply | string {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return 'identity reply: result is not an object';
  const r = result as Record<string, unknown>;
  if (!Array.isArray(r.peers)) return 'identity reply without a peers array';
  if (r.peers.length > identityPeersMax) return `identity reply lists ${r.peers.length} peers, more than the limit of ${identityPeersMax}`;
  const peers: IdentityReply['peers'] = [];
  for (const [i, p] of r.peers.entries()) {
    const info = typeof p === 'object' && p !== null ? (p as { connectivity_info?: unknown }).connectivity_info : undefined;
    if (typeof info !== 'string') return `bad peer entry: peers[${i}].connectivity_info must be a string`;
    if (info.length > connectivityInfoLengthMax) return `bad peer entry: peers[${i}].connectivity_info is longer than ${connectivityInfoLengthMax} characters`;
    let endpoint: Endpoint;
    try {
      endpoint = parseEndpoint(info);
    } catch (err) {
      return `bad peer entry: peers[${i}]: ${errorMessage(err)}`;
    }
    peers.push({ key: formatEndpoint(endpoint), endpoint });
  }
  let location: string | undefined;
  if (r.your_location !== undefined) {
    if (typeof r.your_location !== 'string') return 'identity reply: your_location is not a string';
    if (r.your_location.length > locationLengthMax) return `identity reply: your_location is longer than ${locationLengthMax} characters`;
    location = r.your_location;
  }
  const roles: OpflexRole[] = [];
  if (r.my_role !== undefined) {
    if (!Array.isArray(r.my_role) || r.my_role.length > rolesMax) return `identity reply: my_role is not a list of at most ${rolesMax} roles`;
    for (const role of r.my_role) if ((OPFLEX_ROLES as readonly unknown[]).includes(role)) roles.push(role as OpflexRole);
  }
  return { peers, location, roles };
}
