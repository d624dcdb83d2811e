/**
 * The memory a steady start holds, in a fresh process run with --expose-gc: a generated fabric of the
 * given size is loaded (not counted), then the twin is built and started steady; the live heap and
 * the ArrayBuffer backing stores (typed-array columns and tables live outside the JS heap, where
 * heapUsed does not see them) are read after forced full collections before and after. Prints one
 * JSON line. Runs the code the CLI runs, as bench/model-child.mjs does.
 * Usage: node --expose-gc bench/model-memory-child.mjs '{"leafPairs":20,"hypervisors":400,"nodes":2000,"podsPerNode":25,"epgs":300}'
 */
import { currentCode, importCurrent } from '../bin/current-code.mjs';

const { parseScenario } = await importCurrent('scenario/loader');
const { planYaml } = await importCurrent('scenario/presets');
const { simulatedTwin } = await importCurrent('simulated-twin');

/** @type {{ leafPairs: number; hypervisors: number; nodes: number; podsPerNode: number; epgs: number }} */
const size = JSON.parse(process.argv[2] ?? '{}');
const collect = globalThis.gc;
if (!collect) throw new Error('model-memory-child.mjs needs node --expose-gc');

function liveBytes() {
  collect();
  collect();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const scenario = parseScenario(planYaml({ name: 'memory-probe', generated: { ...size } }), 'memory-probe');
const before = liveBytes();
const built = simulatedTwin(scenario);
built.twin.start();
// Held where no liveness analysis can drop it before the heap is read.
globalThis.probe = built;
const after = liveBytes();
process.stdout.write(JSON.stringify({ ...size, pods: size.nodes * size.podsPerNode, steadyHeapBytes: after - before, code: currentCode() }) + '\n');
