import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Emulator } from '../../src/live/emulator.ts';
import { testEmulator, testPort } from '../support/test-emulator.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { browserUnavailable, launchBrowser, recordForeignRequests } from '../support/browser.ts';
import { RawPeer, waitFor } from '../transport/socket-helpers.ts';

const TIME_SCALE = 20;
/** A bound on how long a stuck run may hang, not a performance assertion. */
const LIVENESS_MS = 60_000;
const SCREENSHOT = fileURLToPath(new URL('../../docs/images/dashboard.png', import.meta.url));

describe('the live dashboard that emulate serves at /', { skip: browserUnavailable(), timeout: 180_000 }, () => {
  const scenario = loadBuiltinScenario('default');
  const port = testPort();
  let emulator: Emulator;
  let browser: Browser;
  let page: Page;
  let url = '';
  let foreign: string[] = [];

  before(async () => {
    emulator = testEmulator({
      scenario,
      leafBase: '127.0.0.151',
      port,
      anycastHost: '127.0.0.36',
      timeScale: TIME_SCALE,
      agents: true,
    });
    const { control } = await emulator.start();
    url = `http://${control.host}:${control.port}`;
    await waitFor(() => [...emulator.twin.nodes.values()].every((vm) => vm.agent.health === 'HEALTHY'), 'every agent HEALTHY', LIVENESS_MS);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    foreign = recordForeignRequests(page, [url]);
    await page.goto(`${url}/`);
  });

  after(async () => {
    await browser?.close();
    await emulator?.stop();
  });

  it('answers a browser with the page and curl or fetch with the JSON index', async () => {
    const index = await fetch(`${url}/`);
    assert.match(index.headers.get('content-type')!, /^application\/json/);
    assert.ok(((await index.json()) as { endpoints: string[] }).endpoints.includes('/fabric'));
    const html = await fetch(`${url}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.match(html.headers.get('content-type')!, /^text\/html/);
    assert.match(html.headers.get('content-security-policy')!, /default-src 'none'.*connect-src 'self'/);
    const text = await html.text();
    assert.doesNotMatch(text, /<(script|link|img)[^>]+(src|href)="(https?:)?\/\//, 'nothing loaded from elsewhere');
  });

  it('shows the fabric: spines, every leaf pair with its leaves, hypervisors and node VMs, and the leaves each agent has sessions on', async () => {
    for (const spine of scenario.fabric.spines) await page.getByText(spine, { exact: true }).waitFor({ timeout: LIVENESS_MS });
    for (const pair of scenario.fabric.leafPairs) {
      const box = page.locator(`[data-pair="${pair.name}"]`);
      for (const leaf of pair.leaves) await box.locator(`[data-leaf="${leaf.name}"]`).waitFor({ timeout: LIVENESS_MS });
      for (const h of scenario.fabric.hypervisors.filter((x) => x.leafPair === pair.name)) await box.locator(`[data-hypervisor="${h.name}"]`).waitFor({ timeout: LIVENESS_MS });
    }
    for (const node of scenario.nodes) {
      const pair = scenario.fabric.hypervisors.find((h) => h.name === node.hypervisor)!.leafPair;
      const leaves = scenario.fabric.leafPairs.find((p) => p.name === pair)!.leaves.map((l) => l.name);
      const vm = page.locator(`[data-hypervisor="${node.hypervisor}"] [data-node="${node.name}"]`);
      await vm.getByText(`sessions on ${leaves.join(', ')}`).waitFor({ timeout: LIVENESS_MS });
      for (const leaf of leaves) await page.locator(`[data-leaf="${leaf}"] .chip.ready`, { hasText: node.name }).waitFor({ timeout: LIVENESS_MS });
    }
    const readySessions = scenario.nodes.length * 2;
    await page.locator('[data-tile="sessions-ready"] .n', { hasText: String(readySessions) }).waitFor({ timeout: LIVENESS_MS });
  });

  it('starts a migration from its form and shows it with its milestones as they arrive, in the tracker\'s order', async () => {
    await page.selectOption('#node', 'node-1');
    await page.selectOption('#to', 'esx-3');
    await page.click('#migrate button');
    await page.locator('#notice.ok', { hasText: 'Migration 1 started: node-1 esx-1 → esx-3' }).waitFor({ timeout: LIVENESS_MS });
    const card = page.locator('[data-migration="1"]');
    await card.locator('[data-milestone="stun-start"]').waitFor({ timeout: LIVENESS_MS });
    await card.locator('.pill.done').waitFor({ timeout: LIVENESS_MS });
    const shown = await card.locator('[data-milestone]').evaluateAll((items) => items.map((i) => i.getAttribute('data-milestone')));
    assert.deepEqual(shown, emulator.tracker.records[0]!.milestones.map((m) => m.name));
    for (const name of ['migration-start', 'stun-start', 'resume', 'platform-config-delete-sent', 'session-ready-2', 'policy-ready', 'converged']) assert.ok(shown.includes(name), name);
    await page.locator('[data-hypervisor="esx-3"] [data-node="node-1"]').getByText('sessions on leaf-103, leaf-104').waitFor({ timeout: LIVENESS_MS });
  });

  it('shows the API\'s own message when a migration is refused', async () => {
    await page.selectOption('#node', 'node-1');
    await page.selectOption('#to', 'esx-3');
    await page.click('#migrate button');
    await page.locator('#notice.error', { hasText: /Refused \(HTTP 4\d\d\): .*node-1.*esx-3/ }).waitFor({ timeout: LIVENESS_MS });
  });

  it('shows a session the emulator drops within moments (delay logged, not asserted)', async () => {
    const leaf = emulator.twin.leaves.get('leaf-103')!;
    const session = leaf.openSessions().find((s) => s.identity?.name === 'node-3' && s.state === 'ready')!;
    assert.ok(session, 'node-3 has a ready session on leaf-103');
    const before = await page.locator('#log li[data-event="session-closed"][data-actor="leaf-103"]').count();
    const droppedAt = performance.now();
    session.close('dropped by the dashboard test');
    await page.locator('#log li[data-event="session-closed"][data-actor="leaf-103"]').nth(before).waitFor({ timeout: LIVENESS_MS });
    const delayMs = performance.now() - droppedAt;
    console.log(`# session drop shown on the dashboard ${delayMs.toFixed(0)} ms after the emulator closed it`);
    assert.match((await page.locator('#log li[data-event="session-closed"][data-actor="leaf-103"]').first().textContent())!, /agent=node-3 .*reason=dropped by the dashboard test/);
  });

  it('shows OpFlex message rates by method from the counters in /metrics', async () => {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^opflex_twin_opflex_messages_total\{method="policy_resolve",direction="agent-to-leaf"\} [1-9]\d*$/m);
    for (const method of ['echo', 'policy_resolve', 'send_identity', 'all']) await page.locator(`#rates tr[data-method="${method}"]`).waitFor({ timeout: LIVENESS_MS });
  });

  it('makes no request beyond the control API it came from', async () => {
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      // Enough rate samples for the sparklines to show a shape.
      await page.locator('#rates th', { hasText: 'last 8 s' }).waitFor({ timeout: LIVENESS_MS });
      mkdirSync(fileURLToPath(new URL('../../docs/images/', import.meta.url)), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    }
    assert.deepEqual(foreign, []);
  });

  it('counts methods a peer makes up as "other", so no peer can grow the rate table', async () => {
    const peer = await RawPeer.open(port, '127.0.0.151');
    await peer.send('{"id":["made_up",1],"method":"made_up\\nmethod","params":[]}');
    await waitFor(() => peer.closed, 'the leaf to close the session', LIVENESS_MS);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^opflex_twin_opflex_messages_total\{method="other",direction="agent-to-leaf"\} [1-9]/m);
    assert.doesNotMatch(metrics, /made_up/);
    await page.locator('#rates tr[data-method="other"]').waitFor({ timeout: LIVENESS_MS });
  });
});
