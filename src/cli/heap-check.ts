/**
 * A warning before a run that will not fit in Node's heap: a fabric-scale scenario that runs out of
 * heap dies with V8's "JavaScript heap out of memory" after minutes, which says nothing about why.
 * The estimate is the heap measured at M, L and XL (bench/README.md, issue 13's fifth round): a
 * steady start holds 0.61 KiB per added pod and 15.7 KiB per added node, and a run takes a little
 * more; so, with room to spare, 1 KiB per pod and 16 KiB per node, plus the process's own ~100 MiB.
 * XL (1.36 GiB by this) ran at full speed with a 1.25 GiB heap limit, and a third slower at 1.1 GiB.
 */
import { getHeapStatistics } from 'node:v8';
import type { Scenario } from '../scenario/types.ts';

const PER_POD_BYTES = 1024;
const PER_NODE_BYTES = 16 * 1024;
const BASE_BYTES = 100 * 1024 * 1024;

export function heapEstimateBytes(scenario: Scenario): number {
  let pods = 0;
  for (const node of scenario.nodes) pods += node.pods.length;
  return BASE_BYTES + pods * PER_POD_BYTES + scenario.nodes.length * PER_NODE_BYTES;
}

/** A warning line when the estimate exceeds 90 % of the heap limit, else undefined. */
export function heapWarning(scenario: Scenario, heapLimitBytes = getHeapStatistics().heap_size_limit): string | undefined {
  const need = heapEstimateBytes(scenario);
  if (need < 0.9 * heapLimitBytes) return undefined;
  const gib = (n: number) => (n / 1024 ** 3).toFixed(1);
  const suggestMb = Math.ceil((need * 1.5) / 1024 ** 2 / 1024) * 1024;
  return (
    `warning: ${scenario.name} needs about ${gib(need)} GiB of heap and Node's limit here is ${gib(heapLimitBytes)} GiB; ` +
    `if it runs out, give it more with NODE_OPTIONS=--max-old-space-size=${suggestMb}\n`
  );
}
