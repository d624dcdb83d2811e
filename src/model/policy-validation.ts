/**
 * One validation for managed objects from every source: policy files, POST /policy, and what
 * servers send our agent. A batch is accepted whole or refused with every problem named (index, uri,
 * field); nothing in it can make a later store walk loop, recurse deeply or explode:
 * - bounded counts and lengths (objects, children, properties, references, vectors, strings, URIs);
 * - property data nested at most propertyDataDepthMax levels; integers exact (past 2^53 only as
 *   bigint, from the lossless parser) and within 64 bits; property types per known class;
 * - a tree: every child's uri extends its parent's (as libopflex's URIBuilder makes them), so no
 *   child list can cycle and the tree is at most uriLevelsMax deep; a child and the object listing it
 *   agree on parent_uri / parent_subject / parent_relation; an object has one lister;
 * - against a store: an object keeps its class and parent, a listed child already held belongs to
 *   the lister, a deleted object is named with its class.
 */
import { canonicalObject } from '../opflex/codec.ts';
import type { PolicyUpdateItem } from '../opflex/message.ts';
import type { ManagedObject } from './managed-object.ts';
import { propertyKind } from './policy-classes.ts';

/** Objects (plus delete items) in one file, change or message. */
export const objectsPerBatchMax = 250_000;
export const childrenPerObjectMax = 65_536;
const propertiesPerObjectMax = 256;
/** References in one object's properties, each one policy_resolve at an agent. */
const referencesPerObjectMax = 16;
/** Elements in one property's data array. */
const vectorLengthMax = 4096;
/** Levels of arrays and references inside one property's data (a vector of references is 2). */
export const propertyDataDepthMax = 4;
export const uriLengthMax = 4096;
/** Containment levels in a URI (its `/`-separated segments); bounds the depth of the object tree. */
export const uriLevelsMax = 64;
/** Class names, property names and reference subjects. */
const nameLengthMax = 256;
/** One string in property data. */
const stringLengthMax = 65_536;
/** Problems kept in an error (all are counted). */
const issuesKeptMax = 1000;

export interface PolicyLimits {
  objectsPerBatchMax: number;
  childrenPerObjectMax: number;
  propertiesPerObjectMax: number;
  referencesPerObjectMax: number;
  vectorLengthMax: number;
  propertyDataDepthMax: number;
  uriLengthMax: number;
  uriLevelsMax: number;
  nameLengthMax: number;
  stringLengthMax: number;
}

export const POLICY_LIMITS: Readonly<PolicyLimits> = Object.freeze({
  objectsPerBatchMax, childrenPerObjectMax, propertiesPerObjectMax, referencesPerObjectMax, vectorLengthMax,
  propertyDataDepthMax, uriLengthMax, uriLevelsMax, nameLengthMax, stringLengthMax,
});

export interface PolicyIssue {
  /** The list the object is in, for a change with several (`replace`, `merge_children`, `delete`). */
  list?: string;
  /** Position of the object in its list; absent for problems with the input as a whole. */
  index?: number;
  /** The object's uri, when it has a usable one. */
  uri?: string;
  /** Path of the offending field inside the object, e.g. `properties[2].data`. */
  field?: string;
  message: string;
}

const ISSUES_SHOWN_MAX = 50;
const URI_SHOWN_MAX = 160;

export class PolicyValidationError extends Error {
  readonly source: string;
  /** The first issuesKeptMax problems. */
  readonly issues: PolicyIssue[];
  readonly issueCount: number;

  constructor(source: string, issues: PolicyIssue[], issueCount = issues.length, title = `Invalid policy objects in ${source}`) {
    super(formatError(title, issues, issueCount));
    this.name = 'PolicyValidationError';
    this.source = source;
    this.issues = issues;
    this.issueCount = issueCount;
  }

  /** The first problem on one line (traces, logs). */
  get firstIssue(): string {
    const first = this.issues[0];
    const more = this.issueCount > 1 ? ` (and ${this.issueCount - 1} more)` : '';
    return first === undefined ? this.message : formatIssue(first) + more;
  }
}

function formatError(title: string, issues: readonly PolicyIssue[], count: number): string {
  if (count === 1 && issues.length === 1) return `${title}: ${formatIssue(issues[0]!)}`;
  const shown = issues.slice(0, ISSUES_SHOWN_MAX).map((issue) => '  ' + formatIssue(issue));
  if (count > shown.length) shown.push(`  ... and ${count - shown.length} more`);
  return `${title} (${count} problems):\n${shown.join('\n')}`;
}

export function formatIssue(issue: PolicyIssue): string {
  const parts: string[] = [];
  if (issue.index !== undefined) parts.push(`${issue.list ?? 'object'} #${issue.index}` + (issue.uri === undefined ? '' : ` (uri ${quote(issue.uri)})`));
  else if (issue.list !== undefined) parts.push(`"${issue.list}"`);
  if (issue.field !== undefined) parts.push(`field ${quote(issue.field)}`);
  return parts.length === 0 ? issue.message : `${parts.join(', ')}: ${issue.message}`;
}

/** A string for a message: JSON-quoted (control characters escaped) and cut short. */
function quote(text: string): string {
  return JSON.stringify(text.length > URI_SHOWN_MAX ? text.slice(0, URI_SHOWN_MAX) + '...' : text);
}

/** Objects already held, which a batch must agree with. */
interface StoredObjects {
  get(uri: string): ManagedObject | undefined;
}

interface ValidationOptions {
  store?: StoredObjects;
  limits?: Readonly<PolicyLimits>;
  /**
   * Return the objects given (shared from then on) rather than canonical copies. Objects already
   * found well-formed are not walked again (stored objects are immutable, see ObjectStore).
   */
  keepObjects?: boolean;
}

/** Validates a list of managed objects; returns them in MOSerializer member order (or as given, see keepObjects). */
export function validateManagedObjects(value: unknown, source: string, options: ValidationOptions = {}): ManagedObject[] {
  const v = new Validator(options);
  const objects = v.objectList(value, undefined);
  if (objects) v.structure([{ list: undefined, objects }]);
  v.throwIfFailed(source);
  return v.output(objects!);
}

/** Validates a policy_update item or an operator's change: `{replace?, merge_children?, delete?}`. */
export function validatePolicyUpdate(value: unknown, source: string, options: ValidationOptions = {}): PolicyUpdateItem {
  const v = new Validator(options);
  if (!isPlainObject(value)) {
    v.add({ message: `must be an object {"replace": [...], "merge_children": [...], "delete": [...]}, got ${describe(value)}` });
    throw v.error(source);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'replace' && key !== 'merge_children' && key !== 'delete') v.add({ field: key, message: 'unknown field (expected replace, merge_children, delete)' });
  }
  const total = lengthOf(value.replace) + lengthOf(value.merge_children) + lengthOf(value.delete);
  if (total > v.limits.objectsPerBatchMax) {
    v.add({ message: `holds ${total} objects and deletes, more than the limit of ${v.limits.objectsPerBatchMax}` });
    throw v.error(source);
  }
  const replace = value.replace === undefined ? [] : v.objectList(value.replace, 'replace');
  const merge = value.merge_children === undefined ? [] : v.objectList(value.merge_children, 'merge_children');
  const del = value.delete === undefined ? [] : v.deleteList(value.delete);
  if (replace && merge && del) {
    v.structure([{ list: 'replace', objects: replace }, { list: 'merge_children', objects: merge }]);
    v.deletes(del, [replace, merge]);
  }
  v.throwIfFailed(source);
  return { replace: v.output(replace!), merge_children: v.output(merge!), delete: del!.map((d) => ({ subject: d.subject, uri: d.uri })) };
}

const MO_FIELDS = new Set(['subject', 'uri', 'properties', 'children', 'parent_subject', 'parent_uri', 'parent_relation']);
const PARENT_FIELDS = ['parent_subject', 'parent_uri', 'parent_relation'] as const;
const MIN_S64 = -(2n ** 63n);
const MAX_U64 = 2n ** 64n - 1n;

/** Objects found well-formed on their own (shape, bounds, types), in keepObjects mode. */
const wellFormed = new WeakSet<object>();

type Report = (field: string | undefined, message: string) => void;

interface Located {
  list: string | undefined;
  objects: ManagedObject[];
}

class Validator {
  readonly limits: Readonly<PolicyLimits>;
  private readonly issues: PolicyIssue[] = [];
  private count = 0;
  /** The last list objectList passed, with each URI's index in it: structure's index of a batch of that one list. */
  private checked: { objects: ManagedObject[]; byUri: Map<string, number> } | undefined;

  constructor(private readonly options: ValidationOptions) {
    this.limits = options.limits ?? POLICY_LIMITS;
  }

  add(issue: PolicyIssue): void {
    this.count++;
    if (this.issues.length < issuesKeptMax) this.issues.push(issue);
  }

  get failed(): boolean {
    return this.count > 0;
  }

  error(source: string): PolicyValidationError {
    return new PolicyValidationError(source, this.issues, this.count);
  }

  throwIfFailed(source: string): void {
    if (this.failed) throw this.error(source);
  }

  output(objects: ManagedObject[]): ManagedObject[] {
    if (this.options.keepObjects) {
      for (const mo of objects) wellFormed.add(mo);
      return objects;
    }
    return objects.map(canonicalObject);
  }

  /** Checks each object on its own; the objects when all are well-formed. */
  objectList(value: unknown, list: string | undefined): ManagedObject[] | undefined {
    const at = list === undefined ? {} : { list };
    if (!Array.isArray(value)) {
      this.add({ ...at, message: `must be an array of managed objects, got ${describe(value)}` });
      return undefined;
    }
    if (value.length > this.limits.objectsPerBatchMax) {
      this.add({ ...at, message: `holds ${value.length} objects, more than the limit of ${this.limits.objectsPerBatchMax}` });
      return undefined;
    }
    const before = this.count;
    const firstIndexOfUri = new Map<string, number>();
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      // An object found well-formed before (a cached subtree served again) needs no reporter at all.
      if (!(this.options.keepObjects && typeof item === 'object' && item !== null && wellFormed.has(item))) this.object(item, this.itemReporter(at, index, item));
      if (!isPlainObject(item) || typeof item.uri !== 'string' || item.uri.length === 0) continue;
      const first = firstIndexOfUri.get(item.uri);
      if (first === undefined) firstIndexOfUri.set(item.uri, index);
      else this.itemReporter(at, index, item)('uri', `duplicate of ${where(list, first)}`);
    }
    if (this.count !== before) return undefined;
    this.checked = { objects: value as ManagedObject[], byUri: firstIndexOfUri };
    return value as ManagedObject[];
  }

  /** Reports a problem of the item at `index` of a list (`at` names the list), with the item's uri when it has one. */
  private itemReporter(at: { list?: string }, index: number, item: unknown): Report {
    return (field, message) => {
      const issue: PolicyIssue = { ...at, index, message };
      if (isPlainObject(item) && typeof item.uri === 'string' && item.uri.length > 0) issue.uri = item.uri;
      if (field !== undefined) issue.field = field;
      this.add(issue);
    };
  }

  private object(item: unknown, report: Report): void {
    const l = this.limits;
    if (!isPlainObject(item)) {
      report(undefined, `must be a managed object, got ${describe(item)}`);
      return;
    }
    for (const key of Object.keys(item)) if (!MO_FIELDS.has(key)) report(key, 'unknown field');
    this.name(item.subject, 'subject', report);
    const uri = this.uri(item.uri, 'uri', report);

    if (!Array.isArray(item.properties)) report('properties', `must be an array of {name, data}, got ${describe(item.properties)}`);
    else if (item.properties.length > l.propertiesPerObjectMax) report('properties', `has ${item.properties.length} properties, more than the limit of ${l.propertiesPerObjectMax}`);
    else {
      const names = new Set<string>();
      const references = { count: 0 };
      const subject = typeof item.subject === 'string' ? item.subject : undefined;
      item.properties.forEach((prop: unknown, i: number) => this.property(prop, `properties[${i}]`, subject, names, references, report));
      if (references.count > l.referencesPerObjectMax) report('properties', `holds ${references.count} references, more than the limit of ${l.referencesPerObjectMax}`);
    }

    if (!Array.isArray(item.children)) report('children', `must be an array of URI strings, got ${describe(item.children)}`);
    else if (item.children.length > l.childrenPerObjectMax) report('children', `has ${item.children.length} children, more than the limit of ${l.childrenPerObjectMax}`);
    else {
      const seen = new Set<string>();
      item.children.forEach((child: unknown, i: number) => {
        const field = `children[${i}]`;
        const c = this.uri(child, field, report);
        if (c === undefined || uri === undefined) return;
        if (c === uri) report(field, 'lists the object itself as a child (a cycle)');
        else if (uri.startsWith(c)) report(field, `lists its own ancestor ${quote(c)} as a child (a cycle)`);
        else if (!c.startsWith(uri)) report(field, `child ${quote(c)} is not below this object (a child's uri extends its parent's)`);
        else if (seen.has(c)) report(field, `lists ${quote(c)} twice`);
        seen.add(c);
      });
    }

    const present = PARENT_FIELDS.filter((f) => item[f] !== undefined);
    if (present.length > 0 && present.length < PARENT_FIELDS.length) {
      const missing = PARENT_FIELDS.filter((f) => item[f] === undefined);
      report(missing[0], `parent_subject, parent_uri and parent_relation go together; missing ${missing.join(', ')}`);
      return;
    }
    if (present.length === 0) return;
    this.name(item.parent_subject, 'parent_subject', report);
    const parent = this.uri(item.parent_uri, 'parent_uri', report);
    if (this.name(item.parent_relation, 'parent_relation', report) && typeof item.subject === 'string' && item.parent_relation !== item.subject) {
      report('parent_relation', `must name the object's class ${quote(item.subject)} (the parent's property holding it)`);
    }
    if (parent !== undefined && uri !== undefined && (parent === uri || !uri.startsWith(parent))) {
      report('parent_uri', parent === uri ? 'names the object itself (a cycle)' : `${quote(parent)} is not above this object (a child's uri extends its parent's)`);
    }
  }

  private property(prop: unknown, path: string, subject: string | undefined, names: Set<string>, references: { count: number }, report: Report): void {
    if (!isPlainObject(prop)) {
      report(path, `must be a {name, data} object, got ${describe(prop)}`);
      return;
    }
    for (const key of Object.keys(prop)) if (key !== 'name' && key !== 'data') report(`${path}.${key}`, 'unknown field');
    const name = prop.name;
    const named = this.name(name, `${path}.name`, report);
    if (named) {
      if (names.has(name)) report(`${path}.name`, `duplicate property ${quote(name)}`);
      names.add(name);
    }
    if (prop.data === undefined) {
      report(`${path}.data`, 'is missing');
      return;
    }
    const before = this.count;
    this.data(prop.data, `${path}.data`, 0, references, report);
    if (this.count !== before || !named || subject === undefined) return;
    const kind = propertyKind(subject, name);
    const data = prop.data;
    if (kind === 'string' && typeof data !== 'string') report(`${path}.data`, `${quote(subject + '.' + name)} is a string, got ${describe(data)}`);
    else if (kind === 'unsigned' && !isUnsigned(data)) report(`${path}.data`, `${quote(subject + '.' + name)} is an unsigned 64-bit integer, got ${describe(data)}`);
    else if (kind === 'reference' && !(isPlainObject(data) && 'reference_uri' in data)) report(`${path}.data`, `${quote(subject + '.' + name)} is a reference {subject, reference_uri}, got ${describe(data)}`);
  }

  /** Property data as libopflex types it: string, 64-bit integer, reference, or a vector of those. */
  private data(data: unknown, path: string, depth: number, references: { count: number }, report: Report): void {
    const l = this.limits;
    switch (typeof data) {
      case 'string':
        if (data.length > l.stringLengthMax) report(path, `is a string of ${data.length} characters, more than the limit of ${l.stringLengthMax}`);
        return;
      case 'boolean':
        return;
      case 'number':
        if (!Number.isInteger(data)) report(path, `must be an integer (libopflex has no fractional type), got ${data}`);
        else if (!Number.isSafeInteger(data)) report(path, `${data} is past 2^53 and was not read exactly (integers that large need the lossless JSON parser)`);
        return;
      case 'bigint':
        if (data < MIN_S64 || data > MAX_U64) report(path, `does not fit a 64-bit integer: ${clip(data.toString())}`);
        return;
      case 'object':
        if (data === null) break;
        if (depth >= l.propertyDataDepthMax) {
          report(path, `is nested deeper than ${l.propertyDataDepthMax} levels`);
          return;
        }
        if (Array.isArray(data)) {
          if (data.length > l.vectorLengthMax) {
            report(path, `has ${data.length} elements, more than the limit of ${l.vectorLengthMax}`);
            return;
          }
          for (let i = 0; i < data.length; i++) this.data(data[i], `${path}[${i}]`, depth + 1, references, report);
          return;
        }
        if (isPlainObject(data)) {
          references.count++;
          for (const key of Object.keys(data)) if (key !== 'subject' && key !== 'reference_uri') report(`${path}.${key}`, 'unknown field in a reference');
          this.name(data.subject, `${path}.subject`, report);
          this.uri(data.reference_uri, `${path}.reference_uri`, report);
          return;
        }
        break;
    }
    report(path, `must be a string, integer, reference or array, got ${describe(data)}`);
  }

  private name(value: unknown, field: string, report: Report): value is string {
    if (!isNonEmptyString(value)) report(field, `must be a non-empty string, got ${describe(value)}`);
    else if (value.length > this.limits.nameLengthMax) report(field, `is ${value.length} characters long, more than the limit of ${this.limits.nameLengthMax}`);
    else return true;
    return false;
  }

  /** A libopflex URI: `/`, then segments each ending in `/`; printable, bounded. Returns it when valid. */
  private uri(value: unknown, field: string, report: Report): string | undefined {
    const l = this.limits;
    if (!isNonEmptyString(value)) report(field, `must be a non-empty string, got ${describe(value)}`);
    else if (value.length > l.uriLengthMax) report(field, `is ${value.length} characters long, more than the limit of ${l.uriLengthMax}`);
    else if (value.charCodeAt(0) !== 47 || value.charCodeAt(value.length - 1) !== 47) report(field, `must start and end with "/" (a libopflex URI), got ${quote(value)}`);
    else if (CONTROL_CHARACTER.test(value)) report(field, `holds a control character: ${quote(value)}`);
    else if (levelsOf(value) > l.uriLevelsMax) report(field, `has more than ${l.uriLevelsMax} levels`);
    else return value;
    return undefined;
  }

  deleteList(value: unknown): { subject: string; uri: string }[] | undefined {
    if (!Array.isArray(value)) {
      this.add({ list: 'delete', message: `must be an array of {"subject", "uri"}, got ${describe(value)}` });
      return undefined;
    }
    const before = this.count;
    value.forEach((item: unknown, index: number) => {
      const report: Report = (field, message) => {
        const issue: PolicyIssue = { list: 'delete', index, message };
        if (isPlainObject(item) && typeof item.uri === 'string' && item.uri.length > 0) issue.uri = item.uri;
        if (field !== undefined) issue.field = field;
        this.add(issue);
      };
      if (!isPlainObject(item)) {
        report(undefined, `must be {"subject", "uri"}, got ${describe(item)}`);
        return;
      }
      for (const key of Object.keys(item)) if (key !== 'subject' && key !== 'uri') report(key, 'unknown field');
      this.name(item.subject, 'subject', report);
      this.uri(item.uri, 'uri', report);
    });
    return this.count === before ? (value as { subject: string; uri: string }[]) : undefined;
  }

  /**
   * Checks the objects of a batch against each other and the store: one lister per object, a
   * child and its lister agree, the parent named is the one held, classes and parents unchanged.
   */
  structure(lists: Located[]): void {
    // Loops rather than forEach with a reporter made per object, and objects known by their position
    // in the batch rather than by a record each: every policy_resolve reply an agent gets comes
    // through here. A reporter is made only for a problem found.
    const store = this.options.store;
    const batch = new BatchPositions(lists);
    const all = batch.objects;
    // One list that objectList passed has no duplicate URI, and its index is made already.
    const checked = this.checked;
    const single = lists.length === 1 && checked?.objects === all;
    const byUri = single ? checked.byUri : new Map<string, number>();
    for (let at = single ? all.length : 0; at < all.length; at++) {
      const mo = all[at]!;
      const first = byUri.get(mo.uri);
      if (first !== undefined) {
        const list = batch.listAt(at);
        this.add({ ...(list === undefined ? {} : { list }), index: batch.indexAt(at), uri: mo.uri, field: 'uri', message: `duplicate of ${batch.where(first)}` });
      } else byUri.set(mo.uri, at);
    }
    const listedBy = new Map<string, number>();
    for (let at = 0; at < all.length; at++) {
      const mo = all[at]!;
      const children = mo.children;
      for (let i = 0; i < children.length; i++) {
        // As forEach did: a hole in the list is no child.
        if (!(i in children)) continue;
        const child = children[i]!;
        const other = listedBy.get(child);
        if (other !== undefined) batch.reporter(this, at)(`children[${i}]`, `${quote(child)} is also listed by ${batch.where(other)}`);
        else listedBy.set(child, at);
        if (byUri.has(child)) continue;
        const held = store?.get(child);
        if (held?.parent_uri !== undefined && held.parent_uri !== mo.uri) batch.reporter(this, at)(`children[${i}]`, `the held ${quote(child)} belongs to ${quote(held.parent_uri)}`);
      }
    }
    for (let at = 0; at < all.length; at++) {
      const mo = all[at]!;
      const listerAt = listedBy.get(mo.uri);
      const lister = listerAt === undefined ? undefined : all[listerAt]!;
      if (mo.parent_uri === undefined) {
        if (lister) batch.reporter(this, at)('parent_uri', `is missing, but ${batch.where(listerAt!)} lists the object as its child`);
      } else {
        const parentAt = byUri.get(mo.parent_uri);
        if (parentAt !== undefined) {
          const parent = all[parentAt]!;
          if (parent.subject !== mo.parent_subject) batch.reporter(this, at)('parent_subject', `is ${quote(mo.parent_subject!)} but the parent ${batch.where(parentAt)} is a ${quote(parent.subject)}`);
          if (lister !== parent) batch.reporter(this, at)('parent_uri', `names ${batch.where(parentAt)}, which does not list the object as a child`);
        } else {
          const held = store?.get(mo.parent_uri);
          if (held && held.subject !== mo.parent_subject) batch.reporter(this, at)('parent_subject', `is ${quote(mo.parent_subject!)} but the held parent is a ${quote(held.subject)}`);
        }
        if (lister && lister.uri !== mo.parent_uri) batch.reporter(this, at)('parent_uri', `names ${quote(mo.parent_uri)} but ${batch.where(listerAt!)} lists the object as its child`);
      }
      const held = store?.get(mo.uri);
      if (held) {
        if (held.subject !== mo.subject) batch.reporter(this, at)('subject', `the object is held as a ${quote(held.subject)}; a uri keeps its class`);
        if (held.parent_uri !== undefined && mo.parent_uri !== undefined && held.parent_uri !== mo.parent_uri) {
          batch.reporter(this, at)('parent_uri', `the object is held under ${quote(held.parent_uri)}; a uri keeps its parent`);
        }
      }
    }
  }

  /** A deleted object is not also written by the same change, and is named with its class. */
  deletes(items: { subject: string; uri: string }[], written: ManagedObject[][]): void {
    const writtenUris = new Set<string>();
    for (const objects of written) for (const mo of objects) writtenUris.add(mo.uri);
    items.forEach((d, index) => {
      const report = reporter(this, 'delete', index, d.uri);
      if (writtenUris.has(d.uri)) report('uri', 'is also replaced or merged by the same change');
      const held = this.options.store?.get(d.uri);
      if (held && held.subject !== d.subject) report('subject', `the object is held as a ${quote(held.subject)}`);
    });
  }
}

function reporter(v: Validator, list: string | undefined, index: number, uri: string): Report {
  return (field, message) => {
    const issue: PolicyIssue = { index, uri, message };
    if (list !== undefined) issue.list = list;
    if (field !== undefined) issue.field = field;
    v.add(issue);
  };
}

function where(list: string | undefined, index: number): string {
  return `${list ?? 'object'} #${index}`;
}

/** The objects of a batch's lists as one run of positions, each naming its list and index when a problem is reported. */
class BatchPositions {
  /** Every object, list after list (the list itself when there is one). */
  readonly objects: ManagedObject[];
  /** Where each list after the first starts. */
  private readonly starts: number[] = [];

  constructor(private readonly lists: Located[]) {
    if (lists.length === 1) {
      this.objects = lists[0]!.objects;
      return;
    }
    this.objects = [];
    for (const { objects } of lists) {
      this.starts.push(this.objects.length);
      for (let i = 0; i < objects.length; i++) this.objects.push(objects[i]!);
    }
  }

  private listNumberAt(at: number): number {
    let n = this.starts.length - 1;
    while (n > 0 && this.starts[n]! > at) n--;
    return Math.max(n, 0);
  }

  listAt(at: number): string | undefined {
    return this.lists[this.listNumberAt(at)]!.list;
  }

  indexAt(at: number): number {
    return at - (this.starts[this.listNumberAt(at)] ?? 0);
  }

  where(at: number): string {
    return where(this.listAt(at), this.indexAt(at));
  }

  reporter(v: Validator, at: number): Report {
    return reporter(v, this.listAt(at), this.indexAt(at), this.objects[at]!.uri);
  }
}

// C0 controls and DEL: URIBuilder escapes them, so they only arrive from a forged URI.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

function levelsOf(uri: string): number {
  let slashes = 0;
  for (let i = 0; i < uri.length; i++) if (uri.charCodeAt(i) === 47) slashes++;
  return slashes - 1;
}

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

function isUnsigned(data: unknown): boolean {
  return (typeof data === 'number' && Number.isSafeInteger(data) && data >= 0) || (typeof data === 'bigint' && data >= 0n && data <= MAX_U64);
}

function clip(text: string): string {
  return text.length > URI_SHOWN_MAX ? text.slice(0, URI_SHOWN_MAX) + '...' : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  if (typeof value === 'bigint') return 'an integer';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
