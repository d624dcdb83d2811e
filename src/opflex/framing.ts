/**
 * OpFlex stream framing (libopflex comms/CommunicationPeer.cpp): every message is one JSON text
 * followed by a NUL byte. Consecutive NULs are empty frames and are skipped.
 */

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

const NUL = 0;

export class FrameTooLargeError extends RangeError {
  /** Bytes of the offending frame seen when it was refused (its whole size if it was complete). */
  readonly size: number;
  readonly limit: number;
  /** Frames that completed earlier in the same push, before the oversized one. */
  readonly precedingFrames: Buffer[];

  constructor(size: number, limit: number, precedingFrames: Buffer[] = []) {
    super(`Frame exceeds the limit of ${limit} bytes (reached ${size} bytes)`);
    this.name = 'FrameTooLargeError';
    this.size = size;
    this.limit = limit;
    this.precedingFrames = precedingFrames;
  }
}

export interface FrameDecoderOptions {
  maxFrameBytes?: number;
}

/**
 * Splits a byte stream into NUL-terminated frames. Returned frames may share memory with the pushed
 * chunks, so chunks must not be modified after being pushed. After a FrameTooLargeError the stream
 * is out of step and every later push throws a FrameTooLargeError again.
 */
export class FrameDecoder {
  private maxBytes: number;
  // The unterminated frame so far, kept as pieces and joined once its NUL arrives, so a big frame
  // arriving in many small chunks is copied once rather than on every chunk.
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private failedAtSize: number | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxBytes = checkedLimit(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  }

  get maxFrameBytes(): number {
    return this.maxBytes;
  }

  /** Changes the bound for the frame in progress and later ones (a peer that identified itself may send more). */
  set maxFrameBytes(max: number) {
    this.maxBytes = checkedLimit(max);
  }

  /** Bytes held for a frame whose NUL has not arrived yet. */
  get bufferedBytes(): number {
    return this.pendingLength;
  }

  push(chunk: Buffer): Buffer[] {
    if (this.failedAtSize !== undefined) throw new FrameTooLargeError(this.failedAtSize, this.maxFrameBytes);
    const frames: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nul = chunk.indexOf(NUL, start);
      if (nul === -1) break;
      const size = this.pendingLength + (nul - start);
      if (size > this.maxFrameBytes) this.fail(size, frames);
      if (size > 0) frames.push(this.takeFrame(chunk.subarray(start, nul)));
      start = nul + 1;
    }
    if (start < chunk.length) {
      const size = this.pendingLength + (chunk.length - start);
      if (size > this.maxFrameBytes) this.fail(size, frames);
      this.pending.push(chunk.subarray(start));
      this.pendingLength = size;
    }
    return frames;
  }

  /** Forgets the unterminated frame (the connection is gone: its bytes are garbage now). */
  discard(): void {
    this.pending = [];
    this.pendingLength = 0;
  }

  private takeFrame(tail: Buffer): Buffer {
    if (this.pendingLength === 0) return tail;
    this.pending.push(tail);
    const frame = Buffer.concat(this.pending, this.pendingLength + tail.length);
    this.pending = [];
    this.pendingLength = 0;
    return frame;
  }

  private fail(size: number, frames: Buffer[]): never {
    this.pending = [];
    this.pendingLength = 0;
    this.failedAtSize = size;
    throw new FrameTooLargeError(size, this.maxFrameBytes, frames);
  }
}

function checkedLimit(max: number): number {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxFrameBytes must be a positive integer, got ${max}`);
  return max;
}

/** The bytes of one frame: the JSON text in UTF-8 and its terminating NUL. */
export function encodeFrame(json: string): Buffer {
  if (json.includes('\0')) throw new TypeError('A frame cannot contain a NUL character (JSON text escapes it as \\u0000)');
  const length = Buffer.byteLength(json, 'utf8');
  const frame = Buffer.allocUnsafe(length + 1);
  frame.write(json, 0, length, 'utf8');
  frame[length] = NUL;
  return frame;
}
