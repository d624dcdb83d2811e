/**
 * Endpoint URIs as a domain prefix and a number. The URI of an EprL2Ep whose MAC is in its usual
 * spelling (`/EprL2Universe/EprL2Ep/<escaped BD>/0a%3a58%3a0a%3a01%3a02%3a03/`) is its prefix and the
 * MAC as a 48-bit number; the URI of an EprL3Ep whose IP is IPv4 in its usual spelling is its prefix
 * and the address as a 32-bit number. Every other URI has no number. The two are one-to-one: a
 * prefix and a number spell exactly one URI (`numberedUriText`).
 *
 * A leaf pair's registration table keys a fabric's millions of endpoints by these, so that no
 * endpoint URI is hashed or compared as a string; the agent's own declared objects give their number
 * from what they were built of, without reading their URI.
 */
import { ipv4Key, ipv4Text } from './endpoint-key-map.ts';

const L2_ENDPOINT_ROOT = '/EprL2Universe/EprL2Ep/';
const L3_ENDPOINT_ROOT = '/EprL3Universe/EprL3Ep/';
const ROOT_LENGTH = L2_ENDPOINT_ROOT.length;
/** `xx%3axx%3axx%3axx%3axx%3axx`: six pairs of lowercase hex digits and five escaped colons. */
const ESCAPED_MAC_LENGTH = 27;
const COLON_MAC_LENGTH = 17;
const SLASH = 47;

/** The value of a lowercase hex digit, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * A MAC of six lowercase hex pairs joined by `separator` (":" or "%3a") at `start` of `text`, as a
 * number below 2^48; -1 when the text there is any other spelling. The caller checks the length.
 */
function macAt(text: string, start: number, separator: string): number {
  let value = 0;
  let at = start;
  for (let pair = 0; pair < 6; pair++) {
    if (pair > 0) {
      if (!text.startsWith(separator, at)) return -1;
      at += separator.length;
    }
    const hi = hexDigit(text.charCodeAt(at));
    const lo = hexDigit(text.charCodeAt(at + 1));
    if (hi < 0 || lo < 0) return -1;
    value = value * 256 + hi * 16 + lo;
    at += 2;
  }
  return value;
}

/** A MAC in its usual spelling (`0a:58:0a:01:02:03`, lowercase) as a number; -1 for any other text. */
export function macNumber(mac: string): number {
  return mac.length === COLON_MAC_LENGTH ? macAt(mac, 0, ':') : -1;
}

/** The MAC's URI segment (without its "/"), as escapeUriComponent writes it. */
function escapedMac(value: number): string {
  let text = '';
  for (let shift = 40; shift >= 0; shift -= 8) {
    const octet = Math.floor(value / 2 ** shift) % 256;
    text += (shift === 40 ? '' : '%3a') + octet.toString(16).padStart(2, '0');
  }
  return text;
}

/** Where a numbered URI's prefix ends (just after the domain's "/"), or -1 when the URI has no number. */
export function numberedPrefixEnd(uri: string): number {
  if (uri.charCodeAt(uri.length - 1) !== SLASH) return -1;
  if (!uri.startsWith(L2_ENDPOINT_ROOT) && !uri.startsWith(L3_ENDPOINT_ROOT)) return -1;
  const domainEnd = uri.indexOf('/', ROOT_LENGTH);
  return domainEnd < 0 || domainEnd === uri.length - 1 ? -1 : domainEnd + 1;
}

/** The number of a URI whose prefix ends at `prefixEnd` (see numberedPrefixEnd), or -1 when it has none. */
export function uriNumber(uri: string, prefixEnd: number): number {
  const segmentLength = uri.length - 1 - prefixEnd;
  if (uri.startsWith(L2_ENDPOINT_ROOT)) {
    return segmentLength === ESCAPED_MAC_LENGTH ? macAt(uri, prefixEnd, '%3a') : -1;
  }
  // ipv4Key reads digits and dots only, so a "/" inside the segment already fails it.
  return ipv4Key(uri.slice(prefixEnd, uri.length - 1));
}

/** The URI a numbered prefix and number spell (the text `numberedPrefixEnd` and `uriNumber` read back). */
export function numberedUriText(prefix: string, value: number): string {
  return prefix + (prefix.startsWith(L2_ENDPOINT_ROOT) ? escapedMac(value) : ipv4Text(value)) + '/';
}
