import { describeImport, loadAccProvision, type AccProvisionImport, type AccProvisionKey } from '../scenario/acc-provision.ts';
import type { Override } from '../scenario/variants.ts';
import type { CommandIO } from './command.ts';
import { printable } from '../printable.ts';

/** `--acc-provision FILE`: its modelled settings as overrides; the import report goes to stderr. */
export function accProvisionOverrides(path: string | undefined, io: CommandIO): Override[] {
  if (path === undefined) return [];
  const imp = loadAccProvision(path);
  io.stderr.write(describeImport(escaped(imp)));
  return Object.entries(imp.settings).map(([key, value]) => ({ path: ['settings', key], value }));
}

/** The import with the file's own text (its name, the keys it lists) safe to print. */
function escaped(imp: AccProvisionImport): AccProvisionImport {
  const keys = <T extends AccProvisionKey>(list: T[]): T[] => list.map((k) => ({ ...k, key: printable(k.key) }));
  return { ...imp, source: printable(imp.source), applied: keys(imp.applied), notModelled: keys(imp.notModelled), unknown: keys(imp.unknown) };
}
