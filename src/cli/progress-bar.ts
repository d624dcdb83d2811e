/** A one-line progress bar on a TTY, shown only once a run has taken more than a couple of seconds. */
import { performance } from 'node:perf_hooks';

export class ProgressBar {
  private readonly startedAt = performance.now();
  private shown = false;
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WritableStream & { columns?: number }, private readonly delayMs = 2000) {}

  update(fraction: number, label: string): void {
    const now = performance.now();
    if (now - this.startedAt < this.delayMs || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.shown = true;
    const width = 30;
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${label}\x1b[K`);
  }

  done(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
  }
}
