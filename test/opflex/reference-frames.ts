/**
 * The frames captured between the reference opflex_agent and opflex_server
 * (copied into test/fixtures/opflex-frames from shared/reference, see its INDEX.md). OPFLEX_FRAMES_DIR overrides the location.
 */
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REFERENCE_FRAMES_DIR = process.env.OPFLEX_FRAMES_DIR ?? fileURLToPath(new URL('../fixtures/opflex-frames/', import.meta.url));

export interface ReferenceFrame {
  file: string;
  /** The exact captured bytes, trailing NUL included. */
  bytes: Buffer;
  /** The JSON text bytes, without the NUL. */
  frame: Buffer;
}

export function loadReferenceFrames(): ReferenceFrame[] {
  const files = readdirSync(REFERENCE_FRAMES_DIR).filter((f) => f.endsWith('.bin')).sort();
  if (files.length === 0) throw new Error(`No reference frames in ${REFERENCE_FRAMES_DIR}`);
  return files.map((file) => {
    const bytes = readFileSync(join(REFERENCE_FRAMES_DIR, file));
    return { file, bytes, frame: bytes.subarray(0, bytes.length - 1) };
  });
}

export function referenceFrame(prefix: string): ReferenceFrame {
  const found = loadReferenceFrames().find((f) => f.file.startsWith(prefix));
  if (!found) throw new Error(`No reference frame starting with ${prefix}`);
  return found;
}
