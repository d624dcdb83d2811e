import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RealtimeScheduler } from '../../src/kernel/realtime-scheduler.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';

describe('a timer callback that throws', () => {
  it('live: is reported through onError and the timers after it still run', { timeout: 10_000 }, async () => {
    const errors: unknown[] = [];
    const scheduler = new RealtimeScheduler(1, (err) => errors.push(err));
    const ran: string[] = [];
    try {
      await new Promise<void>((resolve) => {
        scheduler.after(1, () => ran.push('before'));
        scheduler.after(2, () => {
          throw new RangeError('Invalid string length');
        });
        scheduler.after(3, () => {
          ran.push('after');
          resolve();
        });
      });
    } finally {
      scheduler.stop();
    }
    assert.deepEqual(ran, ['before', 'after']);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /Invalid string length/);
  });

  it('simulated: fails the run loudly (a model bug)', { timeout: 10_000 }, () => {
    const scheduler = new VirtualScheduler();
    scheduler.after(1, () => {
      throw new Error('model bug');
    });
    assert.throws(() => scheduler.runUntil(10), /model bug/);
  });
});
