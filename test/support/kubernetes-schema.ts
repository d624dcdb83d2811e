/**
 * Kubernetes manifests checked offline against the API schema of their kinds, as kubernetes-models
 * has it (generated from the Kubernetes OpenAPI definitions): its validators check types, required
 * fields and enums; its TypeScript interfaces, through the compiler's excess-property check, catch a
 * field the kind does not have (a misspelt one), which the OpenAPI schemas alone let through.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';

interface KindModel {
  /** apiVersion the kind is checked at. */
  apiVersion: string;
  /** Module and interface the TypeScript check reads. */
  module: string;
  type: string;
  validate(doc: object): void;
}

/** The kinds the examples use; another kind is reported as unknown rather than passed unchecked. */
const KINDS: Record<string, KindModel> = {
  Deployment: { apiVersion: 'apps/v1', module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment', validate: (d) => new Deployment(d as never).validate() },
  Service: { apiVersion: 'v1', module: 'kubernetes-models/v1/Service', type: 'IService', validate: (d) => new Service(d as never).validate() },
  Job: { apiVersion: 'batch/v1', module: 'kubernetes-models/batch/v1/Job', type: 'IJob', validate: (d) => new Job(d as never).validate() },
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The problems of the manifests in a YAML text (any number of documents), one line each: `FILE: document N (KIND NAME): PATH: WHAT`. */
export function manifestProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  const docs: { where: string; kind: KindModel; value: object }[] = [];
  parseAllDocuments(text).forEach((parsed, i) => {
    const value: unknown = parsed.toJS();
    const kindName = (value as { kind?: unknown } | null)?.kind;
    const name = (value as { metadata?: { name?: unknown } } | null)?.metadata?.name;
    const where = `${file}: document ${i + 1} (${String(kindName)} ${String(name)})`;
    if (parsed.errors.length) return problems.push(`${where}: ${parsed.errors[0]!.message.split('\n')[0]}`);
    const kind = typeof kindName === 'string' ? KINDS[kindName] : undefined;
    if (!kind || typeof value !== 'object' || value === null) return problems.push(`${where}: not a kind these examples are checked for (${Object.keys(KINDS).join(', ')})`);
    if ((value as { apiVersion?: unknown }).apiVersion !== kind.apiVersion) problems.push(`${where}: apiVersion must be ${kind.apiVersion}`);
    try {
      kind.validate(value);
    } catch (err) {
      problems.push(`${where}: ${String((err as Error).message).split('\n')[0]}`);
    }
    docs.push({ where, kind, value });
  });
  problems.push(...unknownFields(docs));
  return problems;
}

/** Type-checks each document as an object literal of its kind's interface: a field the kind lacks is an error. */
function unknownFields(docs: { where: string; kind: KindModel; value: object }[]): string[] {
  if (docs.length === 0) return [];
  // A file of the checkout's own, so `kubernetes-models` resolves from its node_modules; never written to disk.
  const virtualFile = join(ROOT, 'test', 'support', '__kubernetes-manifest-check__.ts');
  const source = docs.map((d, i) => `import type { ${d.kind.type} as T${i} } from '${d.kind.module}';\nexport const doc${i}: T${i} = ${JSON.stringify(d.value, null, 2)};\n`).join('');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === virtualFile ? source : readFile(f));
  host.fileExists = (f) => f === virtualFile || ts.sys.fileExists(f);
  host.getSourceFile = (f, language, onError) => (f === virtualFile ? ts.createSourceFile(f, source, language, true) : getSourceFile(f, language, onError));
  const program = ts.createProgram([virtualFile], options, host);
  const checked = program.getSourceFile(virtualFile)!;
  return ts.getPreEmitDiagnostics(program, checked).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\s+/g, ' ');
    const node = d.start === undefined ? undefined : nodeAt(checked, d.start);
    const docIndex = node ? documentIndex(node) : undefined;
    const where = docIndex === undefined ? `${dirname(virtualFile)}: the check itself` : docs[docIndex]!.where;
    return `${where}: ${node ? jsonPath(node) : ''}: ${message}`;
  });
}

function nodeAt(file: ts.SourceFile, position: number): ts.Node | undefined {
  const find = (node: ts.Node): ts.Node | undefined => (position >= node.getStart(file) && position < node.getEnd() ? (ts.forEachChild(node, find) ?? node) : undefined);
  return find(file);
}

function documentIndex(node: ts.Node): number | undefined {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) return Number(n.name.text.slice('doc'.length));
  }
  return undefined;
}

/** `spec.template.spec.containers.0.livenesProbe` for a node in a document's literal. */
function jsonPath(node: ts.Node): string {
  const keys: string[] = [];
  for (let n: ts.Node = node; n.parent && !ts.isVariableDeclaration(n); n = n.parent) {
    if (ts.isPropertyAssignment(n) && (ts.isStringLiteral(n.name) || ts.isIdentifier(n.name))) keys.unshift(n.name.text);
    else if (ts.isArrayLiteralExpression(n.parent)) keys.unshift(String(n.parent.elements.indexOf(n as ts.Expression)));
  }
  return keys.join('.');
}
