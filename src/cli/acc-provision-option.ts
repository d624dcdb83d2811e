import { describeImport, loadAccProvision } from '../scenario/acc-provision.ts';
import type { Override } from '../scenario/variants.ts';
import type { CommandIO } from './command.ts';

/** `--acc-provision FILE`: its modelled settings as overrides; the import report goes to stderr. */
export function accProvisionOverrides(path: string | undefined, io: CommandIO): Override[] {
  if (path === undefined) return [];
  const imp = loadAccProvision(path);
  io.stderr.write(describeImport(imp));
  return Object.entries(imp.settings).map(([key, value]) => ({ path: ['settings', key], value }));
}
