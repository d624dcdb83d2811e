/**
 * Loads scenario files: YAML text -> schema (defaults, units) -> cross-reference checks -> `Scenario`.
 *
 * Every problem is reported at once as a `ScenarioError` whose issues carry the file, line, column and
 * field path of the offending YAML node (the nearest existing parent when a key is missing).
 */
import { readdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlias, isMap, isNode, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { formatDuration } from './duration.ts';
import { checkInputFile, INPUT_FILES, InputFileError, readInputFile, scenarioFileMaxBytes } from './input-file.ts';
import { parseYamlSource, yamlToJs } from './yaml-document.ts';
import { ScenarioError, describeValue, scenarioIssuesReportedMax } from './scenario-error.ts';
import type { ScenarioIssue } from './scenario-error.ts';
import { scenarioSchema } from './schema.ts';
import { faultTargetProblems } from './fault-schema.ts';
import type { ScenarioBody } from './schema.ts';
import type { Scenario } from './types.ts';

/** Most names listed in an "unknown ... (known: ...)" message. */
const MAX_KNOWN_LISTED = 10;

const BUILTIN_DIR = fileURLToPath(new URL('./builtin/', import.meta.url));
const BUILTIN_PREFIX = 'built-in:';

type PathKey = string | number;
type Path = readonly PathKey[];

export interface ParseOptions {
  /** Directory that a relative `policy.policyFile` is resolved against (default: the source's directory). */
  baseDir?: string;
}

// ----------------------------------------------------------------------------------------------
// Public API

/** Parses and validates scenario YAML. `source` names it in errors and becomes `Scenario.source`. */
export function parseScenario(text: string, source: string, options: ParseOptions = {}): Scenario {
  if (text.length > scenarioFileMaxBytes) {
    throw new ScenarioError([{ source, line: 0, column: 0, path: '', message: `scenario is too large (${text.length} characters; the limit is ${scenarioFileMaxBytes})` }]);
  }
  const yaml = parseYamlSource(text, source);
  const locator = new YamlLocator(yaml.doc, yaml.lines, source);
  let data = yamlToJs(yaml);
  if (data === null || data === undefined) {
    throw new ScenarioError([{ source, line: 1, column: 1, path: '', message: 'scenario is empty: expected a mapping with at least name, fabric and nodes' }]);
  }
  data = dropEmptyValues(data);

  const parsed = scenarioSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw locator.error(parsed.error.issues.flatMap((issue) => fromZodIssue(issue, [])));
  }

  const body = parsed.data;
  const problems: RawIssue[] = [];
  if (body.policy.policyFile !== undefined) {
    const baseDir = options.baseDir ?? (source.startsWith(BUILTIN_PREFIX) ? BUILTIN_DIR : dirname(resolve(source)));
    const absolute = isAbsolute(body.policy.policyFile) ? body.policy.policyFile : resolve(baseDir, body.policy.policyFile);
    body.policy.policyFile = absolute;
    try {
      checkInputFile(absolute, INPUT_FILES.policy);
    } catch (err) {
      if (!(err instanceof InputFileError)) throw err;
      problems.push({ path: ['policy', 'policyFile'], message: err.reason === `${INPUT_FILES.policy.label} not found` ? `policy file not found: ${absolute}` : `${absolute}: ${err.reason}` });
    }
  }
  problems.push(...crossCheck(body, (path) => locator.locate(path, 'value').line), ...faultTargetProblems(body));
  if (problems.length > 0) throw locator.error(problems);

  const { name, description, ...rest } = body;
  return { name, description, source, ...rest };
}

/** Reads and parses a scenario file; a missing, unreadable or oversized file is a `ScenarioError` naming it. */
export function loadScenarioFile(path: string): Scenario {
  return parseScenario(readScenarioFile(path), path);
}

/** A scenario file's text, through the bounded reader; its problems as a position-less `ScenarioError`. */
export function readScenarioFile(path: string): string {
  try {
    return readInputFile(path, INPUT_FILES.scenario);
  } catch (err) {
    if (err instanceof InputFileError) throw new ScenarioError([{ source: path, line: 0, column: 0, path: '', message: err.reason }]);
    throw err;
  }
}

/** Names of the built-in scenarios (`src/scenario/builtin/<name>.yaml`), sorted. */
export function builtinScenarioNames(): string[] {
  return readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/** The file of a built-in scenario, after checking the name exists. */
export function builtinScenarioPath(name = 'default'): string {
  const names = builtinScenarioNames();
  if (!names.includes(name)) {
    throw new ScenarioError([{ source: `${BUILTIN_PREFIX}${name}`, line: 0, column: 0, path: '', message: `unknown built-in scenario "${name}" (known: ${names.join(', ')})` }]);
  }
  return resolve(BUILTIN_DIR, `${name}.yaml`);
}

/** Loads a built-in scenario by name; its `source` is "built-in:<name>". */
export function loadBuiltinScenario(name = 'default'): Scenario {
  const names = builtinScenarioNames();
  const source = `${BUILTIN_PREFIX}${name}`;
  if (!names.includes(name)) {
    throw new ScenarioError([{ source, line: 0, column: 0, path: '', message: `unknown built-in scenario "${name}" (known: ${names.join(', ')})` }]);
  }
  return parseScenario(readScenarioFile(resolve(BUILTIN_DIR, `${name}.yaml`)), source, { baseDir: BUILTIN_DIR });
}

/** JSON Schema (draft 2020-12) of the scenario file format, for editors and documentation. */
export function scenarioJsonSchema(): object {
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  // The schema's cross-key check, which zod cannot export: without `generated`, fabric (with spines,
  // leafPairs and hypervisors) and nodes are required.
  schema['if'] = { required: ['generated'] };
  schema['else'] = { required: ['fabric', 'nodes'], properties: { fabric: { required: ['spines', 'leafPairs', 'hypervisors'] } } };
  return schema;
}

// ----------------------------------------------------------------------------------------------
// YAML positions

/** An issue before it is placed: `target` says which node of the path to point at. */
interface RawIssue {
  path: Path;
  message: string;
  /** 'value' (default): the value node; 'key': the key itself; 'missing': a key that should be there. */
  target?: 'value' | 'key' | 'missing';
  /** For 'missing': what the value should have been, e.g. "a string". */
  expected?: string;
}

interface Located {
  line: number;
  column: number;
  /** The whole path exists in the document. */
  found: boolean;
  /** The value at the path is present but empty (`key:` with nothing after it). */
  empty: boolean;
}

class YamlLocator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly source: string,
  ) {}

  private pos(node: { range?: [number, number, number] | null | undefined } | null | undefined): { line: number; column: number } {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private deref(node: unknown): unknown {
    let n = node;
    for (let i = 0; i < 64 && isAlias(n); i++) n = n.resolve(this.doc);
    return n;
  }

  /** Position of the node at `path`, or of its nearest existing parent (the parent's key when it has one). */
  locate(path: Path, target: 'value' | 'key'): Located {
    let node: unknown = this.doc.contents;
    let key: YamlNode | null = null;
    if (node === null || node === undefined) return { line: 1, column: 1, found: path.length === 0, empty: true };
    for (const seg of path) {
      const container = this.deref(node);
      let nextKey: YamlNode | null = null;
      let next: unknown;
      let present = false;
      if (isMap(container)) {
        const pair = container.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
        if (pair) {
          present = true;
          nextKey = isNode(pair.key) ? pair.key : null;
          next = pair.value;
        }
      } else if (isSeq(container) && typeof seg === 'number' && seg < container.items.length) {
        present = true;
        next = container.items[seg];
      }
      if (!present) return { ...this.pos(key ?? (isNode(container) ? container : null)), found: false, empty: false };
      key = nextKey;
      node = next;
    }
    const value = this.deref(node);
    const empty = value === null || value === undefined || (isScalar(value) && value.value === null);
    if ((target === 'key' || empty) && key) return { ...this.pos(key), found: true, empty };
    if (isNode(node)) return { ...this.pos(node), found: true, empty };
    return { ...this.pos(key), found: true, empty };
  }

  /** The first issues placed (placing one searches the document), the rest counted. */
  error(raws: readonly RawIssue[]): ScenarioError {
    const shown = raws.slice(0, scenarioIssuesReportedMax).map((raw) => this.issue(raw));
    return new ScenarioError(shown, raws.length - shown.length);
  }

  issue(raw: RawIssue): ScenarioIssue {
    const path = formatPath(raw.path);
    if (raw.target === 'missing') {
      // Present but empty (`key:`), or really absent: then point at the nearest existing parent.
      const at = this.locate(raw.path, 'key');
      const last = raw.path[raw.path.length - 1];
      const message =
        last === undefined
          ? `expected ${raw.expected}, got an empty document`
          : at.found
            ? `expected ${raw.expected}, got an empty value`
            : `missing required key "${String(last)}" (${raw.expected})`;
      return { source: this.source, line: at.line, column: at.column, path, message };
    }
    const at = this.locate(raw.path, raw.target ?? 'value');
    return { source: this.source, line: at.line, column: at.column, path, message: raw.message };
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

/** `nodes[2].pods[0].epg`; keys that are not identifiers are quoted: `settings["a b"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function lowerFirst(text: string): string {
  return /^[A-Z](?![A-Z])/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** `key:` with nothing after it means the same as leaving the key out (so commented-out sections work). */
function dropEmptyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmptyValues);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty: a YAML key "__proto__" stays a plain (and then unknown) key.
      if (v !== null && v !== undefined) Object.defineProperty(out, k, { value: dropEmptyValues(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

// ----------------------------------------------------------------------------------------------
// zod issues -> messages

type ZodIssue = z.core.$ZodIssue;

const EXPECTED: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

/** A union's branch that failed only because the input has another shape (not a candidate to report). */
function isShapeMismatch(issues: readonly ZodIssue[]): boolean {
  return issues.some(
    (i) =>
      (i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'unrecognized_keys' || i.code === 'invalid_union')) ||
      (i.path.length === 1 && i.code === 'invalid_type' && i.input === undefined),
  );
}

function fromZodIssue(issue: ZodIssue, prefix: Path): RawIssue[] {
  const path: PathKey[] = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  switch (issue.code) {
    case 'invalid_union': {
      // Report the one branch that matched the input's shape, if there is exactly one.
      const candidates = issue.errors.filter((branch) => branch.length > 0 && !isShapeMismatch(branch));
      if (candidates.length === 1) return candidates[0]!.flatMap((i) => fromZodIssue(i, path));
      return [{ path, message: issue.message }];
    }
    case 'unrecognized_keys':
      // Only the first keys can be shown (the rest are counted), so only they get a suggestion.
      return issue.keys.map((key, i) => ({
        path: [...path, key],
        message: i < scenarioIssuesReportedMax ? unknownKeyMessage(key, knownKeysAt(scenarioSchema, path)) : `unknown key ${JSON.stringify(key)}`,
        target: 'key' as const,
      }));
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? `a ${issue.expected}`;
      if (issue.input === undefined) {
        return [{ path, message: 'missing', target: 'missing', expected }];
      }
      if (issue.expected === 'int' && typeof issue.input === 'number') return [{ path, message: `expected an integer, got ${issue.input}` }];
      return [{ path, message: `expected ${expected}, got ${describeValue(issue.input)}` }];
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum);
      const inclusive = issue.inclusive !== false;
      if (issue.origin === 'array' || issue.origin === 'set') {
        const got = Array.isArray(issue.input) ? `, got ${issue.input.length}` : '';
        if ((issue as { exact?: boolean }).exact) return [{ path, message: `must have exactly ${plural(bound, 'item')}${got}` }];
        return [{ path, message: `must have ${small ? 'at least' : 'at most'} ${plural(bound, 'item')}${got}` }];
      }
      if (issue.origin === 'string') {
        if (small && bound === 1) return [{ path, message: 'must not be empty' }];
        return [{ path, message: `must have ${small ? 'at least' : 'at most'} ${plural(bound, 'character')}` }];
      }
      const relation = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
      const got = issue.input === undefined ? '' : `, got ${String(issue.input)}`;
      return [{ path, message: `must be ${relation} ${bound}${got}` }];
    }
    case 'invalid_value':
      return [{ path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(issue.input)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// The zod internals walked to find the keys an object accepts (for "did you mean" hints).
interface SchemaDef {
  type: string;
  shape?: Record<string, SchemaLike>;
  innerType?: SchemaLike;
  in?: SchemaLike;
  element?: SchemaLike;
  options?: SchemaLike[];
  items?: SchemaLike[];
}
interface SchemaLike {
  _zod: { def: SchemaDef };
}

function unwrap(schema: SchemaLike, depth = 0): SchemaLike[] {
  if (depth > 32) return [];
  const def = schema._zod.def;
  if (def.innerType) return unwrap(def.innerType, depth + 1);
  if (def.type === 'pipe' && def.in) return unwrap(def.in, depth + 1);
  if (def.type === 'union' && def.options) return def.options.flatMap((o) => unwrap(o, depth + 1));
  return [schema];
}

/** Keys the object schema(s) at `path` accept. */
function knownKeysAt(root: unknown, path: Path): string[] {
  let current = unwrap(root as SchemaLike);
  for (const seg of path) {
    const next: SchemaLike[] = [];
    for (const s of current) {
      const def = s._zod.def;
      if (def.type === 'object' && typeof seg === 'string' && def.shape?.[seg]) next.push(...unwrap(def.shape[seg]!));
      else if (def.type === 'array' && typeof seg === 'number' && def.element) next.push(...unwrap(def.element));
      else if (def.type === 'tuple' && typeof seg === 'number' && def.items?.[seg]) next.push(...unwrap(def.items[seg]!));
    }
    current = next;
  }
  const keys = new Set<string>();
  for (const s of current) if (s._zod.def.type === 'object') for (const k of Object.keys(s._zod.def.shape ?? {})) keys.add(k);
  return [...keys];
}

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, '').replace(/ms$/, '');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function unknownKeyMessage(key: string, known: string[]): string {
  const base = `unknown key ${JSON.stringify(key)}`;
  if (known.length === 0) return base;
  const exact = known.find((k) => normaliseKey(k) === normaliseKey(key));
  let best = exact;
  if (!best) {
    let bestDistance = Infinity;
    for (const k of known) {
      const limit = Math.max(2, Math.floor(k.length / 4));
      // The distance is at least the difference in length: skip what cannot be close (and long keys).
      if (Math.abs(k.length - key.length) > limit) continue;
      const d = editDistance(k.toLowerCase(), key.toLowerCase());
      if (d < bestDistance && d <= limit) {
        best = k;
        bestDistance = d;
      }
    }
  }
  if (best) return `${base} (did you mean "${best}"?)`;
  return `${base} (expected one of: ${known.join(', ')})`;
}

// ----------------------------------------------------------------------------------------------
// Cross-reference checks on the normalised scenario

/** Names of one kind: a Set, or a Map from each name to where it first appears. */
interface KnownNames {
  has(value: string): boolean;
  keys(): Iterable<string>;
}

function knownList(names: KnownNames): string {
  const all: string[] = [];
  for (const name of names.keys()) {
    all.push(name);
    if (all.length > MAX_KNOWN_LISTED) break;
  }
  if (all.length === 0) return 'none defined';
  const shown = all.slice(0, MAX_KNOWN_LISTED).join(', ');
  return `known: ${all.length > MAX_KNOWN_LISTED ? `${shown}, ...` : shown}`;
}

/** Where a node (pod 0) or one of its pods (pod j + 1) is, in one number, for the checks on every pod. */
const POD_SLOTS = 2 ** 21;

/** A valid dotted IPv4 address as a number. */
function ipv4Number(ip: string): number {
  let n = 0;
  let part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + part;
      part = 0;
    } else part = part * 10 + c - 48;
  }
  return n * 256 + part;
}

/** The last four bytes of a normalised MAC address (lowercase, colons) as a number. */
function macLow32(mac: string): number {
  let n = 0;
  for (let i = 6; i < mac.length; i++) {
    const c = mac.charCodeAt(i);
    if (c !== 58) n = ((n << 4) | (c <= 57 ? c - 48 : c - 87)) >>> 0;
  }
  return n;
}

/** Two 32-bit FNV-1a style hashes of a string combined into 53 bits (a repeat among a million is ~1e-4 likely by chance). */
function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 2097152 + ((b >>> 11) & 0x1fffff);
}

/** Whether a list of numbers holds one twice (sorts it). */
function hasRepeats(values: Float64Array | Uint32Array): boolean {
  values.sort();
  for (let i = 1; i < values.length; i++) if (values[i] === values[i - 1]) return true;
  return false;
}

/** Every reference resolves, names are unique per kind, migrations and flows fit the timeline. */
function crossCheck(s: ScenarioBody, lineOf: (path: Path) => number): RawIssue[] {
  const issues: RawIssue[] = [];

  /** Reports the second and later uses of a value; `what` reads like `leaf name`. */
  const unique = (what: string, entries: { value: string; path: Path }[]): Set<string> => {
    const first = new Map<string, Path>();
    for (const e of entries) {
      const earlier = first.get(e.value);
      if (earlier) issues.push({ path: e.path, message: `duplicate ${what} "${e.value}" (first used at line ${lineOf(earlier)}, ${formatPath(earlier)})` });
      else first.set(e.value, e.path);
    }
    return new Set(first.keys());
  };
  /** `unique` for values located by a number (see POD_SLOTS): paths are built only for a duplicate. */
  const uniqueAt = (what: string, first: Map<string, number>, value: string, at: number, pathOf: (at: number) => Path): void => {
    const earlier = first.get(value);
    if (earlier === undefined) first.set(value, at);
    else issues.push({ path: pathOf(at), message: `duplicate ${what} "${value}" (first used at line ${lineOf(pathOf(earlier))}, ${formatPath(pathOf(earlier))})` });
  };
  const reference = (what: string, value: string, known: KnownNames, path: Path): boolean => {
    if (known.has(value)) return true;
    issues.push({ path, message: `unknown ${what} "${value}" (${knownList(known)})` });
    return false;
  };

  // Fabric
  const f = s.fabric;
  unique('spine name', f.spines.map((value, i) => ({ value, path: ['fabric', 'spines', i] })));
  const pairs = unique('leaf pair name', f.leafPairs.map((p, i) => ({ value: p.name, path: ['fabric', 'leafPairs', i, 'name'] })));
  const leaves = f.leafPairs.flatMap((p, i) => p.leaves.map((leaf, j) => ({ leaf, path: ['fabric', 'leafPairs', i, 'leaves', j] as Path })));
  unique('leaf name', leaves.map(({ leaf, path }) => ({ value: leaf.name, path: [...path, 'name'] })));
  unique('leaf id', leaves.map(({ leaf, path }) => ({ value: String(leaf.id), path: [...path, 'id'] })));
  unique('leaf address', leaves.map(({ leaf, path }) => ({ value: leaf.address, path: [...path, 'address'] })));
  const hypervisors = unique('hypervisor name', f.hypervisors.map((h, i) => ({ value: h.name, path: ['fabric', 'hypervisors', i, 'name'] })));
  f.hypervisors.forEach((h, i) => reference('leaf pair', h.leafPair, pairs, ['fabric', 'hypervisors', i, 'leafPair']));
  const vpcOwner = new Map<string, string>();
  f.hypervisors.forEach((h, i) => {
    const key = `${h.leafPair}\u0000${h.vpc}`;
    const owner = vpcOwner.get(key);
    if (owner === undefined) vpcOwner.set(key, h.name);
    else issues.push({ path: ['fabric', 'hypervisors', i, 'vpc'], message: `vPC "${h.vpc}" on leaf pair "${h.leafPair}" is already used by hypervisor "${owner}"` });
  });

  // Policy
  const p = s.policy;
  const vrfs = unique('VRF name', p.vrfs.map((v, i) => ({ value: v.name, path: ['policy', 'vrfs', i, 'name'] })));
  const bds = unique('bridge domain name', p.bridgeDomains.map((b, i) => ({ value: b.name, path: ['policy', 'bridgeDomains', i, 'name'] })));
  const epgs = unique('EPG name', p.epgs.map((e, i) => ({ value: e.name, path: ['policy', 'epgs', i, 'name'] })));
  const filters = unique('filter name', p.filters.map((x, i) => ({ value: x.name, path: ['policy', 'filters', i, 'name'] })));
  const contracts = unique('contract name', p.contracts.map((c, i) => ({ value: c.name, path: ['policy', 'contracts', i, 'name'] })));
  p.bridgeDomains.forEach((b, i) => reference('VRF', b.vrf, vrfs, ['policy', 'bridgeDomains', i, 'vrf']));
  p.epgs.forEach((e, i) => {
    reference('bridge domain', e.bd, bds, ['policy', 'epgs', i, 'bd']);
    e.provides.forEach((c, j) => reference('contract', c, contracts, ['policy', 'epgs', i, 'provides', j]));
    e.consumes.forEach((c, j) => reference('contract', c, contracts, ['policy', 'epgs', i, 'consumes', j]));
  });
  p.contracts.forEach((c, i) => {
    unique(`subject name in contract "${c.name}"`, c.subjects.map((sub, j) => ({ value: sub.name, path: ['policy', 'contracts', i, 'subjects', j, 'name'] })));
    c.subjects.forEach((sub, j) => {
      const base: Path = ['policy', 'contracts', i, 'subjects', j, 'rules'];
      unique(`rule name in subject "${sub.name}"`, sub.rules.map((r, k) => ({ value: r.name, path: [...base, k, 'name'] })));
      sub.rules.forEach((r, k) => r.filters.forEach((x, m) => reference('filter', x, filters, [...base, k, 'filters', m])));
    });
  });

  // Nodes and pods: one pass over every pod, without a path or entry object per pod (a generated
  // scenario has a million), so paths are built only for the issues.
  const nodes = unique('node name', s.nodes.map((n, i) => ({ value: n.name, path: ['nodes', i, 'name'] })));
  unique('infra IP', s.nodes.map((n, i) => ({ value: n.infraIp, path: ['nodes', i, 'infraIp'] })));
  const podPath = (field: string) => (at: number): Path => {
    const i = Math.floor(at / POD_SLOTS);
    const j = at % POD_SLOTS;
    return j === 0 ? ['nodes', i, field] : ['nodes', i, 'pods', j - 1, field];
  };
  const namePath = podPath('name');
  const ipPath = podPath('ip');
  const macPath = podPath('mac');
  // Fast pass: every name, IP and MAC as a number (a 53-bit hash of the name, the IPv4 address, the
  // low 32 bits of the MAC) in a typed array, sorted to find repeats. A repeat there may be a hash or
  // half-MAC coincidence, so only then does an exact second pass find the duplicates and where each
  // is first used. The pod names flows refer to are looked up in the same pass.
  const podCount = s.nodes.reduce((sum, n) => sum + n.pods.length, 0);
  const nameHashes = new Float64Array(podCount);
  const ipNumbers = new Uint32Array(podCount);
  const macNumbers = new Uint32Array(s.nodes.length + podCount);
  const podNames = new Map<string, number>();
  for (const fl of s.flows) for (const name of [fl.from, fl.to]) podNames.set(name, 0);
  const flowEnds = podNames.size > 0;
  let k = 0;
  for (let i = 0; i < s.nodes.length; i++) macNumbers[k++] = macLow32(s.nodes[i]!.mac);
  // With a policy file, a pod may use an EPG defined only in that file: the policy-file loader checks those.
  const checkEpgs = p.policyFile === undefined;
  for (let i = 0, at = 0; i < s.nodes.length; i++) {
    const n = s.nodes[i]!;
    if (!hypervisors.has(n.hypervisor)) reference('hypervisor', n.hypervisor, hypervisors, ['nodes', i, 'hypervisor']);
    const pods = n.pods;
    for (let j = 0; j < pods.length; j++, at++) {
      const pod = pods[j]!;
      nameHashes[at] = hash53(pod.name);
      ipNumbers[at] = ipv4Number(pod.ip);
      macNumbers[k++] = macLow32(pod.mac);
      if (checkEpgs && !epgs.has(pod.epg)) reference('EPG', pod.epg, epgs, ['nodes', i, 'pods', j, 'epg']);
      if (flowEnds && podNames.has(pod.name)) podNames.set(pod.name, 1);
    }
  }
  for (const [name, found] of podNames) if (found === 0) podNames.delete(name);
  /** For "unknown pod" messages: the first pods of the scenario, as the other kinds list theirs. */
  const somePods: KnownNames = {
    has: (name) => podNames.has(name),
    *keys() {
      for (const n of s.nodes) for (const pod of n.pods) yield pod.name;
    },
  };
  const namesRepeat = hasRepeats(nameHashes);
  const ipsRepeat = hasRepeats(ipNumbers);
  const macsRepeat = hasRepeats(macNumbers);
  if (namesRepeat || ipsRepeat || macsRepeat) {
    const names = new Map<string, number>();
    const ips = new Map<string, number>();
    const macs = new Map<string, number>();
    if (macsRepeat) s.nodes.forEach((n, i) => uniqueAt('MAC address', macs, n.mac, i * POD_SLOTS, macPath));
    s.nodes.forEach((n, i) =>
      n.pods.forEach((pod, j) => {
        const at = i * POD_SLOTS + j + 1;
        if (namesRepeat) uniqueAt('pod name', names, pod.name, at, namePath);
        if (ipsRepeat) uniqueAt('pod IP', ips, pod.ip, at, ipPath);
        if (macsRepeat) uniqueAt('MAC address', macs, pod.mac, at, macPath);
      }),
    );
  }

  reference('node', s.controller.node, nodes, ['controller', 'node']);

  // Migrations, in time order (stable for equal times): where each node is at that moment.
  const location = new Map(s.nodes.map((n) => [n.name, n.hypervisor]));
  const order = s.migrations.map((m, i) => ({ m, i })).sort((a, b) => a.m.atMs - b.m.atMs || a.i - b.i);
  for (const { m, i } of order) {
    const nodeOk = reference('node', m.node, nodes, ['migrations', i, 'node']);
    const toOk = reference('hypervisor', m.to, hypervisors, ['migrations', i, 'to']);
    if (m.atMs >= s.durationMs) {
      issues.push({ path: ['migrations', i, 'at'], message: `${formatDuration(m.atMs)} is not before the end of the scenario (duration ${formatDuration(s.durationMs)})` });
    }
    if (nodeOk && toOk) {
      if (location.get(m.node) === m.to) {
        issues.push({ path: ['migrations', i, 'to'], message: `node "${m.node}" is already on hypervisor "${m.to}" at ${formatDuration(m.atMs)}` });
      }
      location.set(m.node, m.to);
    }
  }

  // Evacuations
  (s.evacuations ?? []).forEach((e, i) => {
    const hostOk = reference('hypervisor', e.hypervisor, hypervisors, ['evacuations', i, 'hypervisor']);
    if (e.atMs >= s.durationMs) {
      issues.push({ path: ['evacuations', i, 'at'], message: `${formatDuration(e.atMs)} is not before the end of the scenario (duration ${formatDuration(s.durationMs)})` });
    }
    if (e.to !== undefined) {
      const seen = new Set<string>();
      e.to.forEach((t, j) => {
        const path: Path = ['evacuations', i, 'to', j];
        if (!reference('hypervisor', t, hypervisors, path)) return;
        if (t === e.hypervisor) issues.push({ path, message: `"${t}" is the hypervisor being evacuated: list only other hypervisors` });
        else if (seen.has(t)) issues.push({ path, message: `hypervisor "${t}" is listed twice` });
        seen.add(t);
      });
    } else if (hostOk && hypervisors.size < 2) {
      issues.push({ path: ['evacuations', i, 'hypervisor'], message: `there is no other hypervisor to move the VMs of "${e.hypervisor}" to` });
    }
  });

  // Flows
  unique('flow name', s.flows.map((fl, i) => ({ value: fl.name, path: ['flows', i, 'name'] })));
  s.flows.forEach((fl, i) => {
    const fromOk = reference('pod', fl.from, somePods, ['flows', i, 'from']);
    const toOk = reference('pod', fl.to, somePods, ['flows', i, 'to']);
    if (fromOk && toOk && fl.from === fl.to) issues.push({ path: ['flows', i, 'to'], message: `a flow needs two different pods, but from and to are both "${fl.to}"` });
    if (fl.stopMs > s.durationMs) {
      issues.push({ path: ['flows', i, 'stop'], message: `${formatDuration(fl.stopMs)} is after the end of the scenario (duration ${formatDuration(s.durationMs)})` });
    } else if (fl.startMs >= fl.stopMs) {
      issues.push({ path: ['flows', i, 'start'], message: `start (${formatDuration(fl.startMs)}) must be before stop (${formatDuration(fl.stopMs)})` });
    }
  });

  return issues;
}
