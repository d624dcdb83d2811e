/**
 * The open /events streams, each with a bound on what it may leave unread. A subscriber that stops
 * reading fills its socket, then our buffer: past `eventBufferBytesMax` it is dropped and the others
 * go on. When every slot is taken, the stale ones (bytes waiting that they have not taken for
 * `eventStallMs`) make room; subscribers that keep up are never evicted.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { errorMessage } from '../error-details.ts';

interface EventSubscriberLimits {
  eventSubscribersMax: number;
  eventBufferBytesMax: number;
  eventStallMs: number;
}

interface Subscriber {
  readonly res: ServerResponse;
  readonly remote: string;
  /** When its queue was last seen empty (or drained): it has been taking what we send. */
  lastKeptUpMs: number;
}

export class EventSubscribers {
  private readonly subscribers = new Map<ServerResponse, Subscriber>();

  constructor(
    private readonly limits: EventSubscriberLimits,
    private readonly log: (line: string) => void,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Takes `res` as a subscriber if there is a slot, dropping stale subscribers first when there is
   * none. False when every slot is held by a subscriber that keeps up.
   */
  admit(res: ServerResponse): boolean {
    if (this.subscribers.size >= this.limits.eventSubscribersMax) this.dropStale();
    if (this.subscribers.size >= this.limits.eventSubscribersMax) return false;
    const subscriber: Subscriber = { res, remote: `${res.socket?.remoteAddress}:${res.socket?.remotePort}`, lastKeptUpMs: this.nowMs() };
    this.subscribers.set(res, subscriber);
    res.on('close', () => this.subscribers.delete(res));
    res.on('drain', () => (subscriber.lastKeptUpMs = this.nowMs()));
    // A write to a stream the client already closed reports here; the close above removes it.
    res.on('error', () => this.drop(subscriber, 'its connection failed'));
    return true;
  }

  /** Queues `frame` for every subscriber, dropping those that would then hold more than their bound. */
  send(frame: string): void {
    const frameBytes = Buffer.byteLength(frame);
    for (const subscriber of this.subscribers.values()) {
      const queued = queuedBytes(subscriber.res);
      if (queued === 0) subscriber.lastKeptUpMs = this.nowMs();
      if (queued + frameBytes > this.limits.eventBufferBytesMax) {
        this.drop(subscriber, `${queued} bytes unread (limit ${this.limits.eventBufferBytesMax})`);
        continue;
      }
      try {
        subscriber.res.write(frame);
      } catch (err) {
        this.drop(subscriber, `a write failed: ${errorMessage(err)}`);
      }
    }
  }

  closeAll(): void {
    for (const { res } of this.subscribers.values()) res.end();
    this.subscribers.clear();
  }

  private dropStale(): void {
    const now = this.nowMs();
    for (const subscriber of [...this.subscribers.values()]) {
      const queued = queuedBytes(subscriber.res);
      if (queued === 0) subscriber.lastKeptUpMs = now;
      else if (now - subscriber.lastKeptUpMs >= this.limits.eventStallMs) {
        this.drop(subscriber, `stale: ${queued} bytes unread for ${Math.round(now - subscriber.lastKeptUpMs)} ms, and a new subscriber needs the slot`);
      }
    }
  }

  private drop(subscriber: Subscriber, why: string): void {
    if (!this.subscribers.delete(subscriber.res)) return;
    this.log(`control API: dropped /events subscriber ${subscriber.remote}: ${why}`);
    subscriber.res.destroy();
  }
}

/** What `res` holds that the client has not taken: node's writableLength counts our buffer and the socket's. */
function queuedBytes(res: ServerResponse): number {
  return res.writableLength;
}
