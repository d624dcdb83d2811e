/** A mistake in how the command was called: exit code 2, with a hint to run --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}
