/**
 * Whether a worker can reach its queue's Redis now, with a one-line reason when it cannot: the
 * connection's state, then a PING with a deadline (a connection can look open to a Redis that is gone).
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../error-details.ts';

/** How long the health check waits for Redis to answer a PING; below a Kubernetes probe's timeoutSeconds. */
export const healthPingTimeoutMs = 2_000;

export class QueueReachability {
  private lastError: string | undefined;

  constructor(private readonly url: string, private readonly redis: Redis) {
    redis.on('error', (err: Error) => this.noteError(err));
  }

  /** A connection error seen elsewhere (BullMQ's own connections), kept for the reason. */
  noteError(err: unknown): void {
    this.lastError = errorMessage(err);
  }

  /** undefined while Redis answers; otherwise why not, in one line. */
  async problem(): Promise<string | undefined> {
    const last = this.lastError ? `; last error: ${this.lastError}` : '';
    if (this.redis.status !== 'ready') return oneLine(`queue ${this.url}: connection ${this.redis.status}${last}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), healthPingTimeoutMs)));
      const answer = await Promise.race([this.redis.ping(), late]);
      if (answer === 'late') return oneLine(`queue ${this.url}: no answer to PING within ${healthPingTimeoutMs / 1000} s${last}`);
      return undefined;
    } catch (err) {
      return oneLine(`queue ${this.url}: PING failed: ${errorMessage(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}
