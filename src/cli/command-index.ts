/**
 * Every command's name and summary, and how to load it. The summaries live here, not in the command
 * modules, so `opflex-twin --help` lists them without loading any simulation code; each module
 * takes its summary from this table.
 */
import type { CommandSpec } from './command.ts';

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CommandSpec>;
}

const SUMMARIES = {
  simulate:
    'Simulate a scenario in virtual time: a timeline of milestones per migration, policy downloads per destination leaf,\n' +
    'and pod-traffic outage per flow. With no scenario file, runs the built-in default scenario.',
  show:
    'Draw the HTML report (and optionally the Markdown summary) of a run from its saved trace\n' +
    '(simulate --trace FILE): the same page simulate --html writes, made offline from the file.',
  compare:
    'Run the same plan and seed under each value of one or more keys (settings, latencies, timers, faults, or a dotted path)\n' +
    'and show outage and convergence side by side. Several --vary options run every combination.',
  advise:
    'Check a migration plan before it runs: each risk with its reason and the effect measured by simulation.\n' +
    'Exits 1 when a risk is found, so it can gate a change in CI.',
  check:
    'Explore faults over many seeds: each seed draws a fault schedule from the menu, runs it to quiescence and checks the\n' +
    'invariants; each broken invariant is shrunk to a scenario file that simulate replays and check --replay re-checks.\n' +
    'Exits 0 when nothing unexplained was found, 1 otherwise (known hazards too with --strict), 2 on a usage error.',
  emulate:
    'Run the fabric live: each leaf speaks OpFlex on its own loopback address, the anycast proxy redirects agents to the\n' +
    'leaf pair where their node is, and an HTTP control API lists the fabric and starts migrations.',
  agent:
    "Run the twin's opflex-agent as its own process against the emulator (or a real leaf): identity through the\n" +
    'configured peer, the redirect to the leaf pair, resolves and endpoint declares, resets on a PlatformConfig delete or reset file.',
  endpoints: "Write the .ep endpoint files of a scenario node's pods, for `opflex-twin agent --endpoints DIR`.",
  load:
    'Load a running emulator from this process and print the figures as JSON: hold many sessions, flood policy_resolve,\n' +
    'or bootstrap full agents and reset them all at once (the benchmark uses it).',
  generate:
    'Write a small fabric-scale scenario file: a generated: section (leaf pairs, hypervisors, nodes, pods, EPGs, contracts)\n' +
    'that the loader expands, a host evacuation and/or planned migrations, and probe flows to and from pods of moving nodes.\n' +
    "Start from a preset (--preset) and/or give sizes; sizes override the preset's.",
  schema: 'Print the JSON Schema of scenario files, for editors (e.g. the YAML language server) and documentation.',
} as const;

export type CommandName = keyof typeof SUMMARIES;

export function commandSummary(name: CommandName): string {
  return SUMMARIES[name];
}

// Literal import paths, so the build rewrites them to the compiled .js files.
const LOADERS: Record<CommandName, () => Promise<CommandSpec>> = {
  simulate: async () => (await import('./simulate.ts')).simulateCommand,
  show: async () => (await import('./show.ts')).showCommand,
  compare: async () => (await import('./compare.ts')).compareCommand,
  advise: async () => (await import('./advise.ts')).adviseCommand,
  check: async () => (await import('./check.ts')).checkCommand,
  emulate: async () => (await import('./emulate.ts')).emulateCommand,
  agent: async () => (await import('./agent.ts')).agentCommand,
  endpoints: async () => (await import('./endpoints.ts')).endpointsCommand,
  load: async () => (await import('./load.ts')).loadCommand,
  generate: async () => (await import('./generate.ts')).generateCommand,
  schema: async () => (await import('./schema.ts')).schemaCommand,
};

/** In the order `opflex-twin --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = (Object.keys(SUMMARIES) as CommandName[]).map((name) => ({
  name,
  summary: SUMMARIES[name],
  load: LOADERS[name],
}));
