/**
 * The frames one connection sends in one turn of the event loop, leaving in one socket write: a
 * busy session's replies (a head, the cached policy bytes and a tail each) are copied into one
 * buffer instead of becoming three stream writes apiece. A chunk of `ownWriteBytesMin` or more is
 * not copied but written by itself, in order (a large policy is cheaper to hand over than to copy).
 *
 * The joined bytes go into one scratch buffer shared by every connection of the process, reused as
 * long as each write using it was taken by the kernel at once (the socket then holds nothing); when a
 * write has to wait, the socket keeps that buffer and the next join takes a new one. A flood of
 * replies then allocates almost nothing per turn.
 */
import type { Writable } from 'node:stream';
import type { FrameChunk } from '../opflex/codec.ts';

/** Chunks at least this large are written as they are rather than copied into the batch. */
export const ownWriteBytesMin = 64 * 1024;
/** Size of the shared scratch buffer; a larger join gets a buffer of its own. */
export const sharedJoinBufferBytes = 256 * 1024;

let scratch: Buffer | undefined;
let scratchLent = false;

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

  /**
   * Writes everything added so far to `out`, in order (one writev when there are several writes),
   * and empties the batch. With `mayReuseScratch`, `out` copies or sends what it was given before its
   * writableLength drops to 0 (a plain TCP socket does), so the scratch buffer is free again then.
   */
  flushTo(out: Writable, mayReuseScratch: boolean): void {
    const chunks = this.chunks;
    const sizes = this.sizes;
    if (chunks.length === 0) return;
    this.chunks = [];
    this.sizes = [];
    this.total = 0;
    let usedScratch = false;
    const writeRun = (from: number, to: number, bytes: number): void => {
      const only = chunks[from]!;
      if (to - from === 1 && typeof only !== 'string') {
        out.write(only);
        return;
      }
      let target: Buffer;
      if (bytes <= sharedJoinBufferBytes && !scratchLent) {
        scratch ??= Buffer.allocUnsafeSlow(sharedJoinBufferBytes);
        scratchLent = true;
        usedScratch = true;
        target = scratch.subarray(0, bytes);
      } else {
        target = Buffer.allocUnsafe(bytes);
      }
      join(chunks, sizes, from, to, target);
      out.write(target);
    };
    out.cork();
    let runStart = 0;
    let runBytes = 0;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i]!;
      if (typeof chunk !== 'string' && chunk.length >= ownWriteBytesMin) {
        if (runBytes > 0) writeRun(runStart, i, runBytes);
        out.write(chunk);
        runStart = i + 1;
        runBytes = 0;
      } else {
        runBytes += sizes[i]!;
      }
    }
    if (runBytes > 0) writeRun(runStart, chunks.length, runBytes);
    out.uncork();
    if (usedScratch) {
      // Still queued: the socket keeps this buffer; the next join takes a new one.
      if (!mayReuseScratch || out.writableLength > 0) scratch = undefined;
      scratchLent = false;
    }
  }
}

function join(chunks: readonly FrameChunk[], sizes: readonly number[], from: number, to: number, out: Buffer): void {
  let at = 0;
  for (let i = from; i < to; i++) {
    const chunk = chunks[i]!;
    if (typeof chunk === 'string') at += out.write(chunk, at, sizes[i]!, 'utf8');
    else {
      out.set(chunk, at);
      at += chunk.length;
    }
  }
}
