import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventQueue } from '../../src/kernel/event-queue.ts';
import { RandomStream } from '../../src/kernel/random.ts';

function drain(q: EventQueue): number[] {
  const times: number[] = [];
  while (q.popAndRun((time) => times.push(time))) {}
  return times;
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
});
