/**
 * The docs say what the code does: the trace's event kinds and example, the drop reasons' meanings,
 * the policy classes a leaf downloads, and every page listed in the README.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { formatTraceLine } from '../../src/kernel/trace.ts';
import { DROP_REASONS } from '../../src/fabric/drop-reasons.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { simulate } from '../../src/simulation.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const doc = (name: string) => readFileSync(join(ROOT, 'docs', name), 'utf8');

/** The names in the first column of every Markdown table row (`| \`name\` | ...`), split on ", ". */
function firstColumnNames(markdown: string): string[] {
  const names: string[] = [];
  for (const line of markdown.split('\n')) {
    const cell = /^\| ((?:`[^`]+`(?:, )?)+) \|/.exec(line)?.[1];
    if (cell) for (const m of cell.matchAll(/`([^`]+)`/g)) names.push(m[1]!);
  }
  return names;
}

/**
 * Event kinds the code emits: the second argument of every `.emit(actor, kind, ...)` in src/, as
 * literals, or as patterns for a template (`odev-${status}` -> /^odev-.+$/).
 */
function emittedKinds(): { literals: Set<string>; patterns: RegExp[] } {
  const literals = new Set<string>();
  const patterns: RegExp[] = [];
  const collect = (e: ts.Expression): void => {
    if (ts.isStringLiteral(e)) literals.add(e.text);
    else if (ts.isConditionalExpression(e)) [e.whenTrue, e.whenFalse].forEach(collect);
    else if (ts.isTemplateExpression(e)) patterns.push(new RegExp(`^${e.head.text}.+${e.templateSpans.at(-1)!.literal.text}$`));
  };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
        const visit = (node: ts.Node): void => {
          if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'emit' && node.arguments.length >= 2) {
            const receiver = node.expression.expression.getText(source);
            // Trace emitters only (a Node EventEmitter's 'error' is not a trace event).
            if (/trace$/i.test(receiver)) collect(node.arguments[1]!);
          }
          ts.forEachChild(node, visit);
        };
        visit(source);
      }
    }
  };
  walk(join(ROOT, 'src'));
  return { literals, patterns };
}

describe('docs match the code', { timeout: 60_000 }, () => {
  const run = simulate(loadBuiltinScenario(), { recordTrace: true });
  const traceLines = new Set(run.trace.map(formatTraceLine));

  describe('docs/trace-format.md', () => {
    const text = doc('trace-format.md');
    const kindsSection = text.slice(text.indexOf('## Event kinds'));
    const documented = firstColumnNames(kindsSection);

    it('documents every event kind the code emits, once, and no other', () => {
      const { literals, patterns } = emittedKinds();
      assert.ok(literals.size > 50, `only ${literals.size} event kinds found in src/`);
      const undocumented = [...literals].filter((k) => !documented.includes(k));
      assert.deepEqual(undocumented, [], 'event kinds emitted in src/ but missing from docs/trace-format.md');
      const unknown = documented.filter((k) => !literals.has(k) && !patterns.some((p) => p.test(k)));
      assert.deepEqual(unknown, [], 'event kinds in docs/trace-format.md that src/ never emits');
      assert.deepEqual(documented.filter((k, i) => documented.indexOf(k) !== i), [], 'event kinds documented twice');
      for (const p of patterns) assert.ok(documented.some((k) => p.test(k)), `no documented kind matches the emitted template ${p}`);
    });

    it('documents every event kind a run of the default scenario writes', () => {
      const kinds = new Set(run.trace.map((e) => e.event));
      assert.deepEqual([...kinds].filter((k) => !documented.includes(k)), []);
    });

    it("shows example lines copied from a real run of the default scenario", () => {
      const block = /## An example[\s\S]*?```\n([\s\S]*?)```/.exec(text)?.[1];
      assert.ok(block, 'docs/trace-format.md has an example block');
      const lines = block.trimEnd().split('\n');
      assert.ok(lines.length >= 5 && lines.length <= 10, `${lines.length} example lines`);
      for (const line of lines) assert.ok(traceLines.has(line), `not a line of the default run's trace: ${line}`);
    });

    it('lists the milestone names the runs use', () => {
      const names = new Set(run.trace.filter((e) => e.event === 'milestone').map((e) => String(e.data.name)));
      const listed = /Milestone names: ([\s\S]*?)\(their meanings/.exec(text)?.[1] ?? '';
      for (const name of names) assert.ok(listed.includes(`\`${name}\``), `milestone ${name} not listed`);
    });
  });

  it("docs/pod-traffic.md explains each drop reason in the reports' words", () => {
    const text = doc('pod-traffic.md');
    for (const [reason, meaning] of Object.entries(DROP_REASONS)) {
      assert.ok(text.includes(`| \`${reason}\` | ${meaning} |`), `drop reason ${reason} is not in the table with its meaning "${meaning}"`);
    }
    const rows = firstColumnNames(text.slice(text.indexOf('## Drop reasons')));
    assert.deepEqual(rows.sort(), Object.keys(DROP_REASONS).sort());
  });

  it('docs/leaf-policy.md names every class a leaf of the default scenario downloads', () => {
    const text = doc('leaf-policy.md');
    const downloaded = new Set(run.trace.filter((e) => e.event === 'policy-download').map((e) => String(e.data.subject)));
    assert.ok(downloaded.size >= 5, `only ${[...downloaded].join(', ')} downloaded`);
    const tableClasses = firstColumnNames(text);
    for (const subject of downloaded) {
      assert.ok(subject === 'PlatformConfig' ? text.includes('`PlatformConfig`') : tableClasses.includes(subject), `${subject} is downloaded but not named`);
    }
  });

  it('README lists every page in docs/', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const list = readme.slice(readme.indexOf('## Documentation'));
    for (const page of readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'))) {
      assert.ok(list.includes(`(docs/${page})`), `README's Documentation list does not link docs/${page}`);
    }
  });
});
