/**
 * Which node each scenario pod's IP belongs to, so a leaf can refuse a declare of that IP from
 * another agent. A fabric has up to a million pods and most runs never ask (a steady start declares
 * nothing), so the index is built on the first question: one sorted Float64Array of
 * `ip * 2^bits + node index` (8 bytes a pod, no Map entry per pod), searched by bisection.
 */
import type { NodeSpec } from '../scenario/types.ts';

/** IPv4 needs 32 bits of a double's 53: what remains numbers the nodes. */
const NODE_INDEX_BITS_MAX = 21;

export class PodIpOwners {
  private keys: Float64Array | undefined;
  private readonly nodeSlots: number;

  constructor(private readonly nodes: readonly NodeSpec[]) {
    const bits = Math.max(1, Math.ceil(Math.log2(nodes.length + 1)));
    if (bits > NODE_INDEX_BITS_MAX) throw new RangeError(`${nodes.length} nodes: pod IP owners index at most 2^${NODE_INDEX_BITS_MAX} nodes`);
    this.nodeSlots = 2 ** bits;
  }

  /** The node with a pod of exactly this IP (the same string), or undefined. */
  nodeOf(ip: string): string | undefined {
    const n = ipv4Number(ip);
    if (n === undefined) return undefined;
    const keys = (this.keys ??= this.build());
    const slots = this.nodeSlots;
    // First key >= n * slots: the pods with this IP number, if any, start there.
    let lo = 0;
    let hi = keys.length;
    const first = n * slots;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < first) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < keys.length && keys[i]! < first + slots; i++) {
      const node = this.nodes[keys[i]! - first]!;
      // "10.2.1.011" is another EPM key than "10.2.1.11": only the pod's own spelling is its IP.
      if (node.pods.some((pod) => pod.ip === ip)) return node.name;
    }
    return undefined;
  }

  private build(): Float64Array {
    let count = 0;
    for (const node of this.nodes) count += node.pods.length;
    const keys = new Float64Array(count);
    let at = 0;
    this.nodes.forEach((node, index) => {
      for (const pod of node.pods) {
        const n = ipv4Number(pod.ip);
        if (n !== undefined) keys[at++] = n * this.nodeSlots + index;
      }
    });
    return keys.subarray(0, at).sort();
  }
}

/**
 * A dotted-quad IPv4 address as a number (four groups of one to three digits, each at most 255,
 * leading zeros allowed), or undefined for anything else. Read character by character: the index
 * parses every pod's address (a million at XL) and every declared one.
 */
export function ipv4Number(ip: string): number | undefined {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      octet = octet * 10 + (c - 48);
    } else if (c === 46 && digits > 0 && dots < 3) {
      if (octet > 255) return undefined;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0 || octet > 255) return undefined;
  return n * 256 + octet;
}
