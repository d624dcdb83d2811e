/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core (never a
 * downloaded browser). `.ci/run` installs the package when it is missing.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can (for `test(..., { skip })`). */
export function browserUnavailable(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

/** Every request the page makes that is not to one of the allowed origins (file:, data: and blob: are local). */
export function recordForeignRequests(page: Page, allowedOrigins: readonly string[] = []): string[] {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (/^(file|data|blob|about):/.test(url)) return;
    if (allowedOrigins.some((origin) => url.startsWith(origin))) return;
    foreign.push(url);
  });
  return foreign;
}

/** An HTML report file opened in a new page, once its script has drawn it (body[data-ready]); page errors and foreign requests recorded. */
export async function openReportPage(browser: Browser, path: string, width = 1280): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const foreign = recordForeignRequests(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`file://${path}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, foreign, errors };
}
