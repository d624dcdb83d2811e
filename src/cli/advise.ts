import { advise } from '../advise/advise.ts';
import { styleFor } from '../report/terminal-report.ts';
import { loadPlan } from '../scenario/plan.ts';
import { PRESET_NAMES } from '../scenario/presets.ts';
import { scenarioTextFor } from './scenario-argument.ts';
import { accProvisionOverrides } from './acc-provision-option.ts';
import { defineCommand } from './command.ts';
import { RunReportBuilder } from '../report/run-report.ts';
import { runView } from '../report/html/run-view.ts';
import { writePage } from './show.ts';
import { MAX_EVENTS_OPTION } from './run-options.ts';
import { commandSummary } from './command-index.ts';

export const adviseCommand = defineCommand({
  name: 'advise',
  summary: commandSummary('advise'),
  positionals: '[scenario.yaml]',
  maxPositionals: 1,
  options: {
    'acc-provision': { kind: 'string', value: 'file', help: 'Settings from an acc-provision input file' },
    plan: { kind: 'string', value: 'file', help: 'Migrations (and optionally the controller node) to check, over the scenario' },
    seed: { kind: 'integer', min: 0, value: 'n', help: "Seed for the runs (default: the scenario's)" },
    'storm-objects': { kind: 'integer', min: 1, value: 'n', help: 'Objects one leaf may download within 10 s before it is a storm', default: '20' },
    json: { kind: 'flag', help: 'Print the risks as JSON' },
    html: { kind: 'string', value: 'file', help: 'Also write an HTML report: each finding with its measured effect drawn against the clean run' },
    builtin: { kind: 'string', value: 'name', help: 'Use a built-in scenario by name', default: 'default' },
    preset: { kind: 'string', value: 'name', help: `Use a fabric-scale preset: ${PRESET_NAMES.join(', ')}` },
    'max-events': MAX_EVENTS_OPTION,
  },
  async run({ positionals, options }, io) {
    const { seed, 'storm-objects': stormObjects, 'max-events': maxEvents, html: htmlPath, plan } = options;
    const base = scenarioTextFor(positionals[0], options.builtin, options.preset);
    const overrides = [...accProvisionOverrides(options['acc-provision'], io), ...(plan ? loadPlan(plan) : [])];
    const builders = new Map<string, RunReportBuilder>();
    const result = advise(base, overrides, {
      ...(seed !== undefined ? { seed } : {}),
      ...(maxEvents !== undefined ? { maxEvents } : {}),
      ...(htmlPath !== undefined ? { traceListenerFor: (label: string) => reportBuilderFor(builders, label).onEvent } : {}),
      stormObjects,
    });
    if (htmlPath !== undefined) {
      const views = new Map([...builders].map(([label, b]) => [label, runView(b.finish())]));
      await writePage({
        kind: 'advise',
        title: `opflex-twin advise: ${result.scenario.name}`,
        clean: views.get('as planned') ?? null,
        findings: result.risks.map((risk, i) => ({ risk, runs: (result.measuredBy[i] ?? []).flatMap((label) => {
          const run = views.get(label);
          return run ? [{ label, run }] : [];
        }) })),
      }, htmlPath);
    }
    if (options.json) {
      io.stdout.write(JSON.stringify({ scenario: result.scenario.name, risks: result.risks, simulations: result.simulations }, null, 2) + '\n');
    } else {
      const style = styleFor(io.stdout);
      const s = result.scenario;
      const evacuations = s.evacuations?.length ?? 0;
      const plan = `${s.migrations.length} migration(s)${evacuations > 0 ? `, ${evacuations} evacuation(s)` : ''}`;
      io.stdout.write(style.bold(`opflex-twin advise: ${s.name}, ${plan}, ${result.simulations} simulation(s)`) + '\n');
      if (result.risks.length === 0) io.stdout.write(style.green('No risk found in this plan.') + '\n');
      for (const r of result.risks) {
        const tag = r.severity === 'high' ? style.red('HIGH') : style.yellow('MEDIUM');
        io.stdout.write(`\n${tag} ${style.bold(r.title)} [${r.id}]\n  Why: ${r.reason}\n  Expected effect: ${r.effect}\n`);
      }
    }
    return result.risks.length > 0 ? 1 : 0;
  },
});

/** A fresh report builder for one of advise's runs, kept under its label. */
function reportBuilderFor(builders: Map<string, RunReportBuilder>, label: string): RunReportBuilder {
  const builder = new RunReportBuilder();
  builders.set(label, builder);
  return builder;
}
