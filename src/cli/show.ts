import { renderHtmlReport } from '../report/html/html-report.ts';
import type { ReportPage } from '../report/html/report-page.ts';
import { runView } from '../report/html/run-view.ts';
import { markdownSummary } from '../report/markdown-summary.ts';
import type { RunReport } from '../report/run-report.ts';
import { reportFromTraceFile, TraceFileError } from '../report/trace-file.ts';
import { defineCommand } from './command.ts';
import { UsageError } from './usage-error.ts';
import { writeOutputFile } from './run-options.ts';
import { commandSummary } from './command-index.ts';

/** The --html and --markdown files of one run, when asked for. */
export async function writeRunReports(report: RunReport, title: string, html: string | undefined, markdown: string | undefined, htmlOption = 'html'): Promise<void> {
  if (html !== undefined) await writeOutputFile(html, htmlOption, renderHtmlReport({ kind: 'run', title, run: runView(report) }));
  if (markdown !== undefined) await writeOutputFile(markdown, 'markdown', markdownSummary(report, title));
}

export async function writePage(page: ReportPage, path: string): Promise<void> {
  await writeOutputFile(path, 'html', renderHtmlReport(page));
}

export const showCommand = defineCommand({
  name: 'show',
  summary: commandSummary('show'),
  positionals: '<trace.ndjson>',
  maxPositionals: 1,
  options: {
    output: { kind: 'string', short: 'o', value: 'file', help: 'The HTML report to write (default: the trace name with .html)' },
    markdown: { kind: 'string', value: 'file', help: 'Also write a Markdown summary with a Mermaid diagram of the switch-over' },
  },
  async run({ positionals, options }, io) {
    const tracePath = positionals[0];
    if (tracePath === undefined) throw new UsageError('Give the trace file: opflex-twin show trace.ndjson -o report.html');
    let report: RunReport;
    try {
      report = await reportFromTraceFile(tracePath);
    } catch (err) {
      if (err instanceof TraceFileError) throw new Error(err.message);
      throw err;
    }
    const output = options.output ?? `${tracePath.replace(/\.ndjson$|\.jsonl$|\.json$/, '')}.html`;
    await writeRunReports(report, `opflex-twin simulate: ${report.scenario}`, output, options.markdown, 'output');
    io.stderr.write(`Wrote ${output}${options.markdown ? ` and ${options.markdown}` : ''} (${report.migrations.length} migration${report.migrations.length === 1 ? '' : 's'})\n`);
    return 0;
  },
});
