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
    batch.flushTo(out);
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
    batch.flushTo(out);
    assert.equal(writes.length, 3);
    assert.equal(writes[1], big, 'the large chunk is not copied');
    assert.deepEqual(Buffer.concat(writes), Buffer.concat([Buffer.from('ab'), big, Buffer.from('c')]));
  });

  it('an empty batch writes nothing; a cleared one forgets its chunks', () => {
    const batch = new OutboundBatch();
    const { out, writes } = recorder();
    batch.flushTo(out);
    batch.add('lost', 4);
    batch.clear();
    batch.flushTo(out);
    assert.equal(writes.length, 0);
  });
});
