/**
 * JSON that survives the trip through libopflex unchanged: integers past 2^53-1 (request ids from
 * 2^63, U64 property data) stay exact as `bigint`, object members keep their order, and output is
 * compact like rapidjson's Writer.
 *
 * Limitation: JS objects list integer-like keys ("0", "17") before other keys, so such keys do not
 * keep their source order. OpFlex never uses them.
 */

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON syntax error; `offset` counts UTF-8 bytes from the start of the text. */
export class JsonSyntaxError extends SyntaxError {
  readonly offset: number;

  constructor(detail: string, offset: number) {
    super(`${detail} at byte ${offset}`);
    this.name = 'JsonSyntaxError';
    this.offset = offset;
  }
}

/** Deeper nesting than this is refused rather than risking a stack overflow. */
export const MAX_JSON_DEPTH = 1000;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

// An integer past 2^53-1 has at least 16 digits. Matching inside strings or fractions only costs a
// needless slow parse, never a wrong result.
const MAYBE_UNSAFE_INTEGER = /\d{16}/;

/** Parses JSON text; integers outside the safe range become `bigint`, other numbers stay `number`. */
export function parseJson(text: string): JsonValue {
  if (!MAYBE_UNSAFE_INTEGER.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // Fall through so the error carries our byte offset and wording.
    }
  }
  return new Parser(text).parseDocument();
}

export interface ParsedWithRawMember {
  value: JsonValue;
  /** The exact source text of the top-level member's value; undefined when absent or the root is not an object. */
  raw: string | undefined;
}

/**
 * Parses like `parseJson` and also returns the exact source text of the top-level member `key`.
 * As with rapidjson's FindMember, the first occurrence of a duplicated `key` wins (both raw and value).
 */
export function parseJsonWithRawMember(text: string, key: string): ParsedWithRawMember {
  const fast = key === '__proto__' ? undefined : parseLeadingMemberFast(text, key);
  if (fast) return fast;
  const parser = new Parser(text, key);
  const value = parser.parseDocument();
  const raw = parser.captureStart < 0 ? undefined : text.slice(parser.captureStart, parser.captureEnd);
  return { value, raw };
}

/**
 * The hot path for OpFlex frames, which always start with `{"id":...`: the id (the only big integer
 * in most frames) is parsed by hand, and the rest by JSON.parse with the id blanked out. Returns
 * undefined whenever the general parser has to decide.
 */
function parseLeadingMemberFast(text: string, key: string): ParsedWithRawMember | undefined {
  const p = new Parser(text);
  try {
    p.skipWhitespace();
    if (text.charCodeAt(p.pos) !== 0x7b /* { */) return undefined;
    p.pos++;
    p.skipWhitespace();
    if (text.charCodeAt(p.pos) !== 0x22 /* " */ || p.parseString() !== key) return undefined;
    p.skipWhitespace();
    if (text.charCodeAt(p.pos) !== 0x3a /* : */) return undefined;
    p.pos++;
    p.skipWhitespace();
    const start = p.pos;
    const member = p.parseValue(1);
    const end = p.pos;
    const rest = text.slice(end);
    if (MAYBE_UNSAFE_INTEGER.test(rest)) return undefined;
    const value = JSON.parse(text.slice(0, start) + '0' + rest) as JsonObject;
    value[key] = member;
    return { value, raw: text.slice(start, end) };
  } catch {
    return undefined;
  }
}

const WS_SPACE = 0x20;
const WS_TAB = 0x09;
const WS_LF = 0x0a;
const WS_CR = 0x0d;

class Parser {
  pos = 0;
  captureStart = -1;
  captureEnd = -1;

  constructor(
    private readonly text: string,
    private readonly captureKey?: string,
  ) {}

  parseDocument(): JsonValue {
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail('Unexpected data after the JSON value');
    return value;
  }

  skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === WS_SPACE || c === WS_LF || c === WS_CR || c === WS_TAB) pos++;
      else break;
    }
    this.pos = pos;
  }

  parseValue(depth: number): JsonValue {
    this.skipWhitespace();
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b /* { */:
        return this.parseObject(depth + 1);
      case 0x5b /* [ */:
        return this.parseArray(depth + 1);
      case 0x22 /* " */:
        return this.parseString();
      case 0x74 /* t */:
        return this.parseLiteral('true', true);
      case 0x66 /* f */:
        return this.parseLiteral('false', false);
      case 0x6e /* n */:
        return this.parseLiteral('null', null);
      default:
        if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.fail(this.pos >= this.text.length ? 'Unexpected end of JSON input' : `Unexpected character ${this.describeChar()}`);
    }
  }

  private parseObject(depth: number): JsonObject {
    if (depth > MAX_JSON_DEPTH) this.fail(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    const text = this.text;
    const obj: JsonObject = {};
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === 0x7d /* } */) {
      this.pos++;
      return obj;
    }
    for (;;) {
      if (text.charCodeAt(this.pos) !== 0x22) this.fail(`Expected a string member name, found ${this.describeChar()}`);
      const key = this.parseString();
      this.skipWhitespace();
      if (text.charCodeAt(this.pos) !== 0x3a /* : */) this.fail(`Expected ':' after member name, found ${this.describeChar()}`);
      this.pos++;
      if (depth === 1 && key === this.captureKey) {
        this.skipWhitespace();
        const start = this.pos;
        const value = this.parseValue(depth);
        if (this.captureStart < 0) {
          this.captureStart = start;
          this.captureEnd = this.pos;
          obj[key] = value;
        }
      } else {
        const value = this.parseValue(depth);
        if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
        else obj[key] = value;
      }
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === 0x2c /* , */) {
        this.pos++;
        this.skipWhitespace();
      } else if (c === 0x7d /* } */) {
        this.pos++;
        return obj;
      } else {
        this.fail(`Expected ',' or '}' in object, found ${this.describeChar()}`);
      }
    }
  }

  private parseArray(depth: number): JsonValue[] {
    if (depth > MAX_JSON_DEPTH) this.fail(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    const text = this.text;
    const arr: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) === 0x5d /* ] */) {
      this.pos++;
      return arr;
    }
    for (;;) {
      arr.push(this.parseValue(depth));
      this.skipWhitespace();
      const c = text.charCodeAt(this.pos);
      if (c === 0x2c /* , */) {
        this.pos++;
      } else if (c === 0x5d /* ] */) {
        this.pos++;
        return arr;
      } else {
        this.fail(`Expected ',' or ']' in array, found ${this.describeChar()}`);
      }
    }
  }

  parseString(): string {
    const text = this.text;
    const start = this.pos + 1;
    let i = start;
    for (;;) {
      if (i >= text.length) this.fail('Unterminated string', text.length);
      const c = text.charCodeAt(i);
      if (c === 0x22 /* " */) {
        this.pos = i + 1;
        return text.slice(start, i);
      }
      if (c === 0x5c /* \ */) return this.parseEscapedString(start, i);
      if (c < 0x20) this.fail('Unescaped control character in string', i);
      i++;
    }
  }

  private parseEscapedString(start: number, firstEscape: number): string {
    const text = this.text;
    let out = text.slice(start, firstEscape);
    let i = firstEscape;
    for (;;) {
      if (i >= text.length) this.fail('Unterminated string', text.length);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out;
      }
      if (c < 0x20) this.fail('Unescaped control character in string', i);
      if (c !== 0x5c) {
        const runStart = i;
        while (i < text.length) {
          const d = text.charCodeAt(i);
          if (d === 0x22 || d === 0x5c || d < 0x20) break;
          i++;
        }
        out += text.slice(runStart, i);
        continue;
      }
      const e = text.charCodeAt(i + 1);
      switch (e) {
        case 0x22: out += '"'; break;
        case 0x5c: out += '\\'; break;
        case 0x2f: out += '/'; break;
        case 0x62: out += '\b'; break;
        case 0x66: out += '\f'; break;
        case 0x6e: out += '\n'; break;
        case 0x72: out += '\r'; break;
        case 0x74: out += '\t'; break;
        case 0x75 /* u */: {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\u escape in string', i);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
          continue;
        }
        default:
          this.fail('Invalid escape in string', i);
      }
      i += 2;
    }
  }

  private parseNumber(): number | bigint {
    const text = this.text;
    const start = this.pos;
    let i = start;
    if (text.charCodeAt(i) === 0x2d) i++;
    const digitsStart = i;
    const first = text.charCodeAt(i);
    if (first === 0x30) i++;
    else if (first >= 0x31 && first <= 0x39) while (isDigit(text.charCodeAt(i))) i++;
    else this.fail('Expected a digit', i);
    const intDigits = i - digitsStart;
    let integer = true;
    if (text.charCodeAt(i) === 0x2e /* . */) {
      integer = false;
      i++;
      if (!isDigit(text.charCodeAt(i))) this.fail('Expected a digit after the decimal point', i);
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45 /* e E */) {
      integer = false;
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!isDigit(text.charCodeAt(i))) this.fail('Expected a digit in the exponent', i);
      while (isDigit(text.charCodeAt(i))) i++;
    }
    this.pos = i;
    const literal = text.slice(start, i);
    if (integer && intDigits >= 16) {
      const big = BigInt(literal);
      if (big > MAX_SAFE || big < -MAX_SAFE) return big;
    }
    return Number(literal);
  }

  private parseLiteral<T extends boolean | null>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`Unexpected character ${this.describeChar()}`);
    this.pos += word.length;
    return value;
  }

  private describeChar(): string {
    if (this.pos >= this.text.length) return 'end of input';
    return JSON.stringify(String.fromCodePoint(this.text.codePointAt(this.pos)!));
  }

  private fail(detail: string, at = this.pos): never {
    throw new JsonSyntaxError(detail, Buffer.byteLength(this.text.slice(0, at), 'utf8'));
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// Strings without quotes, backslashes, control characters or surrogates need no escaping.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/**
 * Compact JSON like rapidjson's Writer: no whitespace, members in insertion order, bigint as plain
 * digits. Members whose value is undefined are left out, as JSON.stringify does; other values JSON
 * cannot carry (NaN, functions, symbols, undefined at the top or in an array) throw a TypeError.
 */
export function stringifyJson(value: unknown): string {
  // JSON.stringify writes the same bytes for plain JSON and is faster than any JS writer.
  return isPlainJson(value, 0) ? JSON.stringify(value) : writeCompact(value, 0);
}

/** True when JSON.stringify would write `value` exactly as writeCompact does: no bigint, nothing it would drop or coerce. */
function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const member = (value as Record<string, unknown>)[key];
        if (member !== undefined && !isPlainJson(member, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function writeCompact(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return writeNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_JSON_DEPTH) throw new TypeError(`Cannot serialize JSON nested deeper than ${MAX_JSON_DEPTH} levels (a cycle?)`);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += writeCompact(value[i], depth + 1);
        }
        return out + ']';
      }
      // As JSON.stringify does: an object that says how it is written (compact managed objects).
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return writeCompact((value as { toJSON(): unknown }).toJSON(), depth);
      let out = '{';
      let first = true;
      for (const key in value) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        out += (first ? '' : ',') + quote(key) + ':' + writeCompact(member, depth + 1);
        first = false;
      }
      return out + '}';
    }
    default:
      throw new TypeError(`Cannot serialize ${typeof value} as JSON`);
  }
}

function writeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`Cannot serialize ${n} as JSON`);
  return String(n);
}

/**
 * Indented JSON like rapidjson's PrettyWriter (the form libopflex dumps policy files in): one
 * value per line, `"name": value`, empty arrays and objects as `[]` and `{}`.
 */
export function stringifyJsonPretty(value: unknown, indent = 4): string {
  return writePretty(value, ' '.repeat(indent), '', 0);
}

function writePretty(value: unknown, unit: string, pad: string, depth: number): string {
  if (typeof value !== 'object' || value === null) return writeCompact(value, depth);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return writePretty((value as { toJSON(): unknown }).toJSON(), unit, pad, depth);
  if (depth >= MAX_JSON_DEPTH) throw new TypeError(`Cannot serialize JSON nested deeper than ${MAX_JSON_DEPTH} levels (a cycle?)`);
  const inner = pad + unit;
  const lines: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) lines.push(inner + writePretty(item, unit, inner, depth + 1));
    return lines.length === 0 ? '[]' : '[\n' + lines.join(',\n') + '\n' + pad + ']';
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    lines.push(inner + quote(key) + ': ' + writePretty(member, unit, inner, depth + 1));
  }
  return lines.length === 0 ? '{}' : '{\n' + lines.join(',\n') + '\n' + pad + '}';
}
