/**
 * The memory a steady start holds, in a fresh process run with --expose-gc: a generated fabric of the
 * given size is loaded (not counted), then the twin is built and started steady; the live heap and
 * the ArrayBuffer backing stores (typed-array columns and tables live outside the JS heap, where
 * heapUsed does not see them) are read after forced full collections before and after. Prints one
 * JSON line.
 * Usage: node --expose-gc --import tsx bench/model-memory-child.ts '{"leafPairs":20,"hypervisors":400,"nodes":2000,"podsPerNode":25,"epgs":300}'
 */
import { parseScenario } from '../src/scenario/loader.ts';
import { planYaml } from '../src/scenario/presets.ts';
import { simulatedTwin } from '../src/simulated-twin.ts';

export interface MemoryProbeSize {
  leafPairs: number;
  hypervisors: number;
  nodes: number;
  podsPerNode: number;
  epgs: number;
}

const size = JSON.parse(process.argv[2] ?? '{}') as MemoryProbeSize;
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('model-memory-child.ts needs node --expose-gc');

function liveBytes(): number {
  collect!();
  collect!();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

const scenario = parseScenario(planYaml({ name: 'memory-probe', generated: { ...size } }), 'memory-probe');
const before = liveBytes();
const built = simulatedTwin(scenario);
built.twin.start();
// Held where no liveness analysis can drop it before the heap is read.
(globalThis as { probe?: unknown }).probe = built;
const after = liveBytes();
process.stdout.write(JSON.stringify({ ...size, pods: size.nodes * size.podsPerNode, steadyHeapBytes: after - before }) + '\n');
