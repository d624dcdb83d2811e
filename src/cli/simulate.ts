import { formatTraceLine } from '../kernel/trace.ts';
import { toJsonReport } from '../report/json-report.ts';
import { renderSimulation, styleFor } from '../report/terminal-report.ts';
import { simulate } from '../simulation.ts';
import { choiceOption, UsageError, type CommandSpec } from './command.ts';
import { chromeTrace, formatChromeTrace, MessageFlowCollector } from '../report/chrome-trace.ts';
import { MAX_EVENTS_OPTION, maxEventsOption, seedOption, writeOutputFile } from './run-options.ts';
import { PRESET_NAMES } from '../scenario/presets.ts';
import { scenarioTextFor, setOverrides } from './scenario-argument.ts';
import { scenarioWithOverrides } from '../scenario/variants.ts';
import { accProvisionOverrides } from './acc-provision-option.ts';
import { ProgressBar } from './progress-bar.ts';
import { heapWarning } from './heap-check.ts';
import { RunReportBuilder } from '../report/run-report.ts';
import { writeRunReports } from './show.ts';
import { commandSummary } from './command-index.ts';

export const simulateCommand: CommandSpec = {
  name: 'simulate',
  summary: commandSummary('simulate'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    seed: { type: 'string', value: 'n', description: "Root seed for every random stream (overrides the scenario's seed)" },
    json: { type: 'boolean', description: 'Print the result as JSON instead of the terminal report' },
    trace: { type: 'string', value: 'file', description: 'Write every trace event as NDJSON to this file ("-" for stdout)' },
    'trace-format': { type: 'string', value: 'format', description: 'Format of --trace: ndjson, or chrome (Trace Event Format for Perfetto and chrome://tracing)', default: 'ndjson' },
    'acc-provision': { type: 'string', value: 'file', description: 'Take settings from an acc-provision input file (unknown keys are reported)' },
    builtin: { type: 'string', value: 'name', description: 'Use a built-in scenario by name', default: 'default' },
    preset: { type: 'string', value: 'name', description: `Use a fabric-scale preset: ${PRESET_NAMES.join(', ')} (see "opflex-twin generate")` },
    html: { type: 'string', value: 'file', description: 'Also write a self-contained HTML report (timelines, outages, downloads, the switch-over exchange)' },
    markdown: { type: 'string', value: 'file', description: 'Also write a Markdown summary with a Mermaid diagram of the switch-over' },
    set: { type: 'string', multiple: true, value: 'KEY=VALUE', description: 'Change one key (as compare --vary), e.g. start=cold or enable_opflex_agent_reconnect=true' },
    'max-events': MAX_EVENTS_OPTION,
  },
  async run(args, io) {
    const seed = seedOption(args.values.seed);
    const maxEvents = maxEventsOption(args.values['max-events']);
    const base = scenarioTextFor(args.positionals[0], args.values.builtin as string, args.values.preset as string | undefined);
    const sets = setOverrides(args.values.set as string[] | undefined);
    const label = sets.length > 0 ? sets.map((o) => `${o.path.join('.')}=${JSON.stringify(o.value)}`).join(' ') : undefined;
    const scenario = scenarioWithOverrides(base, [...accProvisionOverrides(args.values['acc-provision'] as string | undefined, io), ...sets], label);
    const warning = heapWarning(scenario);
    if (warning) io.stderr.write(warning);
    const tracePath = args.values.trace as string | undefined;
    const traceFormat = choiceOption(args.values['trace-format'], 'trace-format', ['ndjson', 'chrome'] as const)!;
    if (traceFormat === 'chrome' && tracePath === undefined) throw new UsageError('--trace-format chrome needs --trace FILE');
    const messageFlows = traceFormat === 'chrome' ? new MessageFlowCollector() : undefined;
    const progress = io.stderr.isTTY && !args.values.json ? new ProgressBar(io.stderr) : undefined;
    const htmlPath = args.values.html as string | undefined;
    const markdownPath = args.values.markdown as string | undefined;
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
    if (args.values.json) io.stdout.write(JSON.stringify(toJsonReport(result), null, 2) + '\n');
    else io.stdout.write(renderSimulation(result, styleFor(io.stdout)));
    return 0;
  },
};
