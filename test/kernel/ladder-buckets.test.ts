import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LadderBuckets, rungsMax } from '../../src/kernel/ladder-buckets.ts';
import { RandomStream } from '../../src/kernel/random.ts';
import { ReferenceQueue } from './reference-queue.ts';

/**
 * LadderBuckets as EventQueue uses it, with a sorted array standing in for the heap: an entry goes
 * to the near array when `add` refuses it, the near array refills from `takeNext` when empty, and
 * the earliest (time, key) of the near array pops. Checked against the reference queue.
 */
class NearAndLadder {
  readonly ladder: LadderBuckets;
  private near: { time: number; key: number }[] = [];
  private readonly staging = new Float64Array(2 * 100_000);

  constructor(splitFrom: number, perBucket: number) {
    this.ladder = new LadderBuckets(splitFrom, perBucket);
  }

  get size(): number {
    return this.near.length + this.ladder.size;
  }

  push(time: number, key: number): void {
    if (!this.ladder.add(time, key)) this.near.push({ time, key });
  }

  /** The key of the earliest entry, or undefined. */
  pop(): number | undefined {
    if (this.near.length === 0) {
      const n = this.ladder.takeNext(this.staging, 0);
      for (let e = 0; e < n; e++) this.near.push({ time: this.staging[2 * e]!, key: this.staging[2 * e + 1]! });
    }
    let best = -1;
    this.near.forEach((entry, i) => {
      const b = this.near[best];
      if (b === undefined || entry.time < b.time || (entry.time === b.time && entry.key < b.key)) best = i;
    });
    return best < 0 ? undefined : this.near.splice(best, 1)[0]!.key;
  }
}

/** Time distributions that stress the rungs: skewed, clustered, tied, far outliers, and before the rungs' start. */
const delays: Record<string, (rnd: RandomStream) => number> = {
  skewed: (rnd) => (rnd.next() < 0.9 ? rnd.next() : rnd.next() < 0.9 ? 1_000 * rnd.next() : 1e9 * rnd.next()),
  clustered: (rnd) => [0, 0.5, 15_000, 630_000][rnd.int(4)]! + (rnd.next() < 0.5 ? 0 : rnd.next() * 1e-3),
  tied: (rnd) => rnd.int(3),
  nested: (rnd) => 10 ** -rnd.int(12) * rnd.next(),
};

function check(seed: number, ops: number, splitFrom: number, perBucket: number, delay: (rnd: RandomStream) => number): void {
  const rnd = new RandomStream(seed);
  const q = new NearAndLadder(splitFrom, perBucket);
  const ref = new ReferenceQueue();
  let now = 0;
  let key = 0;
  for (let i = 0; i < ops; i++) {
    // Phases of growth and drain, so the ladder empties and restarts too.
    const growing = Math.floor(i / 3_000) % 3 !== 2;
    if (rnd.next() < (growing ? 0.6 : 0.2)) {
      const time = now + delay(rnd);
      q.push(time, key);
      ref.push(time, key);
      key++;
    } else {
      const peek = ref.peekTime();
      const expected = ref.pop();
      assert.equal(q.pop(), expected, `op ${i}`);
      if (expected !== undefined) now = peek;
    }
    assert.equal(q.size, ref.pending, `op ${i}`);
  }
  while (ref.pending > 0) assert.equal(q.pop(), ref.pop());
  assert.equal(q.pop(), undefined);
}

describe('LadderBuckets', { timeout: 60_000 }, () => {
  for (const [name, delay] of Object.entries(delays)) {
    it(`hands entries on in (time, key) order with ${name} times, in rungs split down to the last`, () => {
      // Small buckets and a low split threshold make crowded buckets spread into deeper rungs all the time.
      check(31, 12_000, 4, 2, delay);
      check(32, 12_000, 16, 8, delay);
    });
  }

  it('hands a bucket of the deepest rung to the heap whatever its size', () => {
    // nested delays crowd ever finer ranges; with a split threshold of 1 every rung fills up to rungsMax.
    assert.ok(rungsMax >= 2);
    check(33, 8_000, 1, 1, delays.nested!);
  });

  it('moves out everything it holds with takeAll and starts empty after', () => {
    const ladder = new LadderBuckets(4, 2);
    const rnd = new RandomStream(5);
    const out = new Float64Array(2 * 2_000);
    const refused: number[] = [];
    for (let k = 0; k < 1_000; k++) if (!ladder.add(rnd.next() * 100, k)) refused.push(k);
    assert.equal(ladder.takeNext(out, 0) > 0, true);
    for (let k = 1_000; k < 1_500; k++) if (!ladder.add(rnd.next() * 100, k)) refused.push(k);
    const held = ladder.size;
    const n = ladder.takeAll(out, 0);
    assert.equal(n, held);
    assert.equal(ladder.size, 0);
    assert.equal(ladder.takeNext(out, 0), 0);
    assert.equal(ladder.add(5, 9_999), true, 'an empty ladder takes any time into its top');
  });

  it('rewrites every held key with mapKeys', () => {
    const ladder = new LadderBuckets(4, 2);
    const out = new Float64Array(2 * 1_000);
    for (let k = 0; k < 500; k++) ladder.add((k * 37) % 101, k);
    const first = ladder.takeNext(out, 0);
    ladder.mapKeys((k) => k + 1_000_000);
    const n = ladder.takeAll(out, 0);
    assert.equal(first + n, 500);
    for (let e = 0; e < n; e++) assert.ok(out[2 * e + 1]! >= 1_000_000, `key ${out[2 * e + 1]} was rewritten`);
  });
});
