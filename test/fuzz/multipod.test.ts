/**
 * Seeded fuzzing of the multipod model (docs/multipod.md): hostile values in the `fabric.pods` keys
 * are loaded or refused with a one-line ScenarioError; a pod's DHCP server under any sequence of
 * requests, releases and declines never gives one address to two clients nor one outside its range;
 * the built-in multipod scenario under random settings and DHCP faults keeps the flow's invariants.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DhcpServer } from '../../src/fabric/dhcp-server.ts';
import { ipv4ToNumber } from '../../src/fabric/tep-pool.ts';
import { RandomStreams } from '../../src/kernel/random.ts';
import { Trace } from '../../src/kernel/trace.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import { simulate } from '../../src/simulation.ts';
import { fuzzParameters, hostileJson, hostileString } from '../support/fuzz.ts';

const YAML = readFileSync(fileURLToPath(new URL('../../src/scenario/builtin/multipod.yaml', import.meta.url)), 'utf8');
/** Heap the suite may keep after a forced GC once its inputs are gone. */
const retainedHeapBytesMax = 32 * 1024 ** 2;

function collectGarbage(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

/** Values close to valid ones: pools, ids, addresses, DHCP and IPN objects with random numbers. */
const octet = fc.integer({ min: 0, max: 300 });
const plausibleValue = fc.oneof(
  fc.tuple(octet, octet, fc.integer({ min: 0, max: 40 })).map(([a, b, n]) => `10.${a}.${b}.0/${n}`),
  fc.tuple(octet, octet).map(([a, b]) => `10.1.${a}.${b}`),
  fc.integer({ min: -2, max: 5 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 100 }), octet).map(([ms, b]) => `{ lease: ${ms}s, offerLatency: ${ms}ms, range: { first: 10.1.0.${b}, last: 10.1.0.200 } }`),
  fc.integer({ min: 0, max: 100 }).map((ms) => `{ latency: ${ms}ms }`),
);

/** Lines of the built-in file whose value a mutation replaces (the pod keys). */
const TARGETS = ['tepPool: 10.1.0.0/16', 'dhcp: { lease: 24h, offerLatency: 5ms..50ms }', 'interPod: { latency: 1ms..5ms }', 'id: 2', 'infraIp: 10.1.176.73', 'aci_multipod: true'];

describe('fuzzed multipod model', { timeout: 600_000 }, () => {
  collectGarbage();
  const before = process.memoryUsage();

  it('hostile pod keys: loaded, or refused with one-line file:line errors', (ctx) => {
    let loaded = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.constantFrom(...TARGETS), fc.oneof(hostileString(40), hostileJson(3).map((j) => JSON.stringify(j) ?? 'null'), plausibleValue), (target, value) => {
        const key = target.slice(0, target.indexOf(':'));
        const text = YAML.replace(target, `${key}: ${value.startsWith('{') || /^[\d.\/]+$/.test(value) ? value : JSON.stringify(value)}`);
        try {
          parseScenario(text, 'mp.yaml');
          loaded++;
        } catch (err) {
          if (!(err instanceof ScenarioError)) throw err;
          for (const line of err.message.split('\n')) assert.match(line, /^(mp\.yaml(:\d+:\d+)?: |\.\.\. and \d+ more)/, line);
          refused++;
        }
      }),
      fuzzParameters(200),
    );
    ctx.diagnostic(`pod keys: ${loaded} loaded, ${refused} refused`);
  });

  it('a DHCP server never gives one address to two clients, nor one outside its range or reserved', (ctx) => {
    let operations = 0;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('request' as const), client: fc.integer({ min: 0, max: 7 }), held: fc.boolean() }),
      fc.record({ kind: fc.constant('release' as const), client: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('decline' as const), client: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 200_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 1, max: 12 }), (ops, rangeSize) => {
        const leaseMs = 100_000;
        const scheduler = new VirtualScheduler(64);
        const server = new DhcpServer(2, { offerLatencyMs: { kind: 'uniform', minMs: 1, maxMs: 10 }, range: { first: '10.1.0.64', last: `10.1.0.${63 + rangeSize}` }, leaseMs }, scheduler, new Trace(scheduler, { record: false }), new RandomStreams(7).stream('dhcp'));
        server.reserve('10.1.0.66');
        /** Per client, the address it holds and when its lease ends. */
        const holding = new Map<number, { ip: string; untilMs: number }>();
        const declined = new Set<string>(['10.1.0.66']);
        for (const o of ops) {
          operations++;
          const client = `01:00:50:56:00:00:0${'client' in o ? o.client : 0}`;
          if (o.kind === 'wait') scheduler.runUntil(scheduler.now() + o.ms);
          else if (o.kind === 'release') {
            server.release(client);
            holding.delete('client' in o ? o.client : 0);
          } else if (o.kind === 'decline') {
            const held = holding.get(o.client);
            const ip = held && held.untilMs > scheduler.now() ? held.ip : undefined;
            if (ip !== undefined) {
              server.decline(client, ip);
              declined.add(ip);
            }
          } else {
            server.request(client, 0, o.held, (offer) => {
              if (!offer) return;
              const n = ipv4ToNumber(offer.ip);
              assert.ok(n >= ipv4ToNumber('10.1.0.64') && n <= ipv4ToNumber('10.1.0.64') + rangeSize - 1, `${offer.ip} outside the range`);
              if (offer.heldByAnother) return;
              assert.ok(!declined.has(offer.ip), `${offer.ip} was declined or reserved`);
              holding.set(o.client, { ip: offer.ip, untilMs: scheduler.now() + leaseMs });
            });
            scheduler.runUntil(scheduler.now() + 20);
          }
          // Live leases (unexpired, not released) are distinct; an expired one may go to another client.
          const live = [...holding.values()].filter((h) => h.untilMs > scheduler.now()).map((h) => h.ip);
          assert.equal(new Set(live).size, live.length, `two clients hold one address: ${live.join(', ')}`);
        }
      }),
      fuzzParameters(300),
    );
    ctx.diagnostic(`DHCP: ${operations} operations`);
  });

  it('random settings and DHCP faults: attempts bounded by the retry count, a converged cross-pod node has a new-pod address, a silent server never converges', (ctx) => {
    const base = loadBuiltinScenario('multipod');
    let converged = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        fc.record({
          dhcpDelay: fc.integer({ min: 0, max: 12 }),
          retries: fc.integer({ min: 0, max: 4 }),
          wait: fc.integer({ min: 0, max: 60 }),
          extraMs: fc.integer({ min: 0, max: 20_000 }),
          silent: fc.boolean(),
          held: fc.boolean(),
          routeLost: fc.boolean(),
          seed: fc.integer({ min: 1, max: 1000 }),
        }),
        (p) => {
          runs++;
          const s = {
            ...base,
            durationMs: 400_000,
            settings: { ...base.settings, dhcp_delay: p.dhcpDelay, dhcp_renew_max_retry_count: p.retries, opflex_device_reconnect_wait_timeout: p.wait },
            faults: { ...base.faults, dhcpOfferExtraDelayMs: p.extraMs, dhcpSilent: p.silent, dhcpLeaseHeld: p.held, multicastRouteLost: p.routeLost },
          };
          const r = simulate(s, { seed: p.seed, recordTrace: true });
          const node1 = r.migrations.find((m) => m.node === 'node-1')!;
          const attempts = r.trace.filter((e) => e.event === 'dhcp-attempt' && e.data.node === 'node-1').length;
          assert.ok(attempts <= p.retries, `${attempts} attempts with dhcp_renew_max_retry_count ${p.retries}`);
          const changed = r.trace.find((e) => e.event === 'infra-address-changed' && e.data.node === 'node-1');
          if (node1.converged) {
            converged++;
            assert.ok(changed, 'converged without a new address');
            assert.match(String(changed.data.to), /^10\.1\./);
          }
          if (p.silent || p.retries === 0) assert.equal(node1.converged, false);
          assert.equal(r.migrations.find((m) => m.node === 'node-2')!.converged, true, 'the intra-pod move must converge');
        },
      ),
      fuzzParameters(12),
    );
    ctx.diagnostic(`simulations: ${runs}, cross-pod converged in ${converged}`);
  });

  it('keeps nothing alive once the inputs are gone', (ctx) => {
    collectGarbage();
    const after = process.memoryUsage();
    const mib = (n: number) => `${n >= 0 ? '+' : ''}${(n / 1024 ** 2).toFixed(1)} MiB`;
    ctx.diagnostic(`after a forced GC: heap ${mib(after.heapUsed - before.heapUsed)}, RSS ${mib(after.rss - before.rss)} over the start of the suite`);
    assert.ok(after.heapUsed - before.heapUsed < retainedHeapBytesMax, `the suite kept ${mib(after.heapUsed - before.heapUsed)} of heap`);
  });
});
