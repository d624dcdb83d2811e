/**
 * The one way the command line reads a file a person names: regular files only, never more than the
 * bound for that kind of file, and a one-line error that names the file.
 *
 * The file is opened without blocking (a FIFO would otherwise wait for a writer), checked with fstat
 * on the open descriptor, and read into a buffer one byte larger than the bound, so a file that grows
 * while it is read, or a special file that reports size 0, still cannot make the read exceed it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { errnoCode, errorMessage } from '../error-details.ts';

/** What a file is read as: its name in messages and its size bound. */
export interface InputFileKind {
  /** e.g. "scenario file", used in messages: "is a directory, not a scenario file". */
  label: string;
  maxBytes: number;
}

const MIB = 1024 * 1024;

export const scenarioFileMaxBytes = 16 * MIB;
const policyFileMaxBytes = 64 * MIB;
const accProvisionFileMaxBytes = 1 * MIB;
const planFileMaxBytes = 4 * MIB;
export const endpointFileMaxBytes = 64 * 1024;
const tlsFileMaxBytes = 1 * MIB;
/** A sweep file lists scenarios and variants; its scenarios are files of their own. */
export const sweepFileMaxBytes = 1 * MIB;

export const INPUT_FILES = {
  scenario: { label: 'scenario file', maxBytes: scenarioFileMaxBytes },
  policy: { label: 'policy file', maxBytes: policyFileMaxBytes },
  accProvision: { label: 'acc-provision input file', maxBytes: accProvisionFileMaxBytes },
  plan: { label: 'plan file', maxBytes: planFileMaxBytes },
  endpoint: { label: 'endpoint file', maxBytes: endpointFileMaxBytes },
  tls: { label: 'PEM file', maxBytes: tlsFileMaxBytes },
  sweep: { label: 'sweep file', maxBytes: sweepFileMaxBytes },
} as const satisfies Record<string, InputFileKind>;

/** A file that cannot be used: `path` and `reason` separately, the message as "<path>: <reason>". */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';

  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** The file's bytes; an `InputFileError` when it is missing, not a regular file, unreadable or too large. */
export function readInputBytes(path: string, kind: InputFileKind): Buffer {
  return withRegularFile(path, kind, (fd, size) => {
    let buffer = Buffer.allocUnsafe(Math.min(kind.maxBytes + 1, Math.max(size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        // Larger than fstat said (it grew, or it is a /proc-like file that reports 0): grow up to the bound.
        if (length > kind.maxBytes) throw new InputFileError(path, tooLarge(kind));
        const bigger = Buffer.allocUnsafe(Math.min(kind.maxBytes + 1, length * 2));
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) return buffer.subarray(0, length);
      length += n;
    }
  });
}

/** The file as UTF-8 text (invalid sequences become U+FFFD, as `readFileSync(path, 'utf8')` does). */
export function readInputFile(path: string, kind: InputFileKind): string {
  return readInputBytes(path, kind).toString('utf8');
}

/** Checks that a file could be read as `kind` (exists, regular, within its bound) without reading it. */
export function checkInputFile(path: string, kind: InputFileKind): void {
  withRegularFile(path, kind, () => undefined);
}

function withRegularFile<T>(path: string, kind: InputFileKind, use: (fd: number, size: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new InputFileError(path, openFailure(err, kind));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputFileError(path, `is a directory, not ${withArticle(kind.label)}`);
    if (!stat.isFile()) throw new InputFileError(path, `is a ${specialKind(stat)}, not a regular file: it cannot be read as ${withArticle(kind.label)}`);
    if (stat.size > kind.maxBytes) throw new InputFileError(path, tooLarge(kind, stat.size));
    return use(fd, stat.size);
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw new InputFileError(path, `cannot read the ${kind.label}: ${errnoCode(err) ?? errorMessage(err)}`);
  } finally {
    closeSync(fd);
  }
}

function openFailure(err: unknown, kind: InputFileKind): string {
  const code = errnoCode(err);
  switch (code) {
    case 'ENOENT':
      return `${kind.label} not found`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied reading the ${kind.label}`;
    case 'ENOTDIR':
      return `${kind.label} not found (a part of the path is not a directory)`;
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'the file name is too long';
    case 'ENXIO':
      return `is not a regular file: it cannot be read as ${withArticle(kind.label)}`;
    default:
      return `cannot open the ${kind.label}: ${code ?? errorMessage(err)}`;
  }
}

function withArticle(label: string): string {
  return `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label}`;
}

function specialKind(stat: Stats): string {
  if (stat.isFIFO()) return 'FIFO';
  if (stat.isCharacterDevice()) return 'character device';
  if (stat.isBlockDevice()) return 'block device';
  if (stat.isSocket()) return 'socket';
  return 'special file';
}

function tooLarge(kind: InputFileKind, size?: number): string {
  const limit = formatBytes(kind.maxBytes);
  return size === undefined ? `${kind.label} is too large (over the limit of ${limit})` : `${kind.label} is too large (${formatBytes(size)}; the limit is ${limit})`;
}

function formatBytes(n: number): string {
  if (n >= MIB && n % MIB === 0) return `${n / MIB} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
