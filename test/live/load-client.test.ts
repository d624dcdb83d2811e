/**
 * The load client (what `opflex-twin load` runs) against an in-process emulator, in each of its
 * modes: the figures it reports agree with what the emulator saw, it stops at its duration, and a
 * refused connection is reported rather than counted as load.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../../src/live/emulator.ts';
import { holdSessions, resetStorm, resolveFlood } from '../../src/live/load-client.ts';
import { buildPolicyUniverse, epgUri } from '../../src/model/policy-builder.ts';
import { policyClosure } from '../../src/model/policy-closure.ts';
import { DEFAULT_PROXY_LIMITS } from '../../src/opflex/proxy-limits.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import type { Endpoint } from '../../src/transport/transport.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { unusedPort, waitFor } from '../transport/socket-helpers.ts';

const LIVENESS_MS = 60_000;
const LEAF_BASE = '127.0.10.1';
const ANYCAST_HOST = '127.0.10.30';
/** The flood's unmeasured warm-up before its duration starts (WARM_UP_MS in load-client.ts). */
const FLOOD_WARM_UP_MS = 3000;
/** Node timers may fire up to a millisecond before performance.now() says they are due. */
const TIMER_GRANULARITY_MS = 2;

describe('the load client against an in-process emulator', { timeout: 120_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const port = testPort();
  const leaves: Endpoint[] = [
    { host: '127.0.10.1', port },
    { host: '127.0.10.2', port },
  ];
  const domain = scenario.policy.domain;
  let emulator: Emulator;

  /** Ready sessions on the emulator's leaves whose agent name starts with `prefix`. */
  const sessionsNamed = (prefix: string): number =>
    [...emulator.twin.leaves.values()].flatMap((leaf) => leaf.openSessions()).filter((s) => s.identity?.name.startsWith(prefix)).length;

  before(async () => {
    emulator = testEmulator({ scenario, leafBase: LEAF_BASE, port, anycastHost: ANYCAST_HOST, timeScale: 20, agents: false });
    await emulator.start();
  });

  after(async () => {
    await emulator.stop();
  });

  it('hold: opens and holds every session, reports them held, and closes them when stopped', async () => {
    const held = await holdSessions(leaves, 6, domain, 200);
    try {
      assert.equal(held.held, 6);
      assert.equal(held.failed, 0);
      assert.ok(held.openMs >= 0);
      assert.equal(sessionsNamed('load-'), 6, 'the emulator holds the six sessions');
    } finally {
      await held.stop();
    }
    await waitFor(() => sessionsNamed('load-') === 0, 'the held sessions to close', LIVENESS_MS);
  });

  it('hold: counts sessions to an address that refuses as failed, not held', async () => {
    const refused: Endpoint = { host: '127.0.0.1', port: await unusedPort() };
    const held = await holdSessions([refused], 3, domain, 1);
    await held.stop();
    assert.deepEqual({ held: held.held, failed: held.failed }, { held: 0, failed: 3 });
  });

  it('resolve: counts answered requests as replies, no errors, and stops at its duration', async () => {
    const universe = buildPolicyUniverse(scenario.policy);
    const uris = policyClosure(universe, [{ subject: 'GbpEpGroup', uri: epgUri(scenario.policy.tenant, scenario.policy.epgs[0]!.name) }]);
    const durationMs = 500;
    const t0 = performance.now();
    const flood = await resolveFlood(leaves, uris, 2, 4, durationMs, domain, process.pid);
    const elapsed = performance.now() - t0;
    assert.ok(flood.replies > 0, `replies ${flood.replies}`);
    assert.equal(flood.errors, 0);
    // Every reply is a whole frame of the EPG closure's objects; latencies and CPU are measured.
    assert.ok(flood.replyBytes >= flood.replies * '{"id":["policy_resolve",0],"result":{"policy":[]}}'.length, `bytes ${flood.replyBytes}`);
    assert.ok(flood.replyBytesPerS > 0);
    assert.ok(flood.latencyP50Ms > 0 && flood.latencyP50Ms <= flood.latencyP99Ms, `p50 ${flood.latencyP50Ms} ms, p99 ${flood.latencyP99Ms} ms`);
    assert.ok(flood.serverCpuUsPerReply! > 0 && flood.clientCpuUsPerReply > 0, `server ${flood.serverCpuUsPerReply} us, client ${flood.clientCpuUsPerReply} us per reply`);
    assert.ok(elapsed >= FLOOD_WARM_UP_MS + durationMs - TIMER_GRANULARITY_MS, `returned after ${elapsed} ms, before warm-up and duration`);
    // The rate is replies over the measured window, which lasts the duration.
    const windowMs = (flood.replies / flood.repliesPerS) * 1000;
    assert.ok(windowMs >= durationMs - TIMER_GRANULARITY_MS, `replies ${flood.replies} at ${flood.repliesPerS}/s: a window of ${windowMs} ms`);
    await waitFor(() => sessionsNamed('flood-') === 0, 'the flood sessions to close once it returns', LIVENESS_MS);
  });

  it('resolve: counts error replies as errors, not replies', async () => {
    // A URI past the leaf's bound gets an error reply (an unknown but valid URI would get an empty policy).
    const tooLong = [{ subject: 'GbpEpGroup', uri: `/PolicyUniverse/${'x'.repeat(DEFAULT_PROXY_LIMITS.uriCharsMax)}/` }];
    const flood = await resolveFlood([leaves[0]!], tooLong, 1, 2, 300, domain);
    assert.equal(flood.replies, 0);
    assert.ok(flood.errors > 0, `errors ${flood.errors}`);
  });

  it('resolve: a server pid whose CPU time cannot be read fails at once, naming the pid', async () => {
    await assert.rejects(resolveFlood(leaves, [], 1, 1, 100, domain, 2 ** 31 - 1), /^Error: cannot read the CPU time of process 2147483647 \(\/proc\/2147483647\/task\): ENOENT$/);
  });

  it('resolve: reports a refused connection with its address', async () => {
    const refused: Endpoint = { host: '127.0.0.1', port: await unusedPort() };
    await assert.rejects(resolveFlood([refused], [], 1, 1, 100, domain), new RegExp(`^Error: cannot load 127\\.0\\.0\\.1:${refused.port}: ECONNREFUSED$`));
  });

  it('storm: bootstraps full agents through the anycast proxy, resets them all, and reports them back', async () => {
    const storm = await resetStorm(scenario, { host: ANYCAST_HOST, port }, 2);
    assert.equal(storm.agents, 2);
    assert.ok(storm.bootstrapMs > 0 && storm.stormMs > 0);
    assert.ok(storm.resolves > 0, `resolves ${storm.resolves}`);
    await waitFor(() => sessionsNamed('node-') === 0, "the storm agents' sessions to close", LIVENESS_MS);
  });
});
