/**
 * Every command's name and summary, and how to load it. The summaries live here, not in the command
 * modules, so `opflex-twin --help` lists them without loading any simulation code; each module
 * takes its summary from this table.
 */
import type { Command } from './command.ts';

interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

// Each load() imports a literal path, so the build rewrites it to the compiled .js file.
const COMMAND_TABLE = {
  simulate: {
    summary:
      'Simulate a scenario in virtual time: a timeline of milestones per migration, policy downloads per destination leaf,\n' +
      'and pod-traffic outage per flow. With no scenario file, runs the built-in default scenario.',
    load: async (): Promise<Command> => (await import('./simulate.ts')).simulateCommand,
  },
  show: {
    summary:
      'Draw the HTML report (and optionally the Markdown summary) of a run from its saved trace\n' +
      '(simulate --trace FILE): the same page simulate --html writes, made offline from the file.',
    load: async (): Promise<Command> => (await import('./show.ts')).showCommand,
  },
  compare: {
    summary:
      'Run the same plan and seed under each value of one or more keys (settings, latencies, timers, faults, or a dotted path)\n' +
      'and show outage and convergence side by side. Several --vary options run every combination.',
    load: async (): Promise<Command> => (await import('./compare.ts')).compareCommand,
  },
  sweep: {
    summary:
      'Run scenarios x variants x seeds: a --vary grid and/or named variants (sets of keys) over one or more scenarios and\n' +
      'many seeds, from options or a sweep file. One row per variant: moves, converged, outage p50/p95/max over every move\n' +
      'and seed, downloads, resets and the worst seed; the best variant named. Local worker threads, or --queue.',
    load: async (): Promise<Command> => (await import('./sweep.ts')).sweepCommand,
  },
  advise: {
    summary:
      'Check a migration plan before it runs: each risk with its reason and the effect measured by simulation.\n' +
      'Exits 1 when a risk is found, so it can gate a change in CI.',
    load: async (): Promise<Command> => (await import('./advise.ts')).adviseCommand,
  },
  check: {
    summary:
      'Explore faults over many seeds: each seed draws a fault schedule from the menu, runs it to quiescence and checks the\n' +
      'invariants; each broken invariant is shrunk to a scenario file that simulate replays and check --replay re-checks.\n' +
      'Exits 0 when nothing unexplained was found, 1 otherwise (known hazards too with --strict), 2 on a usage error.',
    load: async (): Promise<Command> => (await import('./check.ts')).checkCommand,
  },
  emulate: {
    summary:
      'Run the fabric live: each leaf speaks OpFlex on its own loopback address, the anycast proxy redirects agents to the\n' +
      'leaf pair where their node is, and an HTTP control API lists the fabric and starts migrations.',
    load: async (): Promise<Command> => (await import('./emulate.ts')).emulateCommand,
  },
  agent: {
    summary:
      "Run the twin's opflex-agent as its own process against the emulator (or a real leaf): identity through the\n" +
      'configured peer, the redirect to the leaf pair, resolves and endpoint declares, resets on a PlatformConfig delete or reset file.',
    load: async (): Promise<Command> => (await import('./agent.ts')).agentCommand,
  },
  endpoints: {
    summary: "Write the .ep endpoint files of a scenario node's pods, for `opflex-twin agent --endpoints DIR`.",
    load: async (): Promise<Command> => (await import('./endpoints.ts')).endpointsCommand,
  },
  load: {
    summary:
      'Load a running emulator from this process and print the figures as JSON: hold many sessions, flood policy_resolve,\n' +
      'or bootstrap full agents and reset them all at once (the benchmark uses it).',
    load: async (): Promise<Command> => (await import('./load.ts')).loadCommand,
  },
  generate: {
    summary:
      'Write a small fabric-scale scenario file: a generated: section (leaf pairs, hypervisors, nodes, pods, EPGs, contracts)\n' +
      'that the loader expands, a host evacuation and/or planned migrations, and probe flows to and from pods of moving nodes.\n' +
      "Start from a preset (--preset) and/or give sizes; sizes override the preset's.",
    load: async (): Promise<Command> => (await import('./generate.ts')).generateCommand,
  },
  worker: {
    summary:
      'Take simulation jobs (compare cells, sweep seed ranges, check seeds) from a Redis job queue, run them in worker threads\n' +
      '(--concurrency at once) with the same code as the local commands and post their results; compare, sweep and check\n' +
      'with --queue submit them. SIGTERM finishes the running jobs (past --shutdown-grace they go back to the queue), then exits.',
    load: async (): Promise<Command> => (await import('./worker.ts')).workerCommand,
  },
  schema: {
    summary: 'Print the JSON Schema of scenario files, for editors (e.g. the YAML language server) and documentation.',
    load: async (): Promise<Command> => (await import('./schema.ts')).schemaCommand,
  },
} satisfies Record<string, Omit<CommandEntry, 'name'>>;

type CommandName = keyof typeof COMMAND_TABLE;

export function commandSummary(name: CommandName): string {
  return COMMAND_TABLE[name].summary;
}

/** In the order `opflex-twin --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = Object.entries(COMMAND_TABLE).map(([name, entry]) => ({ name, ...entry }));
