/**
 * Rules on src/'s import graph (read by test/support/import-graph.ts).
 *
 * What counts: a cycle of `value` imports (modules that load each other, so one of them runs before
 * the other has finished) is forbidden, and so is a cycle that closes only through `import type`
 * (counted separately: erased at run time, but the two modules still cannot be understood or moved
 * apart). `import('...')` (lazy, loaded when called) does not count for cycles: the CLI's command
 * index loads each command that way and the command reads its summary back from the index.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importCycles, readImportGraph, type ImportEdge, type ImportKind } from '../support/import-graph.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const graph = readImportGraph(SRC);

/** The simulation runner: what runs the twin rather than reading what it produced. */
const RUNNER = ['simulation.ts', 'simulated-twin.ts', 'twin.ts'];

/** `a.ts:12 -> b.ts:3 -> a.ts`: each file with the line of its import of the next one. */
function describeCycle(cycle: readonly string[], kinds: readonly ImportKind[]): string {
  return cycle
    .map((file, i) => {
      const next = cycle[i + 1];
      if (next === undefined) return file;
      const edge = graph.get(file)!.find((e) => e.to === next && kinds.includes(e.kind))!;
      return `${file}:${edge.line}`;
    })
    .join(' -> ');
}

/** Imports of files under `from` that reach a file `forbidden` accepts; for each, the chain of files. */
function forbiddenImports(from: string, forbidden: (file: string) => boolean, kinds: readonly ImportKind[], transitive: boolean): string[] {
  const found: string[] = [];
  for (const file of graph.keys()) {
    if (!file.startsWith(from)) continue;
    const chainTo = new Map<string, string>([[file, file]]);
    const queue: string[] = [file];
    for (let i = 0; i < queue.length; i++) {
      const at = queue[i]!;
      for (const edge of graph.get(at) ?? []) {
        if (!kinds.includes(edge.kind) || chainTo.has(edge.to)) continue;
        const chain = `${chainTo.get(at)}:${edge.line} -> ${edge.to}`;
        chainTo.set(edge.to, chain);
        if (forbidden(edge.to)) found.push(chain);
        else if (transitive) queue.push(edge.to);
      }
    }
  }
  return found;
}

describe('src/ import graph', { timeout: 30_000 }, () => {
  it('reads every module under src/ and the imports between them', () => {
    assert.ok(graph.size > 100, `only ${graph.size} files read from ${SRC}`);
    const simulation = graph.get('simulation.ts')!.map((e) => e.to);
    assert.ok(simulation.includes('simulated-twin.ts'), 'simulation.ts imports simulated-twin.ts');
    const commandIndex = graph.get('cli/command-index.ts')!;
    assert.ok(commandIndex.some((e) => e.kind === 'lazy' && e.to === 'cli/simulate.ts'), 'command-index.ts loads simulate.ts lazily');
  });

  it('has no cycle of modules that load each other', () => {
    const cycles = importCycles(graph, ['value']);
    assert.deepEqual(cycles.map((c) => describeCycle(c, ['value'])), [], 'modules that import each other: move what both need to a module below them');
  });

  it('has no cycle even through type-only imports', () => {
    const cycles = importCycles(graph, ['value', 'type']);
    assert.deepEqual(cycles.map((c) => describeCycle(c, ['value', 'type'])), [], 'modules that import each other (counting import type): the lower one should own the type');
  });

  it('keeps reports to reading results: nothing under src/report/ loads the simulation runner, even through other modules', () => {
    const loads = forbiddenImports('report/', (f) => RUNNER.includes(f), ['value', 'lazy'], true);
    const types = forbiddenImports('report/', (f) => RUNNER.includes(f), ['type'], false);
    assert.deepEqual([...loads, ...types], [], `src/report/ reaches ${RUNNER.join(', ')}; read results through src/simulation-result.ts`);
  });

  it('keeps the model and the kernel below reports, the CLI and the live emulator', () => {
    const above = (f: string) => f.startsWith('report/') || f.startsWith('cli/') || f.startsWith('live/');
    const found = [...forbiddenImports('model/', above, ['value', 'type', 'lazy'], false), ...forbiddenImports('kernel/', above, ['value', 'type', 'lazy'], false)];
    assert.deepEqual(found, [], 'src/model/ and src/kernel/ import from report/, cli/ or live/');
  });
});

describe('import cycles as the rules see them', { timeout: 30_000 }, () => {
  const edge = (to: string, kind: ImportKind): ImportEdge => ({ to, kind, line: 1 });

  it('finds a cycle through value imports and names its files in order', () => {
    const g = new Map([
      ['a.ts', [edge('b.ts', 'value')]],
      ['b.ts', [edge('c.ts', 'value')]],
      ['c.ts', [edge('a.ts', 'value')]],
      ['d.ts', [edge('a.ts', 'value')]],
    ]);
    assert.deepEqual(importCycles(g, ['value']), [['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('counts a cycle closed by import type only when type imports are counted', () => {
    const g = new Map([
      ['a.ts', [edge('b.ts', 'value')]],
      ['b.ts', [edge('a.ts', 'type')]],
    ]);
    assert.deepEqual(importCycles(g, ['value']), []);
    assert.deepEqual(importCycles(g, ['value', 'type']), [['a.ts', 'b.ts', 'a.ts']]);
  });

  it('does not count lazy imports unless asked to', () => {
    const g = new Map([
      ['index.ts', [edge('command.ts', 'lazy')]],
      ['command.ts', [edge('index.ts', 'value')]],
    ]);
    assert.deepEqual(importCycles(g, ['value', 'type']), []);
    assert.deepEqual(importCycles(g, ['value', 'lazy']), [['command.ts', 'index.ts', 'command.ts']]);
  });

  it('reports a module that imports itself', () => {
    assert.deepEqual(importCycles(new Map([['a.ts', [edge('a.ts', 'value')]]]), ['value']), [['a.ts', 'a.ts']]);
  });
});
