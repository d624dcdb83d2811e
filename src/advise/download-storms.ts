/**
 * Download storms in a run: a leaf that downloads more than a threshold of objects within a sliding
 * window while moves land on its pair. Both leaves of a pair download what their pair lacks, so the
 * leaves of one pair hit by the same moves make one storm.
 */
import type { SimulationResult } from '../simulation-result.ts';

export interface DownloadStorm {
  /** The leaves (of one pair) that each downloaded more than the threshold. */
  leaves: string[];
  /** The most objects one of them downloaded within the window. */
  count: number;
  /** The moves whose downloads fell in that window, in natural order. */
  nodes: string[];
}

/** Storms of more than `objectsMax` objects within `windowMs` on one leaf, by leaf name. */
export function downloadStorms(run: SimulationResult, objectsMax: number, windowMs: number): DownloadStorm[] {
  const byLeaf = new Map<string, { tMs: number; node: string }[]>();
  for (const m of run.migrations) {
    for (const d of m.downloadedObjects) {
      let list = byLeaf.get(d.leaf);
      if (!list) byLeaf.set(d.leaf, (list = []));
      list.push({ tMs: d.tMs, node: m.node });
    }
  }
  const pairOfLeaf = new Map<string, string>();
  for (const m of run.migrations) for (const leaf of Object.keys(m.downloadsByLeaf)) pairOfLeaf.set(leaf, m.toPair);
  const storms = new Map<string, DownloadStorm>();
  for (const [leaf, downloads] of [...byLeaf].sort(([a], [b]) => a.localeCompare(b))) {
    downloads.sort((a, b) => a.tMs - b.tMs);
    let best = { count: 0, nodes: new Set<string>() };
    for (let i = 0, j = 0; j < downloads.length; j++) {
      while (downloads[j]!.tMs - downloads[i]!.tMs > windowMs) i++;
      if (j - i + 1 > best.count) best = { count: j - i + 1, nodes: new Set(downloads.slice(i, j + 1).map((d) => d.node)) };
    }
    if (best.count <= objectsMax) continue;
    const nodes = [...best.nodes].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const key = `${pairOfLeaf.get(leaf) ?? leaf}\u0000${nodes.join(',')}`;
    const storm = storms.get(key);
    if (storm) {
      storm.leaves.push(leaf);
      storm.count = Math.max(storm.count, best.count);
    } else storms.set(key, { leaves: [leaf], count: best.count, nodes });
  }
  return [...storms.values()];
}
