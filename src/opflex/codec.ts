/**
 * OpFlex JSON-RPC messages to and from frame bytes, byte-compatible with libopflex: the id is
 * echoed as the exact text it arrived as, and members are written in libopflex's order.
 */
import { isReference, type ManagedObject, type Property, type PropertyData } from '../model/managed-object.ts';
import { detachAboveChars, detachedString, detachStrings } from './detached-strings.ts';
import { encodeFrame } from './framing.ts';
import { JsonSyntaxError, parseJsonWithRawMember, stringifyJson, type JsonValue } from './lossless-json.ts';
import type { RawId, RpcMessage } from './message.ts';
import { rememberRequest, repeatedRequest } from './repeated-requests.ts';

/**
 * Why a frame is not a message libopflex would accept. libopflex drops the connection on every one
 * of these ("Dropping client because of protocol error").
 */
export type ProtocolErrorCode = 'invalid-json' | 'not-object' | 'notification' | 'malformed';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  /** The frame's raw id when it had one, so a peer can still answer with an error reply. */
  readonly id: RawId | undefined;

  constructor(code: ProtocolErrorCode, message: string, options: { id?: RawId; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProtocolError';
    this.code = code;
    this.id = options.id;
  }
}

/**
 * Decodes one frame (without its NUL) into a request, result or error reply, applying the checks of
 * libopflex's MessageFactory::InboundMessage plus `params` being an array.
 */
export function decodeMessage(frame: Buffer | string): RpcMessage {
  const text = typeof frame === 'string' ? frame : frame.toString('utf8');
  const repeated = repeatedRequest(text);
  if (repeated) return repeated;
  const message = decodeFresh(text);
  if (message.kind === 'request') rememberRequest(text, message);
  return message;
}

function decodeFresh(text: string): RpcMessage {
  let parsed;
  try {
    parsed = parseJsonWithRawMember(text, 'id');
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new ProtocolError('invalid-json', `Frame is not valid JSON: ${err.message}`, { cause: err });
    throw err;
  }
  const { value } = parsed;
  let id = parsed.raw;
  if (text.length > detachAboveChars) {
    // What a leaf keeps of a large frame (an id awaiting its reply, a declared URI) must not keep the frame.
    detachStrings(value);
    if (id !== undefined) id = detachedString(id);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('not-object', `Frame is ${describe(value)}, not a JSON object`);
  }
  if (id === undefined || value.id === null) throw new ProtocolError('notification', `Frame has ${id === undefined ? 'no' : 'a null'} id: notifications are not accepted`);

  if (Object.hasOwn(value, 'method')) {
    const { method, params } = value;
    if (typeof method !== 'string') throw new ProtocolError('malformed', `Request method must be a string, got ${describe(method)}`, { id });
    if (!Array.isArray(params)) throw new ProtocolError('malformed', `Request params must be an array, got ${describe(params)}`, { id });
    return { kind: 'request', id, method, params };
  }
  // Replies are routed by the method name in id[0] (libopflex InboundMessage).
  const idValue = value.id;
  if (!Array.isArray(idValue) || typeof idValue[0] !== 'string') {
    throw new ProtocolError('malformed', `Reply id must be an array starting with a method name, got ${id}`, { id });
  }
  if (Object.hasOwn(value, 'result')) return { kind: 'result', id, result: value.result };
  if (Object.hasOwn(value, 'error')) return { kind: 'error', id, error: errorBody(value.error!, id) };
  throw new ProtocolError('malformed', 'Frame has none of method, result or error', { id });
}

function errorBody(error: JsonValue, id: RawId): { code: string; message: string } {
  if (typeof error !== 'object' || error === null || Array.isArray(error)) {
    throw new ProtocolError('malformed', `Error reply must carry an object, got ${describe(error)}`, { id });
  }
  const { code, message } = error;
  if (typeof code !== 'string') throw new ProtocolError('malformed', `Error reply code must be a string, got ${describe(code)}`, { id });
  if (typeof message !== 'string') throw new ProtocolError('malformed', `Error reply message must be a string, got ${describe(message)}`, { id });
  return { code, message };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * The JSON text of a message in libopflex's member order. The id is written verbatim, so it must be
 * JSON text as produced by decodeMessage or makeRawId.
 */
export function encodeMessageText(msg: RpcMessage): string {
  switch (msg.kind) {
    case 'request':
      return `{"id":${msg.id},"method":${stringifyJson(msg.method)},"params":${stringifyJson(msg.params)}}`;
    case 'result':
      return `{"id":${msg.id},"result":${stringifyJson(msg.result)}}`;
    case 'error':
      return `{"id":${msg.id},"error":{"code":${stringifyJson(msg.error.code)},"message":${stringifyJson(msg.error.message)}}}`;
  }
}

/** The frame bytes of a message, NUL included. */
export function encodeMessage(msg: RpcMessage): Buffer {
  return encodeFrame(encodeMessageText(msg));
}

/** A message whose frame would be larger than the sender's bound; nothing of it was sent. */
export class MessageTooLargeError extends RangeError {
  /** Bytes of the frame when known, else the bytes written before the encoder gave up. */
  readonly size: number;
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(`Message of more than ${limit} bytes (at least ${size} bytes)`);
    this.name = 'MessageTooLargeError';
    this.size = size;
    this.limit = limit;
  }
}

/**
 * A leaf answers every resolve of an object with the same subtree array, so the array's encoded
 * bytes are kept per array instance: a policy_resolve reply is then three buffers, two of them
 * shared, instead of a serialization. The arrays are immutable (see ObjectStore); a changed object
 * arrives as a new array. An array found too large is remembered by its size, so asking again for
 * it costs nothing.
 */
const policyBytesCache = new WeakMap<readonly unknown[], Buffer | number>();
const RESULT_POLICY_TAIL = Buffer.from('}}\0');

/** A piece of a frame to send: bytes, or text to send as UTF-8. */
export type FrameChunk = Buffer | string;

/**
 * The frame bytes of a message as chunks to write in order (the same bytes as encodeMessage). A
 * policy_resolve reply is its head as text (written straight into the outgoing batch, no buffer of
 * its own) and the policy's cached bytes. Throws a MessageTooLargeError, without building the whole
 * text, when the frame would exceed `maxBytes`.
 */
export function encodeMessageChunks(msg: RpcMessage, maxBytes = Infinity): FrameChunk[] {
  if (msg.kind === 'result' && typeof msg.result === 'object' && msg.result !== null) {
    const policy = (msg.result as { policy?: unknown }).policy;
    if (Array.isArray(policy) && hasOnlyPolicy(msg.result)) {
      const head = `{"id":${msg.id},"result":{"policy":`;
      const framing = Buffer.byteLength(head, 'utf8') + RESULT_POLICY_TAIL.length;
      try {
        return [head, policyBytes(policy, maxBytes - framing), RESULT_POLICY_TAIL];
      } catch (err) {
        if (err instanceof MessageTooLargeError) throw new MessageTooLargeError(err.size + framing, maxBytes);
        throw err;
      }
    }
  }
  let text: string;
  try {
    text = encodeMessageText(msg);
  } catch (err) {
    // Past V8's longest string: certainly past any bound.
    if (err instanceof RangeError && maxBytes < Infinity) throw new MessageTooLargeError(maxBytes + 1, maxBytes);
    throw err;
  }
  if (text.length > maxBytes) throw new MessageTooLargeError(text.length, maxBytes);
  const frame = encodeFrame(text);
  if (frame.length > maxBytes) throw new MessageTooLargeError(frame.length, maxBytes);
  return [frame];
}

/** `{policy}` and nothing else (without building a keys array per reply). */
function hasOnlyPolicy(result: object): boolean {
  for (const key in result) if (key !== 'policy') return false;
  return true;
}

/** The JSON bytes of a policy array, cached per array; written object by object so a huge one is given up early. */
function policyBytes(policy: readonly unknown[], maxBytes: number): Buffer {
  const cached = policyBytesCache.get(policy);
  if (typeof cached === 'number') {
    if (cached > maxBytes) throw new MessageTooLargeError(cached, maxBytes);
  } else if (cached !== undefined) {
    if (cached.length > maxBytes) throw new MessageTooLargeError(cached.length, maxBytes);
    return cached;
  }
  // A UTF-16 length never exceeds the UTF-8 byte length, so it is a safe early measure.
  const parts: string[] = [];
  let length = 2 + Math.max(0, policy.length - 1);
  for (const mo of policy) {
    const text = stringifyJson(mo);
    length += text.length;
    if (length > maxBytes) throw new MessageTooLargeError(length, maxBytes);
    parts.push(text);
  }
  const bytes = Buffer.from(`[${parts.join(',')}]`, 'utf8');
  if (bytes.length > maxBytes) {
    policyBytesCache.set(policy, bytes.length);
    throw new MessageTooLargeError(bytes.length, maxBytes);
  }
  policyBytesCache.set(policy, bytes);
  return bytes;
}

/**
 * A copy of a managed object with members in MOSerializer's order (subject, uri, properties,
 * children, then the parent triple when present) and every property as {name, data}.
 */
export function canonicalObject(mo: ManagedObject): ManagedObject {
  const out: ManagedObject = {
    subject: mo.subject,
    uri: mo.uri,
    properties: mo.properties.map((p): Property => ({ name: p.name, data: canonicalData(p.data) })),
    children: [...mo.children],
  };
  if (mo.parent_subject !== undefined) out.parent_subject = mo.parent_subject;
  if (mo.parent_uri !== undefined) out.parent_uri = mo.parent_uri;
  if (mo.parent_relation !== undefined) out.parent_relation = mo.parent_relation;
  return out;
}

function canonicalData(data: PropertyData): PropertyData {
  if (Array.isArray(data)) return data.map(canonicalData);
  if (isReference(data)) return { subject: data.subject, reference_uri: data.reference_uri };
  return data;
}
