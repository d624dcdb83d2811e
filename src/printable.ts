/**
 * Text from peers and files made safe to print on one terminal line: control characters, terminal
 * escape sequences, line and paragraph separators, bidirectional overrides and lone surrogates are
 * written as `\xHH` / `\uHHHH`, so an agent's name can neither start a new log line nor recolour,
 * move or reorder what follows it.
 */

// C0 controls, DEL and C1 controls; U+2028/2029; bidi marks, embeddings, overrides and isolates;
// zero-width and BOM characters; lone surrogates.
const UNSAFE_SOURCE = '[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNSAFE_EVERY = new RegExp(UNSAFE_SOURCE, 'g');
const UNSAFE_ANY = new RegExp(UNSAFE_SOURCE);

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every unsafe character escaped (a backslash stays as it is). */
export function printable(text: string): string {
  return text.replace(UNSAFE_EVERY, escapeChar);
}

/** JSON text with every unsafe character inside its strings written as `\uHHHH` (still the same JSON). */
export function printableJson(json: string): string {
  return json.replace(UNSAFE_EVERY, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A value in a `key=value` log field: bare when it is plain (no space, quote, backslash or unsafe
 * character), else quoted with those escaped, so one field can never look like two.
 */
export function logValue(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? safeJson(value) : String(value);
  if (text !== '' && !/[\s"\\]/.test(text) && !UNSAFE_ANY.test(text)) return text;
  return `"${printable(text.replace(/[\\"]/g, (c) => `\\${c}`))}"`;
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
