/**
 * YAML as every file and option of the command line reads it (scenarios, plans, acc-provision input,
 * `--set` and `--vary` values): parsed once, then checked in one linear pass before anything converts
 * it to plain data.
 *
 * The pass finds what the yaml package either checks in quadratic time (duplicate keys: 400,000 keys
 * took minutes with `uniqueKeys`) or lets through to crash the caller later: an alias inside the node
 * it names (a cycle, which `toJS` turns into a cyclic object), mapping or list keys, nesting deeper than
 * any of our formats needs, and more aliases than a hand-written file has. It walks with its own stack,
 * so no input can exhaust the call stack.
 */
import { LineCounter, isAlias, isMap, isNode, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import { ScenarioError, scenarioIssuesReportedMax, type ScenarioIssue } from './scenario-error.ts';
import { errorMessage } from '../error-details.ts';

/** Deepest nesting of mappings and lists accepted (scenarios need 7). */
export const yamlDepthMax = 64;
/** Most alias nodes (`*name`) in one document; also the yaml package's expansion budget for `toJS`. */
export const yamlAliasesMax = 1000;

interface YamlSource {
  doc: Document;
  lines: LineCounter;
  source: string;
}

/**
 * Parses YAML text and checks its structure; a `ScenarioError` with file:line:column for the first
 * syntax error, or for every duplicate key, cycle, non-scalar key and over-deep node found.
 */
export function parseYamlSource(text: string, source: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, merge: true });
  if (doc.errors.length > 0) {
    // Later syntax errors are mostly echoes of the first one, so only the first is reported.
    const err = doc.errors[0]!;
    const { line, col } = lines.linePos(err.pos[0]);
    const more = doc.errors.length > 1 ? ` (${doc.errors.length - 1} more error${doc.errors.length > 2 ? 's' : ''} may follow from it)` : '';
    throw new ScenarioError([{ source, line, column: col, path: '', message: `YAML syntax error: ${lowerFirst(firstLine(err.message))}${more}` }]);
  }
  const { issues, omitted } = structureIssues(doc, lines, source);
  if (issues.length > 0) throw new ScenarioError(issues, omitted);
  return { doc, lines, source };
}

/** The document as plain data (after `parseYamlSource`'s checks, so it is acyclic and bounded). */
export function yamlToJs(y: YamlSource): unknown {
  try {
    return y.doc.toJS({ maxAliasCount: yamlAliasesMax });
  } catch (err) {
    throw new ScenarioError([{ source: y.source, line: 1, column: 1, path: '', message: `cannot read the YAML document: ${lowerFirst(firstLine(errorMessage(err)))}` }]);
  }
}

/** One YAML value written inline (a `--set` or `--vary` value); errors are `SyntaxError`s naming `what`. */
export function parseYamlValue(text: string, what: string): unknown {
  try {
    return yamlToJs(parseYamlSource(text, what));
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    const issue = err.issues[0]!;
    throw new SyntaxError(`${what}: ${issue.message}${issue.column > 0 ? ` (column ${issue.column})` : ''}`);
  }
}

type Frame = { node: unknown; depth: number } | { leave: YamlNode };

/** Where a YAML node starts in the text (0 for a key that is not a node). */
function startOf(node: unknown): number {
  return isNode(node) ? (node.range?.[0] ?? 0) : 0;
}

function structureIssues(doc: Document, lines: LineCounter, source: string): { issues: ScenarioIssue[]; omitted: number } {
  const issues: ScenarioIssue[] = [];
  let omitted = 0;
  const at = (node: unknown, message: string) => {
    if (issues.length >= scenarioIssuesReportedMax) {
      omitted++;
      return;
    }
    const { line, col } = lines.linePos(startOf(node));
    issues.push({ source, line, column: col, path: '', message });
  };
  // Anchors as defined so far in document order: an alias names the latest one before it.
  const anchors = new Map<string, YamlNode>();
  const open = new Set<YamlNode>();
  let aliases = 0;
  const stack: Frame[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('leave' in frame) {
      open.delete(frame.leave);
      continue;
    }
    const node = frame.node;
    if (!isNode(node)) continue;
    if (isAlias(node)) {
      if (++aliases > yamlAliasesMax) {
        at(node, `more than ${yamlAliasesMax} aliases in one document`);
        break;
      }
      const target = anchors.get(node.source);
      if (target !== undefined && open.has(target)) at(node, `alias *${node.source} is inside the node &${node.source} it refers to (a cycle)`);
      continue;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (isScalar(node)) continue;
    if (frame.depth > yamlDepthMax) {
      at(node, `nested more than ${yamlDepthMax} levels deep`);
      continue;
    }
    open.add(node);
    stack.push({ leave: node });
    const children: unknown[] = [];
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = keyOf(pair.key, anchors);
        if (key.kind === 'collection') at(pair.key, 'a mapping key must be a plain value, not a mapping or list');
        else if (key.kind === 'text') {
          const first = seen.get(key.text);
          if (first === undefined) seen.set(key.text, startOf(pair.key));
          else at(pair.key, `YAML syntax error: map keys must be unique: ${JSON.stringify(key.text)} is already at line ${lines.linePos(first).line}`);
        }
        children.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      children.push(...node.items);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i], depth: frame.depth + 1 });
  }
  return { issues, omitted };
}

type Key = { kind: 'text'; text: string } | { kind: 'merge' } | { kind: 'collection' };

/** A mapping key as the text `toJS` would use for it; merge keys (`<<`) are not compared. */
function keyOf(key: unknown, anchors: Map<string, YamlNode>): Key {
  const node = isAlias(key) ? anchors.get(key.source) : key;
  if (node === null || node === undefined) return { kind: 'text', text: '' };
  if (isScalar(node)) {
    if (typeof node.value === 'symbol') return { kind: 'merge' };
    return { kind: 'text', text: node.value === null ? '' : String(node.value) };
  }
  return isNode(node) ? { kind: 'collection' } : { kind: 'text', text: String(node) };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function lowerFirst(text: string): string {
  return /^[A-Z](?![A-Z])/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
