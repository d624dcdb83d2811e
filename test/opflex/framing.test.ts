import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage } from '../../src/opflex/codec.ts';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameDecoder, FrameTooLargeError } from '../../src/opflex/framing.ts';
import type { RpcMessage } from '../../src/opflex/message.ts';
import { loadReferenceFrames } from './reference-frames.ts';

const reference = loadReferenceFrames();
const stream = Buffer.concat(reference.map((f) => f.bytes));
const expectedFrames = reference.map((f) => f.frame);
const expectedMessages = expectedFrames.map((f) => decodeMessage(f));

function feed(decoder: FrameDecoder, chunks: Buffer[]): Buffer[] {
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

function messagesOf(frames: Buffer[]): RpcMessage[] {
  return frames.map((f) => decodeMessage(f));
}

function catchTooLarge(fn: () => unknown): FrameTooLargeError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FrameTooLargeError, `expected FrameTooLargeError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected FrameTooLargeError');
}

describe('FrameDecoder on the reference stream', { timeout: 120_000 }, () => {
  it('yields every message in order from one chunk', () => {
    assert.deepEqual(messagesOf(new FrameDecoder().push(stream)), expectedMessages);
  });

  it('yields byte-identical frames (hence the same messages) when split in two at every byte boundary', () => {
    for (let split = 0; split <= stream.length; split++) {
      const frames = feed(new FrameDecoder(), [stream.subarray(0, split), stream.subarray(split)]);
      assert.equal(frames.length, expectedFrames.length, `split at ${split}`);
      frames.forEach((frame, i) => assert.ok(frame.equals(expectedFrames[i]!), `split at ${split}, frame ${i}`));
    }
  });

  it('yields the same messages when fed one byte at a time', () => {
    const decoder = new FrameDecoder();
    const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    assert.deepEqual(messagesOf(feed(decoder, chunks)), expectedMessages);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('returns frames that stay intact after later pushes', () => {
    const decoder = new FrameDecoder();
    const first = decoder.push(Buffer.from(stream.subarray(0, 100)));
    const rest = decoder.push(Buffer.from(stream.subarray(100)));
    const all = [...first, ...rest];
    all.forEach((frame, i) => assert.ok(frame.equals(expectedFrames[i]!)));
  });
});

describe('FrameDecoder framing rules', { timeout: 120_000 }, () => {
  it('ignores empty frames from consecutive NULs, leading NULs and NUL-only chunks', () => {
    const decoder = new FrameDecoder();
    const frames = feed(decoder, [Buffer.from('\0\0{"a":1}\0\0'), Buffer.from('\0'), Buffer.from('\0{"b":'), Buffer.from('2}\0\0')]);
    assert.deepEqual(frames.map(String), ['{"a":1}', '{"b":2}']);
  });

  it('holds an unterminated frame until its NUL arrives', () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(Buffer.from('{"id":')), []);
    assert.equal(decoder.bufferedBytes, 6);
    assert.deepEqual(decoder.push(Buffer.from('1')), []);
    assert.deepEqual(decoder.push(Buffer.from('}\0{"x"')).map(String), ['{"id":1}']);
    assert.equal(decoder.bufferedBytes, 4);
  });

  it('reassembles a large frame arriving in many small chunks', () => {
    const body = Buffer.from(JSON.stringify({ blob: 'x'.repeat(256 * 1024) }));
    const decoder = new FrameDecoder();
    const frames: Buffer[] = [];
    for (let i = 0; i < body.length; i += 7) frames.push(...decoder.push(body.subarray(i, i + 7)));
    frames.push(...decoder.push(Buffer.from([0])));
    assert.equal(frames.length, 1);
    assert.ok(frames[0]!.equals(body));
  });

  it('accepts a frame of exactly the limit', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 8 });
    assert.deepEqual(decoder.push(Buffer.from('"123456"\0')).map(String), ['"123456"']);
    assert.deepEqual(feed(decoder, [Buffer.from('"1234'), Buffer.from('56"'), Buffer.from('\0')]).map(String), ['"123456"']);
  });

  it('defaults to a 16 MiB limit', () => {
    assert.equal(DEFAULT_MAX_FRAME_BYTES, 16 * 1024 * 1024);
    assert.equal(new FrameDecoder().maxFrameBytes, DEFAULT_MAX_FRAME_BYTES);
    assert.throws(() => new FrameDecoder({ maxFrameBytes: 0 }), RangeError);
  });
});

describe('FrameDecoder size limit', { timeout: 120_000 }, () => {
  it('refuses a complete frame over the limit within one chunk', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    const err = catchTooLarge(() => decoder.push(Buffer.concat([Buffer.alloc(101, 0x20), Buffer.from([0])])));
    assert.ok(err instanceof RangeError);
    assert.equal(err.size, 101);
    assert.equal(err.limit, 100);
    assert.match(err.message, /limit of 100 bytes/);
  });

  it('refuses an unterminated frame over the limit within one chunk, buffering nothing', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    const err = catchTooLarge(() => decoder.push(Buffer.alloc(1000, 0x20)));
    assert.equal(err.size, 1000);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('refuses a frame as soon as chunks push it past the limit', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    const chunk = Buffer.alloc(10, 0x20);
    for (let i = 0; i < 10; i++) assert.deepEqual(decoder.push(chunk), []);
    assert.equal(decoder.bufferedBytes, 100);
    const err = catchTooLarge(() => decoder.push(Buffer.alloc(1, 0x20)));
    assert.equal(err.size, 101);
    assert.equal(decoder.bufferedBytes, 0);
  });

  it('refuses a frame split over chunks whose NUL arrives too late', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    decoder.push(Buffer.alloc(60, 0x20));
    const err = catchTooLarge(() => decoder.push(Buffer.concat([Buffer.alloc(41, 0x20), Buffer.from([0])])));
    assert.equal(err.size, 101);
  });

  it('hands over the frames that completed before the oversized one', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 10 });
    const err = catchTooLarge(() => decoder.push(Buffer.from('{"a":1}\0{"b":"0123456789"}\0')));
    assert.deepEqual(err.precedingFrames.map(String), ['{"a":1}']);
  });

  it('stays failed after refusing a frame, since the stream is out of step', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 10 });
    catchTooLarge(() => decoder.push(Buffer.alloc(11, 0x20)));
    const again = catchTooLarge(() => decoder.push(Buffer.from('{}\0')));
    assert.deepEqual(again.precedingFrames, []);
  });
});

describe('encodeFrame', { timeout: 120_000 }, () => {
  it('appends a single NUL to the UTF-8 text', () => {
    assert.deepEqual([...encodeFrame('{"é":1}')], [...Buffer.from('{"é":1}', 'utf8'), 0]);
  });

  it('refuses text containing a NUL, which would split the frame', () => {
    assert.throws(() => encodeFrame('{"a":"\0"}'), TypeError);
  });

  it('produces frames the decoder reads back', () => {
    const decoder = new FrameDecoder();
    const frames = decoder.push(Buffer.concat([encodeFrame('{"a":1}'), encodeFrame('[2]')]));
    assert.deepEqual(frames.map(String), ['{"a":1}', '[2]']);
  });
});
