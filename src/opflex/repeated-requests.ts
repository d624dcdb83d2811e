/**
 * Agents send the same policy_resolve again and again under new ids (every resolve of an object
 * after a reconnect, a prr renewal, a load client's flood): the frame differs only in the id. The
 * decoded method and params of such a frame are kept by the text that follows the id, so the next
 * frame with the same body skips the JSON parse and shares the decoded params, which are frozen so
 * that no handler can change what a later request will see.
 *
 * Only frames that start exactly with `{"id":["<name>",<digits>]` (what libopflex and our agent
 * write) and whose method is one of CACHED_METHODS are looked up; anything else takes the full
 * decoder. The cache holds at most `repeatedRequestsCachedMax` bodies of at most
 * `repeatedRequestBodyCharsMax` characters each; past the first bound the oldest body is forgotten,
 * a longer body is never kept.
 */
import type { RpcRequest } from './message.ts';

/** Distinct request bodies remembered (process-wide). */
export const repeatedRequestsCachedMax = 4096;
/** Longest body (the frame's text after its id, UTF-16 units) remembered. */
export const repeatedRequestBodyCharsMax = 1024;

/** Methods whose params no handler keeps or changes: sharing them between requests is safe. */
const CACHED_METHODS: ReadonlySet<string> = new Set(['policy_resolve']);

const ID_PREFIX = '{"id":["';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Digits of the largest id libopflex writes (2^64 - 1). */
const ID_DIGITS_MAX = 20;

interface CachedBody {
  method: string;
  params: unknown[];
}

const bodies = new Map<string, CachedBody>();

/** Where the raw id of `text` ends (exclusive), when the frame has the plain shape; -1 otherwise. */
export function plainIdEnd(text: string): number {
  if (!text.startsWith(ID_PREFIX)) return -1;
  let i = ID_PREFIX.length;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) break;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  if (text.charCodeAt(++i) !== COMMA) return -1;
  const digitsStart = ++i;
  for (; i < text.length && i - digitsStart <= ID_DIGITS_MAX; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) break;
  }
  const digits = i - digitsStart;
  if (digits === 0 || digits > ID_DIGITS_MAX || text.charCodeAt(i) !== CLOSE_BRACKET) return -1;
  return i + 1;
}

/** The request a frame's text decodes to when its body was decoded before; undefined otherwise. */
export function repeatedRequest(text: string): RpcRequest | undefined {
  if (bodies.size === 0) return undefined;
  const idEnd = plainIdEnd(text);
  if (idEnd < 0 || text.length - idEnd > repeatedRequestBodyCharsMax) return undefined;
  const body = bodies.get(text.slice(idEnd));
  if (body === undefined) return undefined;
  return { kind: 'request', id: text.slice(ID_PREFIX.length - 2, idEnd), method: body.method, params: body.params };
}

/** Remembers the body of a request the full decoder produced from `text` (its id ending at a plain id). */
export function rememberRequest(text: string, request: RpcRequest): void {
  if (!CACHED_METHODS.has(request.method)) return;
  const idEnd = plainIdEnd(text);
  if (idEnd < 0 || text.length - idEnd > repeatedRequestBodyCharsMax) return;
  // The raw id the decoder found must be the plain one (a frame cannot smuggle a second id past it).
  if (request.id !== text.slice(ID_PREFIX.length - 2, idEnd)) return;
  if (bodies.size >= repeatedRequestsCachedMax) bodies.delete(bodies.keys().next().value as string);
  // A copy of the key: a slice would keep this whole frame's text alive as long as the entry.
  bodies.set(ownCopy(text.slice(idEnd)), { method: request.method, params: deepFreeze(request.params) });
}

/** Forgets every body (tests). */
export function forgetRepeatedRequests(): void {
  bodies.clear();
}

export function repeatedRequestsCached(): number {
  return bodies.size;
}

function ownCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
