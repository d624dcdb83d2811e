import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UriInterner } from '../../src/model/uri-interner.ts';
import { NO_TIMER, ResolveTable } from '../../src/opflex/resolve-table.ts';

const NOT_SCHEDULED = -1;

function uris(table: ResolveTable): string[] {
  return Array.from(table.slotsInOrder(), (slot) => table.uriOf(slot));
}

describe('ResolveTable', { timeout: 30_000 }, () => {
  it('starts a resolve with no references, no timers and no refresh, and finds it by URI', () => {
    const table = new ResolveTable(new UriInterner(), NOT_SCHEDULED);
    const slot = table.add('/a/', 'GbpEpGroup');
    assert.equal(table.slotOf('/a/'), slot);
    assert.equal(table.slotOf('/b/'), -1);
    assert.equal(table.subjectOf(slot), 'GbpEpGroup');
    assert.equal(table.uriOf(slot), '/a/');
    assert.deepEqual([table.refsOf(slot), table.attemptsOf(slot), table.isResolved(slot)], [0, 0, false]);
    assert.deepEqual([table.retryTimerOf(slot), table.gcTimerOf(slot), table.refreshAtOf(slot)], [NO_TIMER, NO_TIMER, NOT_SCHEDULED]);
    assert.equal(table.referencesOf(slot), undefined);
  });

  it('lists resolves in the order they were added, a re-added one last, as a Map would', () => {
    const table = new ResolveTable(new UriInterner(), NOT_SCHEDULED);
    const order = new Map<string, true>();
    for (let i = 0; i < 50; i++) {
      table.add(`/o/${i}/`, 'C');
      order.set(`/o/${i}/`, true);
    }
    for (const i of [3, 0, 49, 20, 21]) {
      table.remove(table.slotOf(`/o/${i}/`));
      order.delete(`/o/${i}/`);
    }
    for (const i of [0, 20, 77]) {
      table.add(`/o/${i}/`, 'C');
      order.set(`/o/${i}/`, true);
    }
    assert.deepEqual(uris(table), [...order.keys()]);
    assert.equal(table.size, order.size);
    const walked: string[] = [];
    for (let slot = table.firstSlot; slot >= 0; slot = table.nextSlot(slot)) walked.push(table.uriOf(slot));
    assert.deepEqual(walked, [...order.keys()]);
  });

  it('keeps a live resolve in its slot while others come and go, and tells a reused slot apart by serial', () => {
    const table = new ResolveTable(new UriInterner(), NOT_SCHEDULED);
    const kept = table.add('/kept/', 'C');
    table.setRefs(kept, 7);
    const gone = table.add('/gone/', 'C');
    const serial = table.serialOf(gone);
    table.remove(gone);
    assert.equal(table.isLive(gone), false);
    for (let i = 0; i < 100; i++) table.add(`/more/${i}/`, 'C');
    assert.equal(table.slotOf('/kept/'), kept);
    assert.equal(table.refsOf(kept), 7, 'slots keep their values when the table grows');
    const reused = table.slotOf('/more/0/');
    assert.equal(reused, gone, 'the freed slot is taken by the next resolve');
    assert.notEqual(table.serialOf(reused), serial);
  });

  it('releases the URI ids it held when resolves go', () => {
    const interner = new UriInterner();
    const table = new ResolveTable(interner, NOT_SCHEDULED);
    for (let i = 0; i < 20; i++) table.add(`/o/${i}/`, 'C');
    assert.equal(interner.size, 20);
    for (let i = 0; i < 20; i++) table.remove(table.slotOf(`/o/${i}/`));
    assert.equal(interner.size, 0);
    assert.equal(table.size, 0);
    assert.equal(table.firstSlot, -1);
  });

  it('trims its room to the slots in use without losing a value', () => {
    const table = new ResolveTable(new UriInterner(), NOT_SCHEDULED);
    for (let i = 0; i < 40; i++) {
      const slot = table.add(`/o/${i}/`, 'C');
      table.setRefs(slot, i);
      table.setRefreshAt(slot, 1000 + i);
    }
    table.trim();
    for (let i = 0; i < 40; i++) {
      const slot = table.slotOf(`/o/${i}/`);
      assert.deepEqual([table.refsOf(slot), table.refreshAtOf(slot)], [i, 1000 + i]);
    }
    table.add('/after-trim/', 'C');
    assert.equal(table.uriOf(table.slotOf('/after-trim/')), '/after-trim/');
  });
});
