/**
 * The one error a scenario file can produce: every problem found, each with its file, line, column
 * and field path, formatted the way compilers and editors expect (`file:line:column: message`).
 */

import { printable } from '../printable.ts';

export interface ScenarioIssue {
  /** The file path as given, or "built-in:<name>". */
  source: string;
  /** 1-based; 0 when the issue has no position (the file could not be read). */
  line: number;
  /** 1-based; 0 when the issue has no position. */
  column: number;
  /** Field path such as `nodes[2].pods[0].epg`; empty for the document itself or a syntax error. */
  path: string;
  message: string;
}

/** One issue as a line: `<source>:<line>:<column>: <path>: <message>` (parts that are unknown are left out). */
export function formatScenarioIssue(issue: ScenarioIssue): string {
  const where = issue.line > 0 ? `${issue.source}:${issue.line}:${issue.column}` : issue.source;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** Most problems one scenario error lists; the rest are counted (fixing the first ones often fixes them). */
export const scenarioIssuesReportedMax = 100;

/** The line that stands for the problems not listed. */
export function moreProblems(omitted: number): string {
  return `... and ${omitted} more problem${omitted === 1 ? '' : 's'} not shown`;
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  /** Every issue found, in file order. Never empty. */
  readonly issues: readonly ScenarioIssue[];
  /** Further problems found but not placed or listed (past `scenarioIssuesReportedMax`). */
  readonly omitted: number;

  constructor(issues: readonly ScenarioIssue[], omitted = 0) {
    if (issues.length === 0) throw new RangeError('A ScenarioError needs at least one issue');
    // Names and values from the file appear in messages: escaped, so one issue is always one line.
    const sorted = issues
      .map((i) => ({ ...i, source: printable(i.source), path: printable(i.path), message: printable(i.message) }))
      .sort((a, b) => a.line - b.line || a.column - b.column);
    super(sorted.map(formatScenarioIssue).join('\n') + (omitted > 0 ? `\n${moreProblems(omitted)}` : ''));
    this.issues = Object.freeze(sorted);
    this.omitted = omitted;
  }
}

/** How a value reads in a message: `string "abc"`, `number 5`, `a list`, `a mapping`, `an empty value`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}
