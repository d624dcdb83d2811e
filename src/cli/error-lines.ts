/**
 * How a command's failure reads on stderr: one line per problem, each naming where it is (file:line,
 * option, field), escaped for the terminal, never a stack. A scenario or policy file with several
 * problems gives one line for each (up to its own cap); anything else gives exactly one line.
 */
import { InputFileError } from '../scenario/input-file.ts';
import { PolicyFileError } from '../scenario/policy-file.ts';
import { ScenarioError, formatScenarioIssue, moreProblems } from '../scenario/scenario-error.ts';
import { printable } from '../printable.ts';

/** Longest message printed from an error we did not write ourselves. */
const messageCharsMax = 2000;

export function errorLines(err: unknown): string[] {
  if (err instanceof ScenarioError) {
    const lines = err.issues.map(formatScenarioIssue);
    if (err.omitted > 0) lines.push(moreProblems(err.omitted));
    return lines.map(oneLine);
  }
  if (err instanceof PolicyFileError) {
    // Its message is a heading line and one indented line per problem (already capped).
    const problems = err.message.split('\n').slice(1).map((line) => line.trim()).filter((line) => line !== '');
    return (problems.length > 0 ? problems : [err.message]).map((p) => oneLine(`${err.source}: ${p}`));
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
