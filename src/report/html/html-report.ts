/**
 * One self-contained HTML file: the page's data as JSON, uPlot's script and styles, and the page's
 * own script (report-app.js) and styles, all inline, so it opens from disk with no network request.
 * Everything the data names is put in the page as text by the script, never as markup.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PAGE_TEXTS, type ReportPage } from './report-page.ts';
import { detailedMovesMax } from './run-view.ts';

const require = createRequire(import.meta.url);
const here = (name: string) => new URL(name, import.meta.url);

let assets: { uplotJs: string; uplotCss: string; appJs: string; appCss: string } | undefined;

function loadAssets(): NonNullable<typeof assets> {
  assets ??= {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    appJs: readFileSync(here('report-app.js'), 'utf8'),
    appCss: readFileSync(here('report.css'), 'utf8'),
  };
  return assets;
}

/** JSON that is safe inside a <script> element: no "</script", no "<!--", no line separators. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Inline script text must not close its element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script');
}

export function renderHtmlReport(page: ReportPage): string {
  const a = loadAssets();
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No request may leave the page, whatever the data says.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeText(page.title)}</title>`,
    `<style>${a.uplotCss}</style>`,
    `<style>${a.appCss}</style>`,
    '</head>',
    '<body>',
    '<div id="app"><p class="loading">Rendering the report…</p></div>',
    `<script type="application/json" id="report-data">${scriptSafeJson({ ...page, texts: PAGE_TEXTS, detailedMovesMax })}</script>`,
    `<script>${inlineScript(a.uplotJs)}</script>`,
    `<script>${inlineScript(a.appJs)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
