/**
 * What one OpFlex session may ask of a server (a leaf's proxy or the anycast proxy). Past a bound
 * the request gets an OpFlex error reply naming the bound, and the session goes on; the values are
 * listed in docs/limits.md.
 */
export interface ProxyLimits {
  /** Items in one request's params (policy_resolve, endpoint_declare, ...). */
  itemsPerRequestMax: number;
  /** Managed objects in one policy_resolve reply that answers several items. */
  objectsPerReplyMax: number;
  /** prr (seconds) is clamped into [prrMinS, prrMaxS]; libopflex agents send an integer, 7200 by default. */
  prrMinS: number;
  prrMaxS: number;
  /** Length of a URI the session sends (resolved, declared, undeclared), in UTF-16 units. */
  uriCharsMax: number;
  /** Objects a session may subscribe to at once (policy_resolve with prr). */
  subscriptionsPerSessionMax: number;
  /** Objects in one declared endpoint (an EprL2Ep, its attribute set, an EprL3Ep per IP...). */
  objectsPerDeclareMax: number;
  /** Text held for one declared endpoint: URIs, names, property values, in UTF-16 units. */
  declaredEndpointCharsMax: number;
  /** Endpoints a session may have registered at once. */
  endpointsPerSessionMax: number;
  /** Text (as declaredEndpointCharsMax) of all the endpoints a session has registered at once. */
  declaredCharsPerSessionMax: number;
}

export const DEFAULT_PROXY_LIMITS: Readonly<ProxyLimits> = {
  itemsPerRequestMax: 1024,
  objectsPerReplyMax: 100_000,
  prrMinS: 1,
  prrMaxS: 86_400,
  uriCharsMax: 2048,
  subscriptionsPerSessionMax: 65_536,
  objectsPerDeclareMax: 64,
  declaredEndpointCharsMax: 16_384,
  endpointsPerSessionMax: 8192,
  declaredCharsPerSessionMax: 4 * 1024 * 1024,
};

/** A prr as the server applies it: any number (or bigint) clamped into the allowed range. */
export function clampPrrS(prr: number | bigint, limits: Pick<ProxyLimits, 'prrMinS' | 'prrMaxS'>): number {
  const seconds = Number(prr);
  if (!(seconds >= limits.prrMinS)) return limits.prrMinS; // NaN included
  return seconds > limits.prrMaxS ? limits.prrMaxS : seconds;
}

/**
 * The text in `value` (strings and keys in UTF-16 units, other scalars as 8), or Infinity as soon as
 * it exceeds `maxChars`. Walks with an explicit stack, whatever the nesting; the twin's own declared
 * objects count themselves (textChars(), as their toJSON would be counted), other objects with a
 * toJSON are measured as they are written.
 */
export function textChars(value: unknown, maxChars: number): number {
  let chars = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') chars += node.length;
    else if (typeof node !== 'object' || node === null) chars += 8;
    else if (Array.isArray(node)) {
      chars += 2;
      for (let i = 0; i < node.length; i++) stack.push(node[i]);
    } else if (typeof (node as { textChars?: unknown }).textChars === 'function') {
      // One of the twin's own declared objects, which counts itself (a peer's JSON has no functions).
      chars += (node as { textChars(): number }).textChars();
    } else {
      const plain = typeof (node as { toJSON?: unknown }).toJSON === 'function' ? (node as { toJSON(): unknown }).toJSON() : node;
      for (const key of Object.keys(plain as object)) {
        chars += key.length;
        stack.push((plain as Record<string, unknown>)[key]);
      }
    }
    if (chars > maxChars) return Infinity;
  }
  return chars;
}
