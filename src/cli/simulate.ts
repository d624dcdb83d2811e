import { formatTraceLine } from '../kernel/trace.ts';
import { toJsonReport } from '../report/json-report.ts';
import { renderSimulation, styleFor } from '../report/terminal-report.ts';
import { simulate } from '../simulation.ts';
import { defineCommand } from './command.ts';
import { UsageError } from './usage-error.ts';
import { chromeTrace, formatChromeTrace, MessageFlowCollector } from '../report/chrome-trace.ts';
import { MAX_EVENTS_OPTION, writeOutputFile } from './run-options.ts';
import { PRESET_NAMES } from '../scenario/presets.ts';
import { scenarioTextFor, setOverrides } from './scenario-argument.ts';
import { scenarioWithOverrides } from '../scenario/variants.ts';
import { accProvisionOverrides } from './acc-provision-option.ts';
import { ProgressBar } from './progress-bar.ts';
import { heapWarning } from './heap-check.ts';
import { RunReportBuilder } from '../report/run-report.ts';
import { writeRunReports } from './show.ts';
import { commandSummary } from './command-index.ts';

export const simulateCommand = defineCommand({
  name: 'simulate',
  summary: commandSummary('simulate'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    seed: { kind: 'integer', min: 0, value: 'n', help: "Root seed for every random stream (overrides the scenario's seed)" },
    json: { kind: 'flag', help: 'Print the result as JSON instead of the terminal report' },
    trace: { kind: 'string', value: 'file', help: 'Write every trace event as NDJSON to this file ("-" for stdout)' },
    'trace-format': { kind: 'choice', choices: ['ndjson', 'chrome'], value: 'format', help: 'Format of --trace: ndjson, or chrome (Trace Event Format for Perfetto and chrome://tracing)', default: 'ndjson' },
    'acc-provision': { kind: 'string', value: 'file', help: 'Take settings from an acc-provision input file (unknown keys are reported)' },
    builtin: { kind: 'string', value: 'name', help: 'Use a built-in scenario by name', default: 'default' },
    preset: { kind: 'string', value: 'name', help: `Use a fabric-scale preset: ${PRESET_NAMES.join(', ')} (see "opflex-twin generate")` },
    html: { kind: 'string', value: 'file', help: 'Also write a self-contained HTML report (timelines, outages, downloads, the switch-over exchange)' },
    markdown: { kind: 'string', value: 'file', help: 'Also write a Markdown summary with a Mermaid diagram of the switch-over' },
    set: { kind: 'repeatable', value: 'KEY=VALUE', help: 'Change one key (as compare --vary), e.g. start=cold or enable_opflex_agent_reconnect=true' },
    'max-events': MAX_EVENTS_OPTION,
  },
  async run({ positionals, options }, io) {
    const { seed, 'max-events': maxEvents, trace: tracePath, 'trace-format': traceFormat, html: htmlPath, markdown: markdownPath } = options;
    const base = scenarioTextFor(positionals[0], options.builtin, options.preset);
    const sets = setOverrides(options.set);
    const label = sets.length > 0 ? sets.map((o) => `${o.path.join('.')}=${JSON.stringify(o.value)}`).join(' ') : undefined;
    const scenario = scenarioWithOverrides(base, [...accProvisionOverrides(options['acc-provision'], io), ...sets], label);
    const warning = heapWarning(scenario);
    if (warning) io.stderr.write(warning);
    if (traceFormat === 'chrome' && tracePath === undefined) throw new UsageError('--trace-format chrome needs --trace FILE');
    const messageFlows = traceFormat === 'chrome' ? new MessageFlowCollector() : undefined;
    const progress = io.stderr.isTTY && !options.json ? new ProgressBar(io.stderr) : undefined;
    const reportBuilder = htmlPath !== undefined || markdownPath !== undefined ? new RunReportBuilder() : undefined;
    const result = simulate(scenario, {
      ...(seed !== undefined ? { seed } : {}),
      ...(reportBuilder ? { onTraceEvent: reportBuilder.onEvent } : {}),
      recordTrace: tracePath !== undefined,
      ...(messageFlows ? { onMessageFlow: messageFlows.onMessageFlow } : {}),
      ...(maxEvents !== undefined ? { maxEvents } : {}),
      ...(progress ? { onProgress: (t: number, end: number) => progress.update(t / end, `${(t / 1000).toFixed(0)} s simulated`) } : {}),
    });
    progress?.done();
    if (reportBuilder) await writeRunReports(reportBuilder.finish(), `opflex-twin simulate: ${result.scenario}`, htmlPath, markdownPath);
    if (tracePath !== undefined) {
      const text = messageFlows
        ? formatChromeTrace(chromeTrace({ ...result, scenario, messages: messageFlows.flows, messagesOmitted: messageFlows.omitted }))
        : result.trace.map(formatTraceLine).join('\n') + '\n';
      if (tracePath === '-') io.stdout.write(text);
      else await writeOutputFile(tracePath, 'trace', text);
      if (tracePath === '-') return 0;
    }
    if (options.json) io.stdout.write(JSON.stringify(toJsonReport(result), null, 2) + '\n');
    else io.stdout.write(renderSimulation(result, styleFor(io.stdout)));
    return 0;
  },
});
