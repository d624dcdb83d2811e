/**
 * `check --html` and `check --replay FILE --html`: the page is the same whatever --jobs (but for its
 * wall-clock figures), and in Debian's Chromium it shows what `check --json` says, each known
 * hazard's shrunk reproduction with its fault windows, a findings table that sorts and filters, and
 * makes no network request. Seeds 440..463 of the default scenario meet a known hazard (seed 448 is
 * the one README's "Fault exploration" tells of).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserUnavailable, launchBrowser, openReportPage } from '../support/browser.ts';
import { runCli } from '../support/capture.ts';

interface CheckJson {
  seedsRun: number;
  seedsPerS: number;
  faultsInjected: Record<string, number>;
  violationsByInvariant: Record<string, number>;
  hazardsByName: Record<string, number>;
}

interface ReplayJson {
  violations: { invariant: string }[];
  hazards: { hazard: string; node: string }[];
  traceAround: { event: string }[];
}

const SEEDS = ['--first-seed', '440', '--seeds', '24'];
const REPLAY_FIXTURE = 'test/fixtures/check/evacuation-then-lost-delete.yaml';
const dir = mkdtempSync(join(tmpdir(), 'opflex-twin-check-report-'));
const oneJob = join(dir, 'check-jobs-1.html');
const twoJobs = join(dir, 'check-jobs-2.html');
const replayHtml = join(dir, 'replay.html');
let json: CheckJson;
let replayJson: ReplayJson;

/** The page with its one wall-clock field blanked. */
function withoutTiming(html: string): string {
  const blanked = html.replace(/"timing":\{"wallMs":[0-9.e+-]+,"seedsPerS":[0-9.e+-]+\}/, '"timing":null');
  assert.notEqual(blanked, html, 'the page carries its timing as one field');
  return blanked;
}

before(async () => {
  const one = await runCli(['check', ...SEEDS, '--jobs', '1', '--json', '--out', join(dir, 'repro'), '--html', oneJob]);
  assert.equal(one.code, 0, one.stderr);
  json = JSON.parse(one.stdout) as CheckJson;
  const two = await runCli(['check', ...SEEDS, '--jobs', '2', '--out', join(dir, 'repro'), '--html', twoJobs]);
  assert.equal(two.code, 0, two.stderr);
  const replay = await runCli(['check', '--replay', REPLAY_FIXTURE, '--json', '--html', replayHtml]);
  assert.equal(replay.code, 0, replay.stderr);
  replayJson = JSON.parse(replay.stdout) as ReplayJson;
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('check --html', { timeout: 180_000 }, () => {
  it('writes the same bytes with one job and with two worker threads, but for the wall-clock figures', { timeout: 30_000 }, () => {
    assert.ok(Object.keys(json.hazardsByName).length > 0, 'the seed range meets a known hazard');
    assert.equal(withoutTiming(readFileSync(twoJobs, 'utf8')), withoutTiming(readFileSync(oneJob, 'utf8')));
  });

  it('refuses an --html path it cannot write, naming the option', { timeout: 30_000 }, async () => {
    const run = await runCli(['check', '--replay', REPLAY_FIXTURE, '--html', join(dir, 'no-such-dir', 'r.html')]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /--html .*no-such-dir.*: cannot write: ENOENT/);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  });
});

const skip = browserUnavailable();

describe('the check report in a browser', { skip, timeout: 240_000 }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  const open = (path: string) => openReportPage(browser, path);

  it('shows the summary figures check --json printed, and makes no network request', { timeout: 60_000 }, async () => {
    const { page, foreign, errors } = await open(oneJob);
    const figure = (id: string) => page.locator(`[data-figure="${id}"] .v`).textContent();
    assert.equal(await figure('seeds-run'), String(json.seedsRun));
    assert.equal(await figure('seeds-per-s'), json.seedsPerS.toFixed(1));
    const bars = await page.locator('.faults-by-kind .row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-name'), Number(r.getAttribute('data-count'))]));
    assert.deepEqual(Object.fromEntries(bars), json.faultsInjected);
    const hazards = await page.locator('table.hazards tbody tr').evaluateAll((rows) => rows.map((r) => [r.children[0]!.textContent, Number(r.children[1]!.textContent)]));
    assert.deepEqual(Object.fromEntries(hazards), json.hazardsByName);
    const violations = await page.locator('table.violations tbody tr').evaluateAll((rows) => rows.map((r) => [r.children[0]!.textContent, Number(r.children[1]!.textContent)]));
    assert.deepEqual(Object.fromEntries(violations), json.violationsByInvariant);
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("draws each known hazard's shrunk reproduction as its run, with its fault windows and the trace around it", { timeout: 60_000 }, async () => {
    const { page, errors } = await open(oneJob);
    for (const name of Object.keys(json.hazardsByName)) {
      const repro = page.locator(`.reproduction[data-kind="hazard"][data-name="${name}"]`);
      assert.equal(await repro.count(), 1, `a reproduction of ${name}`);
      const scheduled = await repro.locator('.fault-schedule li').count();
      assert.ok(scheduled > 0, 'the shrunk reproduction keeps a fault');
      assert.equal(await repro.locator('.run-timeline rect.fault-window').count(), scheduled, 'a window per scheduled fault on the run timeline');
      assert.equal(await repro.locator('ol.trace-around li[data-event="fault-start"]').count(), scheduled, 'the trace around it shows every fault start');
      // On a move's whole timeline, the fault windows that overlap it are shaded.
      const moves = repro.locator('section.move');
      assert.ok((await moves.count()) > 0, 'the run view draws its moves');
      let shaded = 0;
      for (let i = 0; i < (await moves.count()); i++) {
        await moves.nth(i).getByRole('button', { name: 'Whole move' }).click();
        shaded += await moves.nth(i).locator('.swimlane rect.fault-window').count();
      }
      assert.ok(shaded > 0, 'a fault window is shaded on a move timeline');
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('sorts and filters the table of seeds with a finding', { timeout: 60_000 }, async () => {
    const { page } = await open(oneJob);
    const rows = page.locator('table.findings tbody tr');
    const seeds = () => rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-seed'))));
    const all = await seeds();
    assert.deepEqual(all, [...all].sort((a, b) => a - b), 'by seed, lowest first');
    for (const [name, n] of Object.entries(json.hazardsByName)) {
      const withName = await rows.evaluateAll((trs, h) => trs.filter((tr) => tr.children[2]!.textContent!.split(', ').includes(h)).length, name);
      assert.equal(withName, n, `seeds with ${name}`);
    }
    await page.locator('table.findings th[data-key="seed"]').click();
    assert.deepEqual(await seeds(), [...all].sort((a, b) => b - a), 'a click on the head sorts the other way');
    const verdicts = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-verdict')));
    await page.getByLabel('Which seeds').selectOption('violation');
    const violating = await verdicts();
    assert.ok(violating.every((v) => v === 'violation'));
    if (Object.keys(json.violationsByInvariant).length === 0) assert.equal(violating.length, 0);
    await page.getByLabel('Which seeds').selectOption('hazard');
    const hazardous = await verdicts();
    assert.ok(hazardous.length > 0 && hazardous.every((v) => v === 'hazard'));
    assert.equal(violating.length + hazardous.length, all.length);
    await page.getByLabel('Filter seeds').fill(String(all[0]));
    assert.deepEqual(await seeds(), [all[0]]);
    await page.getByLabel('Filter seeds').fill('no such fault');
    assert.equal(await rows.count(), 0);
    assert.match((await page.locator('.findings .toolbar .hint').textContent())!, new RegExp(`^0 of ${all.length} seeds$`));
    await page.close();
  });

  it('check --replay --html shows that run with its verdict at the top', { timeout: 60_000 }, async () => {
    const { page, foreign, errors } = await open(replayHtml);
    const expected = replayJson.violations.length > 0 ? 'violation' : replayJson.hazards.length > 0 ? 'hazard' : 'holds';
    assert.equal(await page.locator('.replay-verdict h1 .badge').getAttribute('data-verdict'), expected);
    const listed = await page.locator('.replay-verdict .verdicts li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-name')));
    assert.deepEqual(listed, [...replayJson.violations.map((v) => v.invariant), ...replayJson.hazards.map((h) => h.hazard)]);
    const scheduled = await page.locator('.fault-schedule li').count();
    assert.equal(await page.locator('.run-timeline rect.fault-window').count(), scheduled);
    const traced = await page.locator('ol.trace-around li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-event')));
    assert.deepEqual(traced, replayJson.traceAround.map((e) => e.event));
    assert.deepEqual(foreign, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
