/**
 * The HTML report in Debian's Chromium: what a person sees is what the run measured, the page works
 * offline, and a plan's table of moves filters. UPDATE_SCREENSHOTS=1 also writes docs/images/report.png.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserUnavailable, launchBrowser, openReportPage } from '../support/browser.ts';
import { runCli } from '../support/capture.ts';

interface JsonReport {
  migrations: {
    index: number;
    node: string;
    switchoverToConvergedMs: number | null;
    milestones: { name: string }[];
    downloadsByLeaf: Record<string, { downloaded: number; servedFromCache: number }>;
    flows: { name: string; outageMs: number; dropped: Record<string, number> }[];
  }[];
}

const skip = browserUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-report-'));
let browser: Browser;

before(async () => {
  if (!skip) browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

function openReport(path: string, width?: number): ReturnType<typeof openReportPage> {
  return openReportPage(browser, path, width);
}

describe('the HTML report', { skip, timeout: 180_000 }, () => {
  let json: JsonReport;
  let terminal: string;
  const html = join(dir, 'default.html');

  before(async () => {
    const run = await runCli(['simulate', '--html', html, '--json']);
    assert.equal(run.code, 0, run.stderr);
    json = JSON.parse(run.stdout) as JsonReport;
    terminal = (await runCli(['simulate'])).stdout;
  });

  it("shows both migrations' lanes with the milestones in the order they happened", { timeout: 60_000 }, async () => {
    const { page, errors } = await openReport(html);
    assert.equal(json.migrations.length, 2);
    for (const m of json.migrations) {
      const card = page.locator(`section.move[data-migration="${m.index}"]`);
      await card.getByRole('button', { name: 'Whole move' }).click();
      const lanes = await card.locator('.swimlane g.lane').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-lane')));
      for (const lane of ['vMotion', 'Source leaves', 'Destination leaves', 'Agent']) assert.ok(lanes.includes(lane), `lane ${lane} of migration ${m.index + 1}`);
      const names = await card.locator('.swimlane g.milestone').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-name')));
      assert.deepEqual(names, m.milestones.map((s) => s.name));
      assert.equal(names.at(-1), 'converged');
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('draws every outage bar in the colours of the drop reasons the JSON lists', { timeout: 60_000 }, async () => {
    const { page } = await openReport(html);
    for (const m of json.migrations) {
      const card = page.locator(`section.move[data-migration="${m.index}"]`);
      await card.getByRole('button', { name: 'Whole move' }).click();
      for (const f of m.flows) {
        const reasons = await card.locator(`.flows g.flow[data-flow="${f.name}"] rect.segment`).evaluateAll((rs) => [...new Set(rs.map((r) => r.getAttribute('data-reason')))]);
        assert.deepEqual(reasons.sort(), Object.keys(f.dropped).sort(), `flow ${f.name} of migration ${m.index + 1}`);
        const colours = await card.locator(`.flows g.flow[data-flow="${f.name}"] rect.segment`).evaluateAll((rs) => rs.map((r) => `${r.getAttribute('data-reason')}=${r.getAttribute('fill')}`));
        assert.equal(new Set(colours).size, reasons.length, 'one colour per reason');
      }
      const legend = await card.locator('.legend [data-reason]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-reason')));
      assert.deepEqual(legend.sort(), [...new Set(m.flows.flatMap((f) => Object.keys(f.dropped)))].sort());
    }
    await page.close();
  });

  it('shows the same convergence, outage per flow and downloads per leaf as the JSON and the terminal report', { timeout: 60_000 }, async () => {
    const { page } = await openReport(html);
    for (const m of json.migrations) {
      const card = page.locator(`section.move[data-migration="${m.index}"]`);
      const convergence = await card.locator('.figure', { hasText: 'switch-over to converged' }).locator('.v').textContent();
      const inJson = `${(m.switchoverToConvergedMs! / 1000).toFixed(3)} s`;
      assert.equal(convergence, inJson);
      assert.match(terminal, new RegExp(`Migration ${m.index + 1}: ${m.node} .*converged ${inJson} after the switch-over`));
      for (const f of m.flows) {
        const shown = Number(await card.locator(`.flows g.flow[data-flow="${f.name}"]`).getAttribute('data-outage-ms'));
        assert.equal(Math.round(shown * 1000) / 1000, f.outageMs, `outage of ${f.name}`);
        assert.match(terminal, new RegExp(`${f.name}\\s+outage\\s+${(f.outageMs / 1000).toFixed(3)} s`));
      }
      for (const [leaf, d] of Object.entries(m.downloadsByLeaf)) {
        const row = card.locator(`.leaf-downloads[data-leaf="${leaf}"]`);
        assert.equal(Number(await row.getAttribute('data-downloaded')), d.downloaded, `downloads of ${leaf}`);
        assert.equal(Number(await row.getAttribute('data-cache')), d.servedFromCache, `cache hits of ${leaf}`);
        assert.match(terminal, new RegExp(`${leaf}: ${d.downloaded} downloaded from APIC.*, ${d.servedFromCache} resolves served from cache`));
      }
    }
    await page.close();
  });

  it('draws the switch-over exchange with the agent, anycast, the leaves and APIC', { timeout: 60_000 }, async () => {
    const { page } = await openReport(html);
    const card = page.locator('section.move[data-migration="0"]');
    const participants = await card.locator('g.participant').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-participant')));
    assert.deepEqual(participants, ['agent:node-1', 'anycast', 'leaf-102', 'leaf-103', 'leaf-104', 'apic']);
    const methods = new Set(await card.locator('g.message').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-method'))));
    for (const m of ['policy_update', 'send_identity', 'policy_resolve', 'endpoint_declare', 'download']) assert.ok(methods.has(m), m);
    await page.close();
  });

  it('makes no network request and works in a narrow window', { timeout: 60_000 }, async () => {
    const { page, foreign, errors } = await openReport(html, 420);
    const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(scrollWidth <= 440, `page ${scrollWidth} px wide in a 420 px window`);
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
    const source = readFileSync(html, 'utf8');
    assert.doesNotMatch(source, /<(?:script|link|img)[^>]+(?:src|href)=/i, 'nothing loaded from elsewhere');
    await page.close();
  });

  it('is the same page when drawn from the saved trace with show', { timeout: 60_000 }, async () => {
    const trace = join(dir, 'default.ndjson');
    assert.equal((await runCli(['simulate', '--trace', trace])).code, 0);
    const shown = join(dir, 'shown.html');
    const show = await runCli(['show', trace, '-o', shown]);
    assert.equal(show.code, 0, show.stderr);
    assert.equal(readFileSync(shown, 'utf8'), readFileSync(html, 'utf8'));
  });

  it('writes the README screenshot when UPDATE_SCREENSHOTS=1', { skip: process.env.UPDATE_SCREENSHOTS !== '1', timeout: 60_000 }, async () => {
    const { page } = await openReport(html, 1100);
    const card = await page.locator('section.move[data-migration="0"]').boundingBox();
    // The card down to the first messages of the exchange (the PNG stays small for the README).
    await page.screenshot({ path: 'docs/images/report.png', fullPage: true, clip: { x: card!.x, y: card!.y, width: card!.width, height: Math.min(card!.height, 1080) } });
    await page.close();
  });
});

describe('the HTML report of a plan (preset M)', { skip, timeout: 300_000 }, () => {
  const html = join(dir, 'm.html');

  before(async () => {
    const run = await runCli(['simulate', '--preset', 'M', '--html', html]);
    assert.equal(run.code, 0, run.stderr);
  });

  it('opens, renders, and filters its table of moves', { timeout: 120_000 }, async () => {
    const started = performance.now();
    const { page, foreign, errors } = await openReport(html);
    const openMs = performance.now() - started;
    const inPage = await page.getAttribute('body', 'data-rendered-ms');
    console.log(`preset M report: opened and rendered in ${Math.round(openMs)} ms (script ${inPage} ms)`);
    const rows = page.locator('table.moves tbody tr');
    const all = await rows.count();
    assert.equal(all, 100);
    const node = await rows.first().getAttribute('data-node');
    await page.getByLabel('Filter moves').fill(node!);
    const filtered = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-node')));
    assert.ok(filtered.length >= 1 && filtered.length < all, `${filtered.length} rows for "${node}"`);
    assert.ok(filtered.every((n) => n!.includes(node!)));
    await page.getByLabel('Filter moves').fill('');
    await page.getByLabel('Which moves').selectOption('stuck');
    assert.equal(await rows.count(), 0, 'every move of M converges');
    await page.getByLabel('Which moves').selectOption('all');
    await page.locator('th[data-key="outage"]').click();
    const outages = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[5]!.textContent));
    assert.equal(outages.length, all);
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
