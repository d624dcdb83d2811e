/**
 * The Markdown summary: its Mermaid block renders with the mermaid package in Chromium and shows
 * every participant and every step of the switch-over exchange.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { RunReportBuilder } from '../../src/report/run-report.ts';
import { exchangeSteps, stepLabel, switchoverExchange } from '../../src/report/switchover-exchange.ts';
import { mermaidStepsMax } from '../../src/report/markdown-summary.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { simulate } from '../../src/simulation.ts';
import { browserUnavailable, launchBrowser, recordForeignRequests } from '../support/browser.ts';
import { runCli } from '../support/capture.ts';

const skip = browserUnavailable();
const mermaidJs = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

describe('the Markdown summary', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-md-'));
  let browser: Browser | undefined;
  let markdown: string;

  before(async () => {
    const path = join(dir, 'summary.md');
    const run = await runCli(['simulate', '--markdown', path]);
    assert.equal(run.code, 0, run.stderr);
    markdown = readFileSync(path, 'utf8');
    if (!skip) browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sums up each move: outcome, outage per flow with its drop reasons, downloads', () => {
    assert.match(markdown, /^## opflex-twin simulate: default/);
    assert.match(markdown, /\| 1 \| node-1 \| esx-1 → esx-3 \| converged 4\.834 s after the switch-over \| 2\.200 s \| 12 \|/);
    assert.match(markdown, /\| web-to-api \| 2\.100 s \| 10 vm-stunned, 2 stale-local-entry, 9 no-policy \|/);
    assert.equal(markdown.match(/```mermaid/g)?.length, 2, 'one diagram per migration');
  });

  it('renders its Mermaid diagram with every participant and step of the switch-over', { skip, timeout: 60_000 }, async () => {
    const builder = new RunReportBuilder();
    simulate(loadBuiltinScenario('default'), { onTraceEvent: builder.onEvent });
    const exchange = switchoverExchange(builder.finish().migrations[0]!);
    const steps = exchangeSteps(exchange).slice(0, mermaidStepsMax);
    const block = /```mermaid\n([\s\S]*?)\n```/.exec(markdown)![1]!;

    const page = await browser!.newPage();
    const foreign = recordForeignRequests(page);
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ path: mermaidJs });
    const svg = await page.evaluate(async (code) => {
      const page = globalThis as unknown as {
        mermaid: { initialize(o: object): void; render(id: string, text: string): Promise<{ svg: string }> };
        document: { getElementById(id: string): { innerHTML: string } };
      };
      page.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const { svg } = await page.mermaid.render('switchover', code);
      page.document.getElementById('out').innerHTML = svg;
      return svg;
    }, block);
    assert.match(svg, /^<svg/);
    const actors = await page.locator('#out text.actor').evaluateAll((ts) => [...new Set(ts.map((t) => t.textContent!.trim()))]);
    assert.deepEqual(actors.sort(), [...exchange.participants].sort());
    const messages = await page.locator('#out text.messageText').evaluateAll((ts) => ts.map((t) => t.textContent!));
    assert.deepEqual(messages, steps.map(stepLabel));
    assert.deepEqual(foreign, []);
    await page.close();
  });
});
