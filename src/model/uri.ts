/**
 * libopflex URI building (modb/URIBuilder.cpp): `/` then, per containment level, `Class/` and each
 * naming value escaped plus `/`. Escaping works on UTF-8 bytes: `[A-Za-z0-9-_.~]` stay, every other
 * byte becomes `%` and two lowercase hex digits.
 */

const UNRESERVED = new Uint8Array(256);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[ch.charCodeAt(0)] = 1;
const HEX = '0123456789abcdef';
const ESCAPED: string[] = Array.from({ length: 256 }, (_, b) => '%' + HEX[b >> 4] + HEX[b & 15]);

export function escapeUriComponent(value: string): string {
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 127 || UNRESERVED[c] === 0) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  // Built as one flat string (not by `+=`, whose rope of small pieces outlives the URI it makes).
  const bytes = Buffer.from(value, 'utf8');
  const parts: string[] = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    parts[i] = UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : ESCAPED[byte]!;
  }
  return parts.join('');
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
