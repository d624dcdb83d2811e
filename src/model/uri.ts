/**
 * libopflex URI building (modb/URIBuilder.cpp): `/` then, per containment level, `Class/` and each
 * naming value escaped plus `/`. Escaping works on UTF-8 bytes: `[A-Za-z0-9-_.~]` stay, every other
 * byte becomes `%` and two lowercase hex digits.
 */

const UNRESERVED = new Uint8Array(256);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[ch.charCodeAt(0)] = 1;
const HEX = '0123456789abcdef';
const ESCAPED: string[] = Array.from({ length: 256 }, (_, b) => '%' + HEX[b >> 4] + HEX[b & 15]);

/** `value` escaped, then `suffix` (unescaped), as one flat string. */
export function escapeUriComponent(value: string, suffix = ''): string {
  let firstEscape = -1;
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 127) {
      ascii = false;
      if (firstEscape < 0) firstEscape = i;
      break;
    }
    if (UNRESERVED[c] === 0 && firstEscape < 0) firstEscape = i;
  }
  if (firstEscape < 0) return flat(value, suffix);
  if (ascii && isAscii(suffix)) return escapeAscii(value, firstEscape, suffix);
  // Built as one flat string (not by `+=`, whose rope of small pieces outlives the URI it makes).
  const parts: string[] = [];
  if (ascii) {
    parts.push(value.slice(0, firstEscape));
    for (let i = firstEscape; i < value.length; i++) {
      const c = value.charCodeAt(i);
      parts.push(UNRESERVED[c] === 1 ? value[i]! : ESCAPED[c]!);
    }
  } else {
    const bytes = Buffer.from(value, 'utf8');
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i]!;
      parts.push(UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : ESCAPED[byte]!);
    }
  }
  if (suffix !== '') parts.push(suffix);
  return parts.join('');
}

/** Where escapeAscii writes its bytes (grown when a longer value comes). */
let scratch = Buffer.allocUnsafe(256);
const HEX_BYTES = Buffer.from(HEX, 'latin1');

/**
 * An ASCII value escaped from `firstEscape` on, then an ASCII suffix: written as bytes and read back
 * as one flat string, one allocation (a million pods' MACs are escaped in a steady start).
 */
function escapeAscii(value: string, firstEscape: number, suffix: string): string {
  const longest = 3 * value.length + suffix.length;
  if (longest > scratch.length) scratch = Buffer.allocUnsafe(2 * longest);
  const out = scratch;
  let n = 0;
  for (let i = 0; i < firstEscape; i++) out[n++] = value.charCodeAt(i);
  for (let i = firstEscape; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (UNRESERVED[c] === 1) out[n++] = c;
    else {
      out[n++] = 37; // %
      out[n++] = HEX_BYTES[c >> 4]!;
      out[n++] = HEX_BYTES[c & 15]!;
    }
  }
  for (let i = 0; i < suffix.length; i++) out[n++] = suffix.charCodeAt(i);
  return out.toString('latin1', 0, n);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/** V8 keeps a concatenation of 13 or more characters as a rope of its parts: those are joined flat. */
function flat(value: string, suffix: string): string {
  if (suffix === '') return value;
  return value.length + suffix.length < 13 ? value + suffix : [value, suffix].join('');
}

export function unescapeUriComponent(escaped: string): string {
  if (!escaped.includes('%')) return escaped;
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped.charCodeAt(i);
    if (c === 37 /* % */) {
      const hex = escaped.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new SyntaxError(`Bad escape "%${hex}" in URI component "${escaped}"`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(escaped[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** One containment level: the class name and its naming values (none for single-cardinality children). */
type UriLevel = readonly [className: string, ...names: string[]];

class UriBuilder {
  private readonly parts: string[];

  constructor(base = '/') {
    if (!base.startsWith('/') || !base.endsWith('/')) throw new SyntaxError(`A base URI must start and end with "/": "${base}"`);
    this.parts = [base];
  }

  add(className: string, ...names: string[]): this {
    this.parts.push(className, '/');
    for (const name of names) this.parts.push(escapeUriComponent(name), '/');
    return this;
  }

  /** The URI as one flat string. */
  build(): string {
    return this.parts.join('');
  }
}

export function buildUri(...levels: UriLevel[]): string {
  const builder = new UriBuilder();
  for (const [className, ...names] of levels) builder.add(className, ...names);
  return builder.build();
}

/** The URI of a single-cardinality child: the parent's URI plus the class name. */
export function childUri(parentUri: string, className: string, ...names: string[]): string {
  return new UriBuilder(parentUri).add(className, ...names).build();
}

/** Splits a URI into its raw (still escaped) segments. */
export function uriSegments(uri: string): string[] {
  return uri.split('/').filter((s) => s.length > 0);
}
