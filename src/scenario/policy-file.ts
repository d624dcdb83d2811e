/**
 * The policy file `opflex_server --policy` seeds its store from (MOSerializer::readMOs): a JSON array
 * of managed objects exactly as they travel on the wire. Numbers are read losslessly so U64 data
 * past 2^53 survives.
 */
import type { ManagedObject } from '../model/managed-object.ts';
import { PolicyValidationError, validateManagedObjects, type PolicyIssue } from '../model/policy-validation.ts';
import { JsonSyntaxError, parseJson, stringifyJsonPretty } from '../opflex/lossless-json.ts';
import { INPUT_FILES, readInputFile } from './input-file.ts';

export type PolicyFileIssue = PolicyIssue;

/** A policy file that cannot be loaded: every problem, each naming the object index, uri and field. */
export class PolicyFileError extends PolicyValidationError {
  constructor(source: string, issues: PolicyIssue[], issueCount = issues.length) {
    super(source, issues, issueCount, `Invalid policy file ${source}`);
    this.name = 'PolicyFileError';
  }
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

function validatePolicyObjects(doc: unknown, source: string): ManagedObject[] {
  if (!Array.isArray(doc)) {
    throw new PolicyFileError(source, [{ message: `the top level must be an array of managed objects, got ${describe(doc)}` }]);
  }
  try {
    return validateManagedObjects(doc, source);
  } catch (err) {
    if (err instanceof PolicyValidationError) throw new PolicyFileError(source, err.issues, err.issueCount);
    throw err;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

function lineAndColumn(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8');
  const lastNewline = before.lastIndexOf('\n');
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { line, column: before.length - lastNewline };
}
