import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EventQueue } from '../../src/kernel/event-queue.ts';
import { fuzzParameters } from '../support/fuzz.ts';
import { ReferenceQueue } from '../kernel/reference-queue.ts';

/** Delays after the clock: ties, sub-millisecond latencies, the model's fixed offsets, denormals, and times near the top of the double range. */
const delay = fc.oneof(
  fc.constantFrom(0, 0, 1, 15_000, 630_000, Number.MIN_VALUE, 2 ** -1074 * 3, 2 ** 53, 1e300, Number.MAX_VALUE / 4),
  fc.integer({ min: 0, max: 50 }),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.double({ min: 0, max: 1e12, noNaN: true }),
);

type Op =
  | { kind: 'push'; delay: number; count: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'pop'; count: number }
  | { kind: 'run'; until: number; count: number; followUp: number }
  | { kind: 'peek' }
  | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('push' as const), delay, count: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('pop' as const), count: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('run' as const), until: delay, count: fc.integer({ min: 0, max: 80 }), followUp: delay }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('peek' as const)}) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** Thresholds low enough that a few hundred events cross every one of them: renumbering, 4-ary heap, ladder. */
const shape = fc.record({
  sequenceLimit: fc.integer({ min: 2, max: 400 }),
  wideFrom: fc.integer({ min: 2, max: 300 }),
  ladderFrom: fc.integer({ min: 2, max: 300 }),
});

describe('fuzz: EventQueue against the reference queue', { timeout: 120_000 }, () => {
  it('pops, peeks, cancels and counts exactly as the reference for any script at any thresholds', () => {
    fc.assert(
      fc.property(shape, fc.array(op, { maxLength: 120 }), ({ sequenceLimit, wideFrom, ladderFrom }, script) => {
        const q = new EventQueue(16, Math.max(2, Math.min(sequenceLimit, 2 ** 29)), wideFrom, ladderFrom);
        let ref = new ReferenceQueue();
        const handles: { h: number; entry: ReturnType<ReferenceQueue['push']> }[] = [];
        let now = 0;
        let ran: number | undefined;
        /** Inside runUntil: each event is checked against the reference as it runs, and every third schedules one more. */
        let running: { followUp: number } | undefined;
        let id = 0;
        const run = (ranId: number) => {
          ran = ranId;
          if (!running) return;
          assert.equal(ref.pop(), ranId, 'runUntil runs the reference\'s next event');
          if (ranId % 3 === 0 && Number.isFinite(now + running.followUp)) {
            handles.push({ h: q.push(now + running.followUp, run, id), entry: ref.push(now + running.followUp, id) });
            id++;
          }
        };
        for (const step of script) {
          if (step.kind === 'push') {
            for (let i = 0; i < step.count; i++, id++) {
              // Spread a burst a little, so one push step makes ties and near-ties both.
              const time = now + step.delay * (1 + (i % 3));
              if (!Number.isFinite(time)) continue;
              handles.push({ h: q.push(time, run, id), entry: ref.push(time, id) });
            }
          } else if (step.kind === 'cancel') {
            if (handles.length === 0) continue;
            const { h, entry } = handles[step.pick % handles.length]!;
            assert.equal(q.cancel(h), ref.cancel(entry));
          } else if (step.kind === 'pop') {
            for (let i = 0; i < step.count; i++) {
              const peek = ref.peekTime();
              const expected = ref.pop();
              ran = undefined;
              assert.equal(q.popAndRun((t) => assert.equal(t, peek)), expected !== undefined);
              assert.equal(ran, expected);
              if (expected !== undefined) now = peek;
            }
          } else if (step.kind === 'run') {
            const end = now + step.until;
            running = { followUp: step.followUp };
            const n = q.runUntil(end, step.count, (t) => {
              assert.equal(t, ref.peekTime(), 'runUntil runs events in (time, sequence) order');
              assert.ok(t <= end);
              now = t;
            });
            running = undefined;
            assert.ok(n <= step.count);
            assert.ok(n === step.count || ref.peekTime() > end, 'runUntil stops only at the count or past the end');
          } else if (step.kind === 'peek') {
            assert.equal(q.peekTime(), ref.peekTime());
          } else {
            q.clear();
            ref = new ReferenceQueue();
            for (const { h } of handles) assert.equal(q.cancel(h), false, 'no handle from before clear cancels');
            handles.length = 0;
          }
          assert.equal(q.pending, ref.pending);
        }
        while (ref.pending > 0) {
          const expected = ref.pop();
          assert.equal(q.popAndRun(() => {}), true);
          assert.equal(ran, expected);
        }
        assert.equal(q.popAndRun(() => {}), false);
        assert.equal(q.peekTime(), Infinity);
      }),
      fuzzParameters(1_500),
    );
  });
});
