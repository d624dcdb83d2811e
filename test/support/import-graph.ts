/**
 * The import graph of a source tree, read with the TypeScript parser (no type checking, no module
 * resolution beyond relative paths), for rules about which module may import which.
 *
 * Each edge says how the import behaves at run time:
 * - `value`: the module is loaded (and evaluated first) when the importer loads. Under
 *   `verbatimModuleSyntax` this includes `import { type A } from` (it compiles to `import {} from`).
 * - `type`: `import type ...` / `export type ... from`, erased by the compiler: never loaded.
 * - `lazy`: `import('...')`, loaded when that code runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export type ImportKind = 'value' | 'type' | 'lazy';

export interface ImportEdge {
  /** The imported file, relative to the tree's root with `/` separators (`fabric/leaf.ts`). */
  to: string;
  kind: ImportKind;
  /** 1-based line of the import in the importing file. */
  line: number;
}

/** Every `.ts` file under `root` (relative, `/`-separated) with the files it imports inside `root`. */
export function readImportGraph(root: string): Map<string, ImportEdge[]> {
  const graph = new Map<string, ImportEdge[]>();
  for (const file of tsFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    graph.set(file, importsOf(text, file, root));
  }
  return graph;
}

function tsFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(relative(root, path).split(sep).join('/'));
  }
  return out;
}

function importsOf(text: string, file: string, root: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (specifier: ts.Expression | undefined, kind: ImportKind, at: ts.Node) => {
    if (specifier === undefined || !ts.isStringLiteralLike(specifier) || !specifier.text.startsWith('.')) return;
    const to = relative(root, resolve(root, dirname(file), specifier.text)).split(sep).join('/');
    edges.push({ to, kind, line: source.getLineAndCharacterOfPosition(at.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ? 'type' : 'value', node);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly ? 'type' : 'value', node);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], 'lazy', node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/**
 * The cycles of the graph restricted to edges of the given kinds: one per strongly connected
 * component, as a closed path of files (`a.ts -> b.ts -> a.ts`), in a stable order.
 */
export function importCycles(graph: ReadonlyMap<string, readonly ImportEdge[]>, kinds: readonly ImportKind[]): string[][] {
  const next = new Map<string, string[]>();
  for (const [file, edges] of graph) next.set(file, [...new Set(edges.filter((e) => kinds.includes(e.kind) && graph.has(e.to)).map((e) => e.to))].sort());
  const cycles: string[][] = [];
  for (const component of stronglyConnected(next)) {
    const self = component.length === 1 && next.get(component[0]!)!.includes(component[0]!);
    if (component.length > 1 || self) cycles.push(cycleThrough(component, next));
  }
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Tarjan's algorithm, iterative (a deep import chain must not exhaust the stack). */
function stronglyConnected(next: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  for (const start of [...next.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; child: number }[] = [{ node: start, child: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = next.get(frame.node)!;
      if (frame.child < children.length) {
        const child = children[frame.child++]!;
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort());
      }
    }
  }
  return components;
}

/** A shortest closed path from the component's first file back to itself, inside the component. */
function cycleThrough(component: readonly string[], next: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const child of next.get(node)!) {
      if (!members.has(child)) continue;
      if (child === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== start && at !== undefined; at = cameFrom.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(child)) {
        cameFrom.set(child, node);
        queue.push(child);
      }
    }
  }
  return [start, start];
}
