/**
 * zod's issues as scenario problems a person reads: one line each, in the words of the file ("expected
 * a list, got string \"abc\"", "missing required key ...", "unknown key ... (did you mean ...?)"),
 * each with the field path the YAML locator places at a line.
 */
import type { z } from 'zod';
import { describeValue, scenarioIssuesReportedMax } from './scenario-error.ts';
import { unknownKeyMessage } from './key-suggestions.ts';
import { scenarioSchema } from './schema.ts';
import type { Path, PathKey, RawIssue } from './yaml-positions.ts';

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

/**
 * One zod issue as the problems it stands for (a union's issue may stand for its one matching branch's).
 * `root` is the schema the issue came from, for the keys an unknown key's hint suggests.
 */
export function fromZodIssue(issue: ZodIssue, prefix: Path = [], root: unknown = scenarioSchema): RawIssue[] {
  const path: PathKey[] = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  switch (issue.code) {
    case 'invalid_union': {
      // Report the one branch that matched the input's shape, if there is exactly one.
      const candidates = issue.errors.filter((branch) => branch.length > 0 && !isShapeMismatch(branch));
      if (candidates.length === 1) return candidates[0]!.flatMap((i) => fromZodIssue(i, path, root));
      return [{ path, message: issue.message }];
    }
    case 'unrecognized_keys':
      // Only the first keys can be shown (the rest are counted), so only they get a suggestion.
      return issue.keys.map((key, i) => ({
        path: [...path, key],
        message: i < scenarioIssuesReportedMax ? unknownKeyMessage(key, knownKeysAt(root, path)) : `unknown key ${JSON.stringify(key)}`,
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
