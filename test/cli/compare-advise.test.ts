import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/capture.ts';

interface Comparison {
  variants: { values: Record<string, string>; migrations: { node: string; converged: boolean; switchoverToConvergedMs: number | null; resets: string[] }[] }[];
}

describe('compare', { timeout: 300_000 }, () => {
  it('runs the same plan and seed under each value and shows both outcomes', async () => {
    const { code, stdout } = await runCli(['compare', '--vary', 'enable_opflex_agent_reconnect=false,true', '--vary', 'platformConfigDeleteMissed=true', '--json']);
    assert.equal(code, 0);
    const result = JSON.parse(stdout) as Comparison;
    assert.deepEqual(result.variants.map((v) => v.values.enable_opflex_agent_reconnect), ['false', 'true']);
    const [off, on] = result.variants.map((v) => v.migrations.find((m) => m.node === 'node-1')!);
    assert.equal(off!.converged, false);
    assert.equal(on!.converged, true);
    assert.deepEqual(on!.resets, ['reset-conf']);
  });

  it('prints a side-by-side table by default', async () => {
    const { code, stdout } = await runCli(['compare', '--vary', 'latencies.apicFetch=100ms,2s']);
    assert.equal(code, 0);
    assert.match(stdout, /latencies\.apicFetch=100ms\s+1 node-1 cross-pair/);
    assert.match(stdout, /latencies\.apicFetch=2s\s+1 node-1 cross-pair/);
  });

  it('varies how the run begins: a cold and a steady start download the same objects for each move', async () => {
    const { code, stdout } = await runCli(['compare', '--vary', 'start=cold,steady', '--json']);
    assert.equal(code, 0);
    const result = JSON.parse(stdout) as { variants: { values: Record<string, string>; migrations: { node: string; converged: boolean; downloaded: number }[] }[] };
    assert.deepEqual(result.variants.map((v) => v.values.start), ['cold', 'steady']);
    const [cold, steady] = result.variants.map((v) => v.migrations.map((m) => [m.node, m.converged, m.downloaded]));
    assert.ok(cold!.some(([, , downloaded]) => (downloaded as number) > 0), 'the plan downloads something');
    assert.deepEqual(steady, cold);
  });

  it('names an unknown key and suggests the real ones', async () => {
    const { code, stderr } = await runCli(['compare', '--vary', 'reconnect=true']);
    assert.equal(code, 2);
    assert.match(stderr, /Unknown key "reconnect" \(did you mean settings\.enable_opflex_agent_reconnect/);
  });
});

describe('simulate --set', { timeout: 300_000 }, () => {
  it('changes one key of the scenario, and names the override when the value is invalid', async () => {
    const steady = await runCli(['simulate', '--set', 'start=steady', '--json']);
    assert.equal(steady.code, 0, steady.stderr);
    assert.ok((JSON.parse(steady.stdout) as { migrations: unknown[] }).migrations.length > 0);
    const bad = await runCli(['simulate', '--set', 'start=warm']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /\[start="warm"\].*start: expected one of "cold", "steady"/);
  });
});

describe('advise', { timeout: 300_000 }, () => {
  it('flags the default plan: reconnect off and the controller on a migrating node, and exits 1', async () => {
    const { code, stdout } = await runCli(['advise', '--json']);
    assert.equal(code, 1);
    const ids = (JSON.parse(stdout) as { risks: { id: string; effect: string }[] }).risks.map((r) => r.id);
    assert.deepEqual(ids.sort(), ['controller-on-migrating-node', 'reconnect-disabled']);
  });

  it('passes a plan with reconnect on and the controller on a node that stays, and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'advise-'));
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, 'migrations:\n  - { at: 20s, node: node-1, to: esx-3 }\ncontroller: { node: node-4 }\n');
    const acc = join(dir, 'acc.yaml');
    writeFileSync(acc, 'kube_config:\n  enable_opflex_agent_reconnect: true\n');
    const { code, stdout } = await runCli(['advise', '--acc-provision', acc, '--plan', plan]);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /No risk found/);
  });

  it('warns that a long reset-wait-delay can swallow the reset a quick second move needs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'advise-'));
    const plan = join(dir, 'plan.yaml');
    writeFileSync(plan, 'migrations:\n  - { at: 20s, node: node-1, to: esx-3 }\n  - { at: 30s, node: node-1, to: esx-4 }\ncontroller: { node: node-4 }\n');
    const acc = join(dir, 'acc.yaml');
    writeFileSync(acc, 'kube_config:\n  enable_opflex_agent_reconnect: true\n  opflex_agent_reset_wait_delay: 60\n');
    const { code, stdout } = await runCli(['advise', '--acc-provision', acc, '--plan', plan, '--json']);
    assert.equal(code, 1);
    const risks = (JSON.parse(stdout) as { risks: { id: string; effect: string }[] }).risks;
    const risk = risks.find((r) => r.id === 'reset-wait-delay-suppresses-reset');
    assert.ok(risk, JSON.stringify(risks.map((r) => r.id)));
    assert.match(risk.effect, /with 60 s it does not converge/);
  });

  it('checks an evacuation: every VM on the host counts as moving, and a large plan is summed up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'advise-'));
    const plan = join(dir, 'evacuate.yaml');
    const generated = await runCli(['generate', '--leaf-pairs', '2', '--hypervisors', '4', '--nodes', '40', '--pods-per-node', '2', '--epgs', '6', '--evacuate', '1', '-o', plan]);
    assert.equal(generated.code, 0, generated.stderr);
    const { code, stdout } = await runCli(['advise', plan, '--json']);
    assert.equal(code, 1);
    const risks = (JSON.parse(stdout) as { risks: { id: string; title: string; effect: string }[] }).risks;
    const controller = risks.find((r) => r.id === 'controller-on-migrating-node');
    assert.ok(controller, `the controller's node is on the evacuated host: ${JSON.stringify(risks.map((r) => r.id))}`);
    const reconnect = risks.find((r) => r.id === 'reconnect-disabled')!;
    assert.match(reconnect.effect, /with the setting off, \d+ of 10 moves converge/);
  });

  it('flags a plan that makes one leaf pair download many objects at once', async () => {
    const { code, stdout } = await runCli(['advise', '--storm-objects', '3', '--json']);
    assert.equal(code, 1);
    assert.ok((JSON.parse(stdout) as { risks: { id: string }[] }).risks.some((r) => r.id === 'download-storm'));
  });
});
