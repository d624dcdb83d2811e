/**
 * libopflex URI building (modb/URIBuilder.cpp): `/` then, per containment level, `Class/` and each
 * naming value escaped plus `/`. Escaping works on UTF-8 bytes: `[A-Za-z0-9-_.~]` stay, every other
 * byte becomes `%` and two lowercase hex digits.
 */

const UNRESERVED = new Uint8Array(256);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[ch.charCodeAt(0)] = 1;
const HEX = '0123456789abcdef';

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
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : '%' + HEX[byte >> 4] + HEX[byte & 15];
  }
  return out;
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
export type UriLevel = readonly [className: string, ...names: string[]];

export class UriBuilder {
  private text: string;

  constructor(base = '/') {
    if (!base.startsWith('/') || !base.endsWith('/')) throw new SyntaxError(`A base URI must start and end with "/": "${base}"`);
    this.text = base;
  }

  add(className: string, ...names: string[]): this {
    this.text += className + '/';
    for (const name of names) this.text += escapeUriComponent(name) + '/';
    return this;
  }

  build(): string {
    return this.text;
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
