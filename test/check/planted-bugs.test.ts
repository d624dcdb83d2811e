/**
 * Defects planted into the actors from the test (an instance method or option replaced before the
 * twin starts; nothing in the shipped code knows), each of which `check` must find within 100
 * seeds of the default scenario with all faults, and shrink to a reproduction of at most three faults.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runChecked } from '../../src/check/checked-run.ts';
import { runSeed } from '../../src/check/seed-outcome.ts';
import { scenarioForSeed } from '../../src/check/schedule-generator.ts';
import { shrink } from '../../src/check/shrink.ts';
import type { ProxySession } from '../../src/opflex/proxy-session.ts';
import { FAULT_KIND_NAMES } from '../../src/scenario/fault-schema.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import type { Twin } from '../../src/twin.ts';

const base = loadBuiltinScenario();
const schedule = { kinds: FAULT_KIND_NAMES, swarm: true };

/** The first of seeds 1..100 whose run breaks an invariant no hazard explains, shrunk. */
function findAndShrink(plant: (twin: Twin) => void): { seed: number; invariants: string[]; faults: number; replayed: string[] } {
  for (let seed = 1; seed <= 100; seed++) {
    const outcome = runSeed(base, seed, schedule, plant);
    if (outcome.violations.length === 0) continue;
    const invariant = outcome.violations[0]!.invariant;
    const { scenario } = shrink(scenarioForSeed(base, seed, schedule), invariant, { prepare: plant });
    const replayed = runChecked(scenario, { prepare: plant }).violations.map((v) => v.invariant);
    return { seed, invariants: [...new Set(outcome.violations.map((v) => v.invariant))], faults: scenario.faultSchedule?.length ?? 0, replayed: [...new Set(replayed)] };
  }
  assert.fail('no seed of 1..100 found the planted defect');
}

function hook<T extends object, K extends keyof T>(target: T, key: K, replace: (original: T[K]) => T[K]): void {
  const original = (target[key] as unknown as (...a: unknown[]) => unknown).bind(target) as T[K];
  target[key] = replace(original);
}

describe('check finds defects planted into the actors', { timeout: 120_000 }, () => {
  test('the proxy forgets the PlatformConfig delete on a port move', { timeout: 60_000 }, () => {
    const found = findAndShrink((twin) => {
      for (const leaf of twin.leaves.values()) (leaf as unknown as { sendPlatformConfigDelete: () => void }).sendPlatformConfigDelete = () => {};
    });
    assert.ok(found.invariants.includes('migrations-converged') || found.invariants.includes('agent-on-current-pair'), found.invariants.join());
    assert.ok(found.faults <= 3, `shrunk to ${found.faults} faults`);
    assert.ok(found.replayed.length > 0);
  });

  test('the cache collects an object someone still subscribes to', { timeout: 60_000 }, () => {
    const found = findAndShrink((twin) => {
      for (const leaf of twin.leaves.values()) (leaf.cache as unknown as { options: { inUse: () => boolean } }).options.inUse = () => false;
    });
    assert.ok(found.invariants.includes('pair-holds-policy'), found.invariants.join());
    assert.ok(found.faults <= 3, `shrunk to ${found.faults} faults`);
    assert.ok(found.replayed.includes('pair-holds-policy'));
  });

  test('the agent does not re-declare its endpoints after a reset', { timeout: 60_000 }, () => {
    const found = findAndShrink((twin) => {
      for (const vm of twin.nodes.values()) {
        const agent = vm.agent;
        hook(agent, 'reset', (original) => (path) => {
          original(path);
          (agent.processor as unknown as { sendDeclare: () => void }).sendDeclare = () => {};
        });
      }
    });
    // The tracker sees the endpoints missing after the reset; the agent's periodic re-declare may repair them later.
    assert.ok(found.invariants.includes('pods-declared-on-pair') || found.invariants.includes('migrations-converged'), found.invariants.join());
    assert.ok(found.faults <= 3, `shrunk to ${found.faults} faults`);
    assert.ok(found.replayed.length > 0);
  });

  test("the controller's resync drops an ODev", { timeout: 60_000 }, () => {
    const found = findAndShrink((twin) => {
      // After the resync the cache lacks one ODev APIC holds (the node's first, when it has any).
      const controller = twin.controller as unknown as { resync: () => void; cacheDelete: (dn: string) => void };
      const original = controller.resync;
      controller.resync = () => {
        original();
        const node = [...twin.nodes.keys()].find((n) => twin.controller.cachedOdevs(n).length > 0);
        if (node !== undefined) controller.cacheDelete(twin.controller.cachedOdevs(node)[0]!.dn);
      };
    });
    assert.ok(found.invariants.includes('controller-agrees-after-resync'), found.invariants.join());
    assert.ok(found.faults <= 3, `shrunk to ${found.faults} faults`);
    assert.ok(found.replayed.includes('controller-agrees-after-resync'));
  });

  test('the leaf forgets to unsubscribe a closed session', { timeout: 60_000 }, () => {
    const found = findAndShrink((twin) => {
      for (const leaf of twin.leaves.values()) {
        hook(leaf, 'onClosed', (original) => (session: ProxySession, reason: string) => {
          session.subscriptions.clear();
          original(session, reason);
        });
      }
    });
    assert.ok(found.invariants.includes('cache-holds-only-subscribed'), found.invariants.join());
    assert.ok(found.faults <= 3, `shrunk to ${found.faults} faults`);
    assert.ok(found.replayed.includes('cache-holds-only-subscribed'));
  });

  test('COOP keeps the old pair', { timeout: 60_000 }, () => {
    const found = findAndShrink((twin) => {
      hook(twin.coop, 'report', (original) => (key: string, pair: string) => {
        const owner = twin.coop.owner(key);
        if (owner === undefined || owner === pair) original(key, pair);
      });
    });
    assert.ok(found.invariants.includes('pods-declared-on-pair') || found.invariants.includes('migrations-converged'), found.invariants.join());
    assert.ok(found.faults <= 3, `shrunk to ${found.faults} faults`);
    assert.ok(found.replayed.length > 0);
  });
});
