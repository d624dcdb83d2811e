/**
 * Reads a test file's source for tests and suites that could run without a timeout of their own.
 * Node's runner gives a nested test or hook its suite's timeout, and a suite's timeout bounds all it
 * runs. So each outermost describe/it/test call (one not inside another's callback) must pass options
 * with `timeout` (an object literal, or a const of one), or be a suite whose every test and hook states
 * one; and no test may state a longer timeout than the suite around it, which would cut it short.
 */
import ts from 'typescript';

const SUITE_FUNCTIONS = new Set(['describe', 'suite']);
const TEST_FUNCTIONS = new Set([...SUITE_FUNCTIONS, 'it', 'test']);
const HOOK_FUNCTIONS = new Set(['before', 'after', 'beforeEach', 'afterEach']);
const TEST_OR_HOOK = new Set([...TEST_FUNCTIONS, ...HOOK_FUNCTIONS]);

export interface TimeoutProblem {
  line: number;
  /** The call's first line, shortened. */
  call: string;
  problem: string;
}

export function timeoutProblems(fileName: string, source: string): TimeoutProblem[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const constants = new Map<string, ts.Expression>();
  const collectConstants = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) constants.set(node.name.text, node.initializer);
    ts.forEachChild(node, collectConstants);
  };
  collectConstants(file);
  const resolve = (e: ts.Expression): ts.Expression => (ts.isIdentifier(e) && constants.has(e.text) ? resolve(constants.get(e.text)!) : e);

  /** The options' `timeout` property: undefined when none, NaN when stated but not a literal number. */
  const statedTimeout = (options: ts.Expression | undefined): number | undefined => {
    if (options === undefined) return undefined;
    const object = resolve(options);
    if (!ts.isObjectLiteralExpression(object)) return undefined;
    for (const p of object.properties) {
      if (p.name === undefined || !ts.isIdentifier(p.name) || p.name.text !== 'timeout') continue;
      const value = ts.isPropertyAssignment(p) ? resolve(p.initializer) : ts.isShorthandPropertyAssignment(p) ? resolve(p.name) : undefined;
      return value !== undefined && ts.isNumericLiteral(value) ? Number(value.text.replaceAll('_', '')) : NaN;
    }
    return undefined;
  };

  const optionsOf = (call: ts.CallExpression): ts.Expression | undefined => {
    if (HOOK_FUNCTIONS.has(nameOf(call))) return call.arguments[1];
    if (call.arguments.length >= 3) return call.arguments[1];
    return call.arguments.slice(1).find((a) => !ts.isFunctionLike(a));
  };

  const problems: TimeoutProblem[] = [];
  const report = (call: ts.CallExpression, problem: string): void => {
    problems.push({ line: file.getLineAndCharacterOfPosition(call.getStart(file)).line + 1, call: call.getText(file).split('\n')[0]!.slice(0, 100), problem });
  };

  /** Whether `call` runs under a timeout; reports nested timeouts longer than `enclosingMs`. */
  const covered = (call: ts.CallExpression, enclosingMs: number): boolean => {
    const own = statedTimeout(optionsOf(call));
    if (own !== undefined && own > enclosingMs) report(call, `its timeout ${own} ms is longer than the ${enclosingMs} ms of the suite around it`);
    const budget = own !== undefined && !Number.isNaN(own) ? Math.min(own, enclosingMs) : enclosingMs;
    const inside = call.arguments.flatMap((a) => (ts.isFunctionLike(a) ? outermostCalls(a) : []));
    const insideCovered = inside.map((c) => covered(c, budget));
    if (own !== undefined) return true;
    return SUITE_FUNCTIONS.has(nameOf(call)) && inside.length > 0 && insideCovered.every(Boolean);
  };

  for (const call of outermostCalls(file)) {
    if (HOOK_FUNCTIONS.has(nameOf(call))) continue; // a file-level hook has the file's own budget (the runner's --test-timeout)
    if (!covered(call, Infinity)) report(call, 'no timeout: state one in its options (or on each test and hook of the suite)');
  }
  return problems;
}

/** The outermost test, suite and hook calls under `node` (not those inside them). */
function outermostCalls(node: ts.Node): ts.CallExpression[] {
  const found: ts.CallExpression[] = [];
  const walk = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && calledName(n.expression) !== undefined) found.push(n);
    else ts.forEachChild(n, walk);
  };
  ts.forEachChild(node, walk);
  return found;
}

function nameOf(call: ts.CallExpression): string {
  return calledName(call.expression)!;
}

/** `describe`, `it.skip`, `test.only`, `before`...: the test or hook function a callee calls, if any. */
function calledName(callee: ts.Expression): string | undefined {
  if (ts.isIdentifier(callee)) return TEST_OR_HOOK.has(callee.text) ? callee.text : undefined;
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && TEST_OR_HOOK.has(callee.expression.text)) return callee.expression.text;
  return undefined;
}
