/**
 * The frames of one event-loop turn leave as one write: the bytes written are exactly the chunks in
 * order, small ones joined into one buffer, large ones handed over as they are.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { OutboundBatch, ownWriteBytesMin } from '../../src/transport/outbound-batch.ts';

function recorder(): { out: Writable; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const out = new Writable({ write(chunk: Buffer, _encoding, done) {
    writes.push(chunk);
    done();
  } });
  return { out, writes };
}

const size = (c: Buffer | string) => (typeof c === 'string' ? Buffer.byteLength(c) : c.length);

describe('OutboundBatch', { timeout: 30_000 }, () => {
  it('joins small chunks, text included (as UTF-8), into one write', () => {
    const batch = new OutboundBatch();
    const chunks = ['{"id":["policy_resolve",1],"result":{"policy":', Buffer.from('[{"é":1}]'), Buffer.from('}}\0'), 'ünï', Buffer.from('x')];
    for (const c of chunks) batch.add(c, size(c));
    assert.equal(batch.bytes, chunks.reduce((n, c) => n + size(c), 0));
    const { out, writes } = recorder();
    batch.flushTo(out, true);
    assert.equal(writes.length, 1);
    assert.deepEqual(writes[0], Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))));
    assert.equal(batch.bytes, 0);
    assert.ok(batch.isEmpty);
  });

  it(`writes a chunk of ${ownWriteBytesMin} bytes or more by itself, in order with the rest`, () => {
    const batch = new OutboundBatch();
    const big = Buffer.alloc(ownWriteBytesMin, 7);
    const chunks = ['a', Buffer.from('b'), big, 'c'];
    for (const c of chunks) batch.add(c, size(c));
    const { out, writes } = recorder();
    batch.flushTo(out, true);
    assert.equal(writes.length, 3);
    assert.equal(writes[1], big, 'the large chunk is not copied');
    assert.deepEqual(Buffer.concat(writes), Buffer.concat([Buffer.from('ab'), big, Buffer.from('c')]));
  });

  it('reuses the shared scratch buffer only once a write using it was taken at once', async () => {
    const batch = new OutboundBatch();
    const held: Buffer[] = [];
    const pending: (() => void)[] = [];
    // A peer that does not read: the stream keeps what it was given until later.
    const slow = new Writable({ write(chunk: Buffer, _e, done) {
      held.push(chunk);
      pending.push(done);
    } });
    batch.add('first ', 6);
    batch.add(Buffer.from('reply'), 5);
    batch.flushTo(slow, true);
    const fast = recorder();
    batch.add('second', 6);
    batch.add(Buffer.from(' reply'), 6);
    batch.flushTo(fast.out, true);
    assert.equal(held[0]!.toString(), 'first reply', 'what the slow stream still holds is not overwritten');
    assert.equal(fast.writes[0]!.toString(), 'second reply');
    batch.add('third', 5);
    batch.add(Buffer.from('!'), 1);
    batch.flushTo(fast.out, true);
    assert.equal(fast.writes[1]!.buffer, fast.writes[0]!.buffer, 'after a write taken at once the scratch is used again');
    for (const done of pending) done();
  });

  it('never reuses the scratch for a stream that may keep what it was given (TLS)', () => {
    const batch = new OutboundBatch();
    const { out, writes } = recorder();
    for (const text of ['one', 'two']) {
      batch.add(text, 3);
      batch.add(Buffer.from('!'), 1);
      batch.flushTo(out, false);
    }
    assert.notEqual(writes[0]!.buffer, writes[1]!.buffer);
    assert.equal(writes[0]!.toString(), 'one!');
  });

  it('an empty batch writes nothing; a cleared one forgets its chunks', () => {
    const batch = new OutboundBatch();
    const { out, writes } = recorder();
    batch.flushTo(out, true);
    batch.add('lost', 4);
    batch.clear();
    batch.flushTo(out, true);
    assert.equal(writes.length, 0);
  });
});
