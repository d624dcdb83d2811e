import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventQueue } from '../../src/kernel/event-queue.ts';
import { RandomStream } from '../../src/kernel/random.ts';
import { ReferenceQueue } from './reference-queue.ts';

function drain(q: EventQueue): number[] {
  const times: number[] = [];
  while (q.popAndRun((time) => times.push(time))) {}
  return times;
}

/** A delay like the model's: mostly network latencies, keepalive and backoff offsets, ties at now, far timers. */
function modelLikeDelay(rnd: RandomStream): number {
  const kind = rnd.next();
  if (kind < 0.1) return 0;
  if (kind < 0.5) return rnd.next();
  if (kind < 0.65) return rnd.int(40);
  if (kind < 0.85) return 15_000;
  if (kind < 0.95) return rnd.uniform(0, 630_000);
  if (kind < 0.99) return 3_000_000 + rnd.int(3);
  return 1e12 * rnd.next();
}

/**
 * Runs `ops` random pushes (at now + modelLikeDelay), cancels, peeks and pops on the queue and the
 * reference together, asserting after each that they agree; growing then shrinking in phases of
 * `phase` operations so the queue crosses its thresholds both ways. Returns the ids in pop order.
 * Delays come from `delay` (default: modelLikeDelay).
 */
function checkAgainstReference(q: EventQueue, seed: number, ops: number, phase: number, delay = modelLikeDelay): number[] {
  const rnd = new RandomStream(seed);
  const ref = new ReferenceQueue();
  const handles: { h: number; entry: ReturnType<ReferenceQueue['push']> }[] = [];
  const popped: number[] = [];
  let now = 0;
  let ran = -1;
  const run = (id: number) => {
    ran = id;
  };
  for (let i = 0; i < ops; i++) {
    const growing = Math.floor(i / phase) % 2 === 0;
    const op = rnd.next();
    if (op < (growing ? 0.6 : 0.3)) {
      const time = now + delay(rnd);
      handles.push({ h: q.push(time, run, i), entry: ref.push(time, i) });
    } else if (op < (growing ? 0.7 : 0.4) && handles.length > 0) {
      const { h, entry } = handles[rnd.int(handles.length)]!;
      assert.equal(q.cancel(h), ref.cancel(entry), `cancel at op ${i}`);
    } else if (op < (growing ? 0.75 : 0.45)) {
      assert.equal(q.peekTime(), ref.peekTime(), `peekTime at op ${i}`);
    } else {
      const expected = ref.pop();
      ran = -1;
      assert.equal(q.popAndRun((t) => (now = t)), expected !== undefined, `pop at op ${i}`);
      if (expected !== undefined) {
        assert.equal(ran, expected, `pop at op ${i}`);
        popped.push(ran);
      }
    }
    assert.equal(q.pending, ref.pending, `pending at op ${i}`);
    if (handles.length > 4 * phase) handles.splice(0, 2 * phase);
  }
  while (ref.pending > 0) {
    const expected = ref.pop();
    assert.equal(q.popAndRun(() => {}), true);
    assert.equal(ran, expected);
    popped.push(ran);
  }
  assert.equal(q.popAndRun(() => {}), false);
  return popped;
}

describe('EventQueue', { timeout: 60_000 }, () => {
  it('pops events in time order', () => {
    const q = new EventQueue();
    const seen: number[] = [];
    for (const t of [5, 1, 4, 2, 3]) q.push(t, (v: number) => seen.push(v), t);
    while (q.popAndRun(() => {})) {}
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  });

  it('pops events with equal times in insertion order', () => {
    const q = new EventQueue();
    const seen: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) q.push(7, (v: string) => seen.push(v), name);
    q.push(3, (v: string) => seen.push(v), 'first');
    while (q.popAndRun(() => {})) {}
    assert.deepEqual(seen, ['first', 'a', 'b', 'c', 'd']);
  });

  it('skips cancelled events and reports the live count', () => {
    const q = new EventQueue();
    const seen: number[] = [];
    const handles = [1, 2, 3, 4].map((t) => q.push(t, (v: number) => seen.push(v), t));
    assert.equal(q.cancel(handles[1]!), true);
    assert.equal(q.cancel(handles[1]!), false, 'a second cancel is a no-op');
    assert.equal(q.pending, 3);
    while (q.popAndRun(() => {})) {}
    assert.deepEqual(seen, [1, 3, 4]);
    assert.equal(q.pending, 0);
  });

  it('runs each callback with both arguments it was pushed with, and lets go of them once run or cancelled', () => {
    const q = new EventQueue();
    const seen: string[] = [];
    const record = (a: string, b: string | undefined) => seen.push(`${a}:${b}`);
    q.push(2, record, 'message', 'link');
    q.push(1, record, 'timer');
    const cancelled = q.push(3, record, 'gone', 'too');
    q.cancel(cancelled);
    assert.equal(q.runUntil(10, 10, () => {}), 2);
    q.push(4, record, 'again', 'popped');
    assert.equal(q.popAndRun(() => {}), true);
    assert.deepEqual(seen, ['timer:undefined', 'message:link', 'again:popped']);
    assert.ok((q as unknown as { events: unknown[] }).events.every((e) => e === undefined), 'no slot still holds a callback or an argument');
  });

  it('does not let a stale handle cancel an event that reused its slot', () => {
    const q = new EventQueue();
    const seen: string[] = [];
    const old = q.push(1, (v: string) => seen.push(v), 'old');
    q.popAndRun(() => {});
    q.push(2, (v: string) => seen.push(v), 'new');
    assert.equal(q.cancel(old), false);
    q.popAndRun(() => {});
    assert.deepEqual(seen, ['old', 'new']);
  });

  it('rejects times that are negative, NaN or infinite', () => {
    const q = new EventQueue();
    for (const t of [-1, NaN, Infinity]) assert.throws(() => q.push(t, () => {}), RangeError);
  });

  it('matches a sorted reference under random pushes, cancels and pops while growing', () => {
    const rnd = new RandomStream(42);
    const q = new EventQueue(16);
    const reference: { t: number; seq: number; cancelled: boolean }[] = [];
    const handles: { h: number; ref: { t: number; seq: number; cancelled: boolean } }[] = [];
    const popped: number[] = [];
    const expected: number[] = [];
    let seq = 0;
    for (let i = 0; i < 20_000; i++) {
      const op = rnd.next();
      if (op < 0.6) {
        const ref = { t: rnd.int(1000), seq: seq++, cancelled: false };
        reference.push(ref);
        handles.push({ h: q.push(ref.t, (s: number) => popped.push(s), ref.seq), ref });
      } else if (op < 0.7 && handles.length > 0) {
        const { h, ref } = handles[rnd.int(handles.length)]!;
        const did = q.cancel(h);
        const live = !ref.cancelled && reference.includes(ref);
        assert.equal(did, live);
        ref.cancelled = true;
      } else {
        reference.sort((a, b) => a.t - b.t || a.seq - b.seq);
        const next = reference.findIndex((r) => !r.cancelled);
        const ran = q.popAndRun(() => {});
        assert.equal(ran, next >= 0);
        if (next >= 0) {
          expected.push(reference[next]!.seq);
          reference.splice(0, next + 1);
        } else reference.length = 0;
      }
    }
    assert.deepEqual(popped, expected);
    assert.equal(q.pending, reference.filter((r) => !r.cancelled).length);
  });

  it('keeps time order and FIFO ties across sequence renumbering', () => {
    const q = new EventQueue(16, 64);
    const rnd = new RandomStream(7);
    const popped: [number, number][] = [];
    const pushed: [number, number][] = [];
    let n = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 20; i++) {
        const t = round + rnd.int(5);
        const id = n++;
        pushed.push([t, id]);
        q.push(t, (v: [number, number]) => popped.push(v), [t, id]);
      }
      for (let i = 0; i < 15; i++) q.popAndRun(() => {});
    }
    while (q.popAndRun(() => {})) {}
    assert.equal(popped.length, pushed.length);
    for (let i = 1; i < popped.length; i++) {
      const [ta, ia] = popped[i - 1]!;
      const [tb, ib] = popped[i]!;
      // Within a time, insertion order; across times, only events pushed later may come after a later time.
      if (ta === tb) assert.ok(ia < ib, `FIFO at t=${ta}: ${ia} before ${ib}`);
    }
  });

  it('matches a sorted reference in a heap deep enough for the look-ahead walk, across renumbering', () => {
    // 20,000 pending is past the size where removeTop loads ahead; times from 500 values make ties
    // common, so FIFO order is checked on the deep walk too. The low sequence limit renumbers often.
    interface Ref {
      t: number;
      seq: number;
      cancelled: boolean;
      /** Popped: no longer pending even though never cancelled. */
      ran: boolean;
    }
    const SPREAD = 500;
    const rnd = new RandomStream(1313);
    const q = new EventQueue(16, 40_000);
    // The reference: pending events by time, each time's in push (= seq) order. Every pending time is
    // in [now, now + SPREAD), so the earliest is found by looking at those SPREAD times in turn.
    const byTime = new Map<number, Ref[]>();
    const handles: { h: number; ref: Ref }[] = [];
    const popped: number[] = [];
    const expected: number[] = [];
    let seq = 0;
    let now = 0;
    const earliest = (): Ref | undefined => {
      for (let t = now; t < now + SPREAD; t++) {
        const refs = byTime.get(t);
        if (!refs) continue;
        while (refs.length > 0 && refs[0]!.cancelled) refs.shift();
        if (refs.length > 0) return refs[0];
        byTime.delete(t);
      }
      return undefined;
    };
    const push = () => {
      const ref = { t: now + rnd.int(SPREAD), seq: seq++, cancelled: false, ran: false };
      const refs = byTime.get(ref.t);
      if (refs) refs.push(ref);
      else byTime.set(ref.t, [ref]);
      handles.push({ h: q.push(ref.t, (s: number) => popped.push(s), ref.seq), ref });
    };
    for (let i = 0; i < 20_000; i++) push();
    for (let i = 0; i < 60_000; i++) {
      const op = rnd.next();
      if (op < 0.45) push();
      else if (op < 0.55) {
        const { h, ref } = handles[rnd.int(handles.length)]!;
        assert.equal(q.cancel(h), !ref.cancelled && !ref.ran);
        ref.cancelled = true;
      } else {
        const next = earliest();
        assert.equal(q.peekTime(), next ? next.t : Infinity);
        const ran = q.popAndRun((time) => {
          now = time;
        });
        assert.equal(ran, next !== undefined);
        if (next) {
          expected.push(next.seq);
          next.ran = true;
          byTime.get(next.t)!.shift();
        }
      }
      if (handles.length > 40_000) handles.splice(0, 20_000);
    }
    assert.ok(seq > 40_000, 'the run renumbered sequences at least once');
    assert.deepEqual(popped, expected);
    let livePending = 0;
    for (const refs of byTime.values()) livePending += refs.filter((r) => !r.cancelled).length;
    assert.equal(q.pending, livePending);
  });

  it('starts over empty after clear, with old handles unable to cancel new events', () => {
    const q = new EventQueue(16);
    const old = [3, 1, 2].map((t) => q.push(t, () => assert.fail('cleared events never run')));
    q.clear();
    assert.equal(q.pending, 0);
    assert.equal(q.peekTime(), Infinity);
    const seen: number[] = [];
    for (const t of [2, 1, 2]) q.push(t, (v: number) => seen.push(v), t * 10 + seen.length);
    for (const h of old) assert.equal(q.cancel(h), false);
    assert.deepEqual(drain(q), [1, 2, 2]);
    assert.equal(seen.length, 3);
  });

  it('pops the same order as the binary heap when it turns 4-ary and back at every small threshold', () => {
    // wideFrom from 2 to 6 puts the switch at every fill of the first and second 4-ary levels; the
    // size swings across the threshold and its half many times, so both rebuilds run repeatedly.
    const script = (q: EventQueue) => {
      const rnd = new RandomStream(2024);
      const popped: number[] = [];
      const handles: number[] = [];
      for (let i = 0; i < 6_000; i++) {
        const phase = Math.floor(i / 300) % 2 === 0; // grow, then shrink
        const op = rnd.next();
        if (op < (phase ? 0.7 : 0.3)) handles.push(q.push(rnd.int(40), (v: number) => popped.push(v), i));
        else if (op < (phase ? 0.75 : 0.35) && handles.length > 0) q.cancel(handles[rnd.int(handles.length)]!);
        else q.popAndRun(() => {});
      }
      while (q.popAndRun(() => {})) {}
      return popped;
    };
    const binary = script(new EventQueue(16, 2 ** 29, 2 ** 24));
    assert.ok(binary.length > 2_000);
    for (const wideFrom of [2, 3, 4, 5, 6, 21, 22, 64]) {
      assert.deepEqual(script(new EventQueue(16, 2 ** 29, wideFrom)), binary, `wideFrom=${wideFrom}`);
    }
  });

  it('keeps time order and FIFO ties when renumbering a 4-ary heap', () => {
    const q = new EventQueue(16, 64, 8);
    const popped: [number, number][] = [];
    let n = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 30; i++) q.push(round + (i % 3), (v: [number, number]) => popped.push(v), [round + (i % 3), n++]);
      for (let i = 0; i < 20; i++) q.popAndRun(() => {});
    }
    while (q.popAndRun(() => {})) {}
    assert.equal(popped.length, n);
    for (let i = 1; i < popped.length; i++) {
      const [ta, ia] = popped[i - 1]!;
      const [tb, ib] = popped[i]!;
      if (ta === tb) assert.ok(ia < ib, `FIFO at t=${ta}: ${ia} before ${ib}`);
    }
  });

  it('rejects a wideFrom below 2', () => {
    assert.throws(() => new EventQueue(16, 2 ** 29, 1), /wideFrom must be an integer >= 2, got 1/);
  });

  it('keeps the earliest time visible through peekTime', () => {
    const q = new EventQueue();
    assert.equal(q.peekTime(), Infinity);
    const h = q.push(1, () => {});
    q.push(9, () => {});
    q.cancel(h);
    assert.equal(q.peekTime(), 9);
    assert.deepEqual(drain(q), [9]);
  });

  it('matches the reference queue with the far future in ladder buckets, at every small threshold', () => {
    // ladderFrom 2-64 moves the far future out of the heap at almost every size; the phases grow the
    // queue to about 200 and shrink it to empty, so it switches to buckets and back many times.
    for (const ladderFrom of [2, 3, 5, 8, 33, 64]) {
      const q = new EventQueue(16, 2 ** 29, 2 ** 24, ladderFrom);
      const popped = checkAgainstReference(q, 100 + ladderFrom, 8_000, 500);
      assert.ok(popped.length > 3_000, `ladderFrom=${ladderFrom}: ${popped.length} pops`);
    }
  });

  it('matches the reference queue across sequence renumbering while the ladder holds most events', () => {
    const q = new EventQueue(16, 3_000, 2 ** 24, 16);
    checkAgainstReference(q, 77, 30_000, 2_000);
    // Integer delays up to 200: most events tie with others pushed before and after a renumbering.
    const ties = new EventQueue(16, 3_000, 2 ** 24, 16);
    checkAgainstReference(ties, 78, 30_000, 2_000, (rnd) => rnd.int(200));
  });

  it('matches the reference queue with the heap 4-ary and the far future in buckets', () => {
    // wideFrom 4 keeps the heap 4-ary while a big bucket or a burst of near events fills it.
    const q = new EventQueue(16, 2 ** 29, 4, 32);
    checkAgainstReference(q, 4040, 20_000, 1_500);
  });

  it('pops events of one time in insertion order when all of them sit in one bucket', () => {
    const q = new EventQueue(16, 2 ** 29, 2 ** 24, 8);
    const seen: number[] = [];
    for (let i = 0; i < 2_000; i++) q.push(7, (v: number) => seen.push(v), i);
    for (let i = 0; i < 1_000; i++) q.popAndRun(() => {});
    for (let i = 2_000; i < 3_000; i++) q.push(7, (v: number) => seen.push(v), i);
    while (q.popAndRun(() => {})) {}
    assert.deepEqual(
      seen,
      Array.from({ length: 3_000 }, (_, i) => i),
    );
  });

  it('pops the same order at the default thresholds as one binary heap, 300,000 events of the model mix deep', () => {
    // Past 512 pending the far future lives in buckets (and a big bucket can make the heap 4-ary);
    // the binary heap alone (thresholds out of reach) is the order every earlier test pins down.
    const script = (q: EventQueue) => {
      const rnd = new RandomStream(99);
      const order: number[] = [];
      let now = 0;
      const record = (id: number) => order.push(id);
      const handles: number[] = [];
      for (let i = 0; i < 300_000; i++) handles.push(q.push(modelLikeDelay(rnd), record, i));
      for (let i = 0; i < 20_000; i++) q.cancel(handles[rnd.int(handles.length)]!);
      for (let i = 300_000; i < 900_000; i++) {
        q.popAndRun((t) => (now = t));
        q.push(now + modelLikeDelay(rnd), record, i);
        if (i % 7 === 0) q.popAndRun((t) => (now = t));
      }
      while (q.popAndRun((t) => (now = t))) {}
      return order;
    };
    const heapOnly = script(new EventQueue(16, 2 ** 29, 2 ** 24, 2 ** 24));
    const defaults = script(new EventQueue(16));
    assert.equal(defaults.length, heapOnly.length);
    assert.ok(defaults.every((id, i) => id === heapOnly[i]), 'same pop order');
  });

  it('starts over empty after clear in ladder mode, with old handles unable to cancel new events', () => {
    const q = new EventQueue(16, 2 ** 29, 2 ** 24, 4);
    const old = Array.from({ length: 100 }, (_, i) => q.push(i * 10, () => assert.fail('cleared events never run')));
    assert.equal(q.peekTime(), 0, 'the first bucket is in the heap, the rest in the ladder');
    q.clear();
    assert.equal(q.pending, 0);
    assert.equal(q.peekTime(), Infinity);
    const seen: number[] = [];
    for (let i = 0; i < 100; i++) q.push(100 - i, (v: number) => seen.push(v), 100 - i);
    for (const h of old) assert.equal(q.cancel(h), false);
    while (q.popAndRun(() => {})) {}
    assert.deepEqual(
      seen,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it('keeps order in a 4-ary heap after a crowded bucket was split (the heap past its end reads as empty)', () => {
    // 1,000 close times and one far away: the first rung puts the 1,000 in one bucket, which is spread
    // into a finer rung when the heap first runs dry. Later, bursts at the head of the queue grow the
    // heap past wideFrom = 4, so the 4-ary walk reads sibling groups past the heap's end, where the
    // split staged entries.
    const q = new EventQueue(16, 2 ** 29, 4, 2);
    const ref = new ReferenceQueue();
    const ran: number[] = [];
    const expected: number[] = [];
    const push = (time: number, id: number) => {
      q.push(time, (v: number) => ran.push(v), id);
      ref.push(time, id);
    };
    for (let i = 0; i < 1_000; i++) push(1_000 + ((i * 7919) % 1_000) * 1e-3, i);
    push(1e9, 1_000);
    let now = 0;
    let id = 1_001;
    // Half the close times go first, in buckets of the finer rung, so the heap is small; then the bursts.
    for (let i = 0; i < 500; i++) {
      expected.push(ref.pop()!);
      q.popAndRun((t) => (now = t));
    }
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 3; i++) {
        expected.push(ref.pop()!);
        q.popAndRun((t) => (now = t));
      }
      for (let i = 0; i < 4; i++) push(now + i * 1e-6, id++);
    }
    while (ref.pending > 0) expected.push(ref.pop()!);
    while (q.popAndRun(() => {})) {}
    assert.deepEqual(ran, expected);
  });

  it('rejects a ladderFrom below 2', () => {
    assert.throws(() => new EventQueue(16, 2 ** 29, 2 ** 18, 1), /ladderFrom must be an integer >= 2, got 1/);
  });
});
