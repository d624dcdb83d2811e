/**
 * Wall-clock measurement of a run, for its statistics only (how long the machine took, how much
 * memory it used). Nothing in the model reads it, so results stay a function of scenario and seed.
 */
import { performance } from 'node:perf_hooks';

export class Stopwatch {
  private readonly start = performance.now();
  private peakRss = process.memoryUsage.rss();

  /** Samples RSS; call now and then during a long run. */
  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
  }

  get elapsedMs(): number {
    return performance.now() - this.start;
  }

  get peakRssBytes(): number {
    this.sample();
    return this.peakRss;
  }
}
