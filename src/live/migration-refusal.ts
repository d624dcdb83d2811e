/**
 * Why the emulator will not start a migration a person asked for. The control API turns the reason
 * into a status: a name it does not know is a bad request, a node busy or already there a conflict.
 */
type MigrationRefusalReason = 'unknown-node' | 'unknown-hypervisor' | 'already-migrating' | 'already-there';

export class MigrationRefused extends Error {
  constructor(
    readonly reason: MigrationRefusalReason,
    message: string,
    /** For `already-migrating`: the index of the migration under way (as in GET /migrations). */
    readonly runningMigration?: number,
  ) {
    super(message);
    this.name = 'MigrationRefused';
  }
}

const nameCharsShown = 64;

/** A name from a request, quoted and cut short so an error message stays one readable line. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > nameCharsShown ? `${name.slice(0, nameCharsShown)}...` : name);
}
