/**
 * Where a field path points in a YAML file: the line and column of the node at `nodes[2].pods[0].epg`,
 * or of its nearest existing parent when a key is missing, so every scenario problem is reported at
 * the place a person would edit.
 */
import { isAlias, isMap, isNode, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { ScenarioError, scenarioIssuesReportedMax } from './scenario-error.ts';
import type { ScenarioIssue } from './scenario-error.ts';

export type PathKey = string | number;
/** A field path from the document's root: keys and list indices. */
export type Path = readonly PathKey[];

/** An issue before it is placed: `target` says which node of the path to point at. */
export interface RawIssue {
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

export class YamlLocator {
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
