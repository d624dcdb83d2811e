/**
 * One whole-model run in a fresh process, so each preset's peak RSS is its own: prints one JSON line.
 * Runs the code the CLI runs (dist/ when built and current, else the sources through tsx; `code`
 * says which).
 * Usage: node bench/model-child.mjs <preset> [cold]
 */
import { performance } from 'node:perf_hooks';
import { currentCode, importCurrent } from '../bin/current-code.mjs';

const { loadPreset } = await importCurrent('scenario/presets');
const { simulate } = await importCurrent('simulation');

const name = process.argv[2] ?? 'S';
const start = process.argv[3] === 'cold' ? 'cold' : 'steady';
const t0 = performance.now();
const scenario = { ...loadPreset(name), start };
const loadMs = performance.now() - t0;
const pods = scenario.nodes.reduce((n, node) => n + node.pods.length, 0);
const result = simulate(scenario);
const usage = process.resourceUsage();
process.stdout.write(
  JSON.stringify({
    preset: name,
    start,
    code: currentCode(),
    leafPairs: scenario.fabric.leafPairs.length,
    hypervisors: scenario.fabric.hypervisors.length,
    nodes: scenario.nodes.length,
    pods,
    migrations: result.plan.migrations,
    converged: result.plan.converged,
    events: result.stats.events,
    loadMs,
    simulateMs: result.stats.wallMs,
    startMs: result.stats.startWallMs,
    peakRssBytes: usage.maxRSS * 1024,
  }) + '\n',
);
