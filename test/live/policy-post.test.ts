import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../../src/live/emulator.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { platformConfigUri, policySpaceUri, epgUri } from '../../src/model/policy-builder.ts';
import { PolicyValidationError } from '../../src/model/policy-validation.ts';
import { parseJson } from '../../src/opflex/lossless-json.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { RawPeer, waitFor } from '../transport/socket-helpers.ts';

const LIVENESS_MS = 30_000;

/** Emulator.updatePolicy is what POST /policy calls with the parsed body. */
describe('an operator policy change at the emulator', { timeout: 60_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const port = testPort();
  const pcUri = platformConfigUri(scenario.policy.domain);
  let emulator: Emulator;
  let peer: RawPeer;
  let resolves = 0;

  async function resolvePlatformConfig(): Promise<string> {
    const id = ++resolves;
    const before = peer.frames.length;
    await peer.send(`{"id":["policy_resolve",${id}],"method":"policy_resolve","params":[{"subject":"PlatformConfig","policy_uri":${JSON.stringify(pcUri)},"prr":7200}]}`);
    const prefix = `{"id":["policy_resolve",${id}]`;
    await waitFor(() => peer.frames.slice(before).some((f) => f.startsWith(prefix)), `the answer to resolve ${id}`, LIVENESS_MS);
    return peer.frames.slice(before).find((f) => f.startsWith(prefix))!;
  }

  function refused(body: unknown): PolicyValidationError {
    const held = emulator.twin.apic.policy.size;
    try {
      emulator.updatePolicy(body);
    } catch (err) {
      assert.ok(err instanceof PolicyValidationError, String(err));
      assert.equal(emulator.twin.apic.policy.size, held, 'nothing of a refused change applies');
      return err;
    }
    assert.fail('expected the change to be refused');
  }

  before(async () => {
    emulator = testEmulator({
      scenario, leafBase: '127.0.0.131', port, anycastHost: '127.0.0.32', timeScale: 50, agents: false,
    });
    await emulator.start();
    peer = await RawPeer.open(port, '127.0.0.131');
    await peer.send(JSON.stringify({ id: ['send_identity', 1], method: 'send_identity', params: [{ proto_version: '1.0', name: 'node-1', domain: scenario.policy.domain, my_role: ['policy_element'] }] }));
    await resolvePlatformConfig();
  });

  after(async () => {
    peer.destroy();
    await emulator.stop();
  });

  it('refuses property data nested 1,100 deep, and the next resolve is answered', async () => {
    const pc = emulator.twin.apic.policy.get(pcUri)!;
    const body = JSON.parse(`{"replace":[${JSON.stringify({ ...pc, properties: [{ name: 'name', data: 0 }] }).replace('"data":0', `"data":${'['.repeat(1100)}1${']'.repeat(1100)}`)}]}`) as unknown;
    assert.match(refused(body).message, /replace #0 .*field "properties\[0\]\.data\[0\]\[0\]\[0\]\[0\]": is nested deeper than 4 levels/);
    assert.match(await resolvePlatformConfig(), /"result":\{"policy":\[\{"subject":"PlatformConfig"/);
  });

  it('refuses a child cycle A -> B -> A and a PlatformConfig that lists itself, and keeps answering', async () => {
    const space = emulator.twin.apic.policy.get(policySpaceUri(scenario.policy.tenant))!;
    const epg = emulator.twin.apic.policy.get(epgUri(scenario.policy.tenant, scenario.nodes[0]!.pods[0]!.epg))!;
    assert.match(refused({ replace: [space, { ...epg, children: [space.uri] }] }).message, /replace #1 .*field "children\[0\]": lists its own ancestor/);
    const pc = emulator.twin.apic.policy.get(pcUri)!;
    assert.match(refused({ replace: [{ ...pc, children: [pcUri] }] }).message, /lists the object itself as a child/);
    assert.match(refused({ merge_children: [{ ...pc, children: [pcUri] }] }).message, /merge_children #0/);
    assert.equal(emulator.twin.apic.policy.subtree(pcUri).length, 1);
    assert.match(await resolvePlatformConfig(), /"result":\{"policy":\[\{"subject":"PlatformConfig"/);
  });

  it('applies a valid change with a U64 past 2^53 exactly and pushes it to the subscriber', async () => {
    const pc = emulator.twin.apic.policy.get(pcUri)!;
    const text = JSON.stringify({ replace: [{ ...pc, properties: [...pc.properties, { name: 'serial', data: 0 }] }] }).replace('"data":0', '"data":18446744073709551615');
    const before = peer.frames.length;
    assert.deepEqual(emulator.updatePolicy(parseJson(text)), { replaced: 1, merged: 0, deleted: 0 });
    await waitFor(() => peer.frames.slice(before).some((f) => f.includes('"method":"policy_update"')), 'the policy_update', LIVENESS_MS);
    assert.match(peer.frames.slice(before).find((f) => f.includes('"method":"policy_update"'))!, /\{"name":"serial","data":18446744073709551615\}/);
  });
});
