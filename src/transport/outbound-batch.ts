/**
 * The frames one connection sends in one turn of the event loop, leaving in one socket write: a
 * busy session's replies (a head, the cached policy bytes and a tail each) are copied into one
 * buffer instead of becoming three stream writes apiece. A chunk of `ownWriteBytesMin` or more is
 * not copied but written by itself, in order (a large policy is cheaper to hand over than to copy).
 */
import type { Writable } from 'node:stream';
import type { FrameChunk } from '../opflex/codec.ts';

/** Chunks at least this large are written as they are rather than copied into the batch. */
export const ownWriteBytesMin = 64 * 1024;

export class OutboundBatch {
  private chunks: FrameChunk[] = [];
  private sizes: number[] = [];
  private total = 0;

  /** Bytes waiting for the next flush. */
  get bytes(): number {
    return this.total;
  }

  get isEmpty(): boolean {
    return this.chunks.length === 0;
  }

  /** Adds a chunk of `size` bytes (its UTF-8 length for text). */
  add(chunk: FrameChunk, size: number): void {
    this.chunks.push(chunk);
    this.sizes.push(size);
    this.total += size;
  }

  /** Forgets everything added (the socket is gone). */
  clear(): void {
    this.chunks = [];
    this.sizes = [];
    this.total = 0;
  }

  /** Writes everything added so far to `out`, in order, and empties the batch. */
  flushTo(out: Writable): void {
    const chunks = this.chunks;
    const sizes = this.sizes;
    if (chunks.length === 0) return;
    this.chunks = [];
    this.sizes = [];
    this.total = 0;
    let runStart = 0;
    let runBytes = 0;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      if (typeof chunk !== 'string' && chunk.length >= ownWriteBytesMin) {
        if (runBytes > 0) out.write(joined(chunks, sizes, runStart, i, runBytes));
        out.write(chunk);
        runStart = i + 1;
        runBytes = 0;
      } else {
        runBytes += sizes[i]!;
      }
    }
    if (runBytes > 0) out.write(joined(chunks, sizes, runStart, chunks.length, runBytes));
  }
}

function joined(chunks: readonly FrameChunk[], sizes: readonly number[], from: number, to: number, bytes: number): Buffer {
  const only = chunks[from]!;
  if (to - from === 1 && typeof only !== 'string') return only;
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = from; i < to; i++) {
    const chunk = chunks[i]!;
    if (typeof chunk === 'string') at += out.write(chunk, at, sizes[i]!, 'utf8');
    else at += chunk.copy(out, at);
  }
  return out;
}
