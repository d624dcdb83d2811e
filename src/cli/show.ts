import { renderHtmlReport } from '../report/html/html-report.ts';
import type { ReportPage } from '../report/html/report-page.ts';
import { runView } from '../report/html/run-view.ts';
import { markdownSummary } from '../report/markdown-summary.ts';
import type { RunReport } from '../report/run-report.ts';
import { reportFromTraceFile, TraceFileError } from '../report/trace-file.ts';
import { UsageError, type CommandSpec } from './command.ts';
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

export const showCommand: CommandSpec = {
  name: 'show',
  summary: commandSummary('show'),
  positionals: '<trace.ndjson>',
  maxPositionals: 1,
  options: {
    output: { type: 'string', short: 'o', value: 'file', description: 'The HTML report to write (default: the trace name with .html)' },
    markdown: { type: 'string', value: 'file', description: 'Also write a Markdown summary with a Mermaid diagram of the switch-over' },
  },
  async run(args, io) {
    const tracePath = args.positionals[0];
    if (tracePath === undefined) throw new UsageError('Give the trace file: opflex-twin show trace.ndjson -o report.html');
    let report: RunReport;
    try {
      report = await reportFromTraceFile(tracePath);
    } catch (err) {
      if (err instanceof TraceFileError) throw new Error(err.message);
      throw err;
    }
    const output = (args.values.output as string | undefined) ?? `${tracePath.replace(/\.ndjson$|\.jsonl$|\.json$/, '')}.html`;
    await writeRunReports(report, `opflex-twin simulate: ${report.scenario}`, output, args.values.markdown as string | undefined, 'output');
    io.stderr.write(`Wrote ${output}${args.values.markdown ? ` and ${args.values.markdown}` : ''} (${report.migrations.length} migration${report.migrations.length === 1 ? '' : 's'})\n`);
    return 0;
  },
};
