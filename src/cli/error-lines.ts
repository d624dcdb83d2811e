/**
 * How a command's failure reads on stderr: one line per problem, each naming where it is (file:line,
 * option, field), escaped for the terminal, never a stack. A scenario or policy file with several
 * problems gives one line for each (up to its own cap); anything else gives exactly one line.
 */
import { InputFileError } from '../scenario/input-file.ts';
import { formatIssue } from '../model/policy-validation.ts';
import { PolicyFileError } from '../scenario/policy-file.ts';
import { ScenarioError, formatScenarioIssue, moreProblems } from '../scenario/scenario-error.ts';
import { printable } from '../printable.ts';

/** Longest message printed from an error we did not write ourselves. */
const messageCharsMax = 2000;
/** Problems of one policy file printed, one line each. */
const policyIssuesShownMax = 50;

export function errorLines(err: unknown): string[] {
  if (err instanceof ScenarioError) {
    const lines = err.issues.map(formatScenarioIssue);
    if (err.omitted > 0) lines.push(moreProblems(err.omitted));
    return lines.map(oneLine);
  }
  if (err instanceof PolicyFileError) {
    const lines = err.issues.slice(0, policyIssuesShownMax).map((issue) => `${err.source}: ${formatIssue(issue)}`);
    if (err.issueCount > lines.length) lines.push(`${err.source}: ... and ${err.issueCount - lines.length} more problems`);
    return lines.map(oneLine);
  }
  if (err instanceof InputFileError) return [oneLine(err.message)];
  if (err instanceof Error) return [oneLine(err.message || err.name)];
  return [oneLine(`failed: ${String(err)}`)];
}

/** The text on one line, escaped, and cut at `messageCharsMax`. */
export function oneLine(text: string): string {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ').trim();
  const cut = flat.length > messageCharsMax ? `${flat.slice(0, messageCharsMax)}...` : flat;
  return printable(cut);
}
