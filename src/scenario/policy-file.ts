/**
 * The policy file `opflex_server --policy` seeds its store from (MOSerializer::readMOs): a JSON array
 * of managed objects exactly as they travel on the wire. Numbers are read losslessly so U64 data
 * past 2^53 survives.
 */
import type { ManagedObject } from '../model/managed-object.ts';
import { canonicalObject } from '../opflex/codec.ts';
import { JsonSyntaxError, parseJson, stringifyJsonPretty } from '../opflex/lossless-json.ts';
import { INPUT_FILES, readInputFile } from './input-file.ts';

export interface PolicyFileIssue {
  /** Position of the object in the top-level array; absent for problems with the file as a whole. */
  index?: number;
  /** The object's uri, when it has a usable one. */
  uri?: string;
  /** Path of the offending field inside the object, e.g. `properties[2].data`. */
  field?: string;
  message: string;
}

const MAX_REPORTED_ISSUES = 50;

export class PolicyFileError extends Error {
  readonly source: string;
  readonly issues: PolicyFileIssue[];

  constructor(source: string, issues: PolicyFileIssue[]) {
    const shown = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => '  ' + formatIssue(issue));
    if (issues.length > shown.length) shown.push(`  ... and ${issues.length - shown.length} more`);
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`Invalid policy file ${source} (${count}):\n${shown.join('\n')}`);
    this.name = 'PolicyFileError';
    this.source = source;
    this.issues = issues;
  }
}

function formatIssue(issue: PolicyFileIssue): string {
  let where = issue.index === undefined ? 'file' : `object #${issue.index}`;
  if (issue.uri !== undefined) where += ` (uri ${JSON.stringify(issue.uri)})`;
  if (issue.field !== undefined) where += `, field "${issue.field}"`;
  return `${where}: ${issue.message}`;
}

/** Parses and validates a policy file; `source` names it in errors. Objects come back in MOSerializer member order. */
export function parsePolicyFile(text: string, source: string): ManagedObject[] {
  let doc: unknown;
  try {
    doc = parseJson(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const { line, column } = lineAndColumn(text, err.offset);
    throw new PolicyFileError(source, [{ message: `not valid JSON: ${err.message} (line ${line}, column ${column})` }]);
  }
  return validatePolicyObjects(doc, source);
}

/** Validates already-parsed JSON as a list of managed objects (e.g. the body of a policy change). */
export function validateManagedObjects(value: unknown, source: string): ManagedObject[] {
  return validatePolicyObjects(value, source);
}

export async function loadPolicyFile(path: string): Promise<ManagedObject[]> {
  return parsePolicyFile(readInputFile(path, INPUT_FILES.policy), path);
}

/**
 * Writes objects the way libopflex dumps them (rapidjson PrettyWriter, 4-space indent) with members
 * in MOSerializer order, so parsePolicyFile(serializePolicyFile(x)) equals x. Refuses objects that
 * parsePolicyFile would reject.
 */
export function serializePolicyFile(objects: readonly ManagedObject[]): string {
  const canonical = validatePolicyObjects(objects, 'being serialized');
  return stringifyJsonPretty(canonical, 4) + '\n';
}

const MO_FIELDS = new Set(['subject', 'uri', 'properties', 'children', 'parent_subject', 'parent_uri', 'parent_relation']);
const PARENT_FIELDS = ['parent_subject', 'parent_uri', 'parent_relation'] as const;
const MIN_S64 = -(2n ** 63n);
const MAX_U64 = 2n ** 64n - 1n;

function validatePolicyObjects(doc: unknown, source: string): ManagedObject[] {
  if (!Array.isArray(doc)) {
    throw new PolicyFileError(source, [{ message: `the top level must be an array of managed objects, got ${describe(doc)}` }]);
  }
  const issues: PolicyFileIssue[] = [];
  const firstIndexOfUri = new Map<string, number>();
  doc.forEach((item: unknown, index: number) => {
    if (!isPlainObject(item)) {
      issues.push({ index, message: `must be a managed object, got ${describe(item)}` });
      return;
    }
    const uri = typeof item.uri === 'string' && item.uri.length > 0 ? item.uri : undefined;
    const report = (field: string | undefined, message: string): void => {
      const issue: PolicyFileIssue = { index, message };
      if (uri !== undefined) issue.uri = uri;
      if (field !== undefined) issue.field = field;
      issues.push(issue);
    };

    for (const key of Object.keys(item)) if (!MO_FIELDS.has(key)) report(key, 'unknown field');
    if (!isNonEmptyString(item.subject)) report('subject', `must be a non-empty string, got ${describe(item.subject)}`);
    if (uri === undefined) report('uri', `must be a non-empty string, got ${describe(item.uri)}`);
    else {
      const first = firstIndexOfUri.get(uri);
      if (first === undefined) firstIndexOfUri.set(uri, index);
      else report('uri', `duplicate of object #${first}`);
    }

    if (!Array.isArray(item.properties)) report('properties', `must be an array of {name, data}, got ${describe(item.properties)}`);
    else item.properties.forEach((prop: unknown, i: number) => checkProperty(prop, `properties[${i}]`, report));

    if (!Array.isArray(item.children)) report('children', `must be an array of URI strings, got ${describe(item.children)}`);
    else item.children.forEach((child: unknown, i: number) => {
      if (!isNonEmptyString(child)) report(`children[${i}]`, `must be a non-empty string, got ${describe(child)}`);
    });

    const present = PARENT_FIELDS.filter((f) => item[f] !== undefined);
    for (const f of present) if (!isNonEmptyString(item[f])) report(f, `must be a non-empty string, got ${describe(item[f])}`);
    if (present.length > 0 && present.length < PARENT_FIELDS.length) {
      const missing = PARENT_FIELDS.filter((f) => item[f] === undefined);
      report(missing[0], `parent_subject, parent_uri and parent_relation go together; missing ${missing.join(', ')}`);
    }
  });
  if (issues.length > 0) throw new PolicyFileError(source, issues);
  return (doc as ManagedObject[]).map(canonicalObject);
}

type Report = (field: string, message: string) => void;

function checkProperty(prop: unknown, path: string, report: Report): void {
  if (!isPlainObject(prop)) {
    report(path, `must be a {name, data} object, got ${describe(prop)}`);
    return;
  }
  for (const key of Object.keys(prop)) if (key !== 'name' && key !== 'data') report(`${path}.${key}`, 'unknown field');
  if (!isNonEmptyString(prop.name)) report(`${path}.name`, `must be a non-empty string, got ${describe(prop.name)}`);
  if (prop.data === undefined) report(`${path}.data`, 'is missing');
  else checkData(prop.data, `${path}.data`, report);
}

/** Property data as libopflex types it: string, 64-bit integer, reference, or a vector of those. */
function checkData(data: unknown, path: string, report: Report): void {
  switch (typeof data) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isInteger(data)) report(path, `must be an integer (libopflex has no fractional type), got ${data}`);
      return;
    case 'bigint':
      if (data < MIN_S64 || data > MAX_U64) report(path, `does not fit a 64-bit integer: ${data}`);
      return;
    case 'object':
      if (Array.isArray(data)) {
        data.forEach((item: unknown, i: number) => checkData(item, `${path}[${i}]`, report));
        return;
      }
      if (isPlainObject(data)) {
        for (const key of Object.keys(data)) if (key !== 'subject' && key !== 'reference_uri') report(`${path}.${key}`, 'unknown field in a reference');
        if (!isNonEmptyString(data.subject)) report(`${path}.subject`, `must be a non-empty string, got ${describe(data.subject)}`);
        if (!isNonEmptyString(data.reference_uri)) report(`${path}.reference_uri`, `must be a non-empty string, got ${describe(data.reference_uri)}`);
        return;
      }
      break;
  }
  report(path, `must be a string, integer, reference or array, got ${describe(data)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  if (typeof value === 'bigint') return 'an integer';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function lineAndColumn(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8');
  const lastNewline = before.lastIndexOf('\n');
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { line, column: before.length - lastNewline };
}
