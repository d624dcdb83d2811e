/** `redis://HOST:PORT[/DB]`: where the job queue lives, as the connection options BullMQ takes. */
import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { errorMessage } from '../error-details.ts';

/** How long a submitter or worker waits for Redis to answer at start before it gives up with an error. */
export const queueConnectTimeoutMs = 5_000;
/** Redis databases are numbered 0..15 in a default configuration; larger numbers are allowed by `databases`. */
const databaseMax = 1_000;

export interface QueueAddress {
  /** As given, for messages. */
  url: string;
  host: string;
  port: number;
  db: number;
}

export function parseQueueUrl(text: string): QueueAddress {
  const match = /^redis:\/\/([^/:\s]+):(\d{1,5})(?:\/(\d{1,4}))?\/?$/.exec(text);
  const port = match ? Number(match[2]) : 0;
  const db = match?.[3] !== undefined ? Number(match[3]) : 0;
  if (!match || port < 1 || port > 65_535 || db > databaseMax) throw new SyntaxError(`--queue takes redis://HOST:PORT[/DB], got "${text}"`);
  return { url: text, host: match[1]!, port, db };
}

/** Options for BullMQ's connections: after the start, a lost connection is retried (Redis may restart). */
export function connectionOptions(address: QueueAddress): ConnectionOptions & { host: string; port: number; db: number } {
  return { host: address.host, port: address.port, db: address.db, maxRetriesPerRequest: null, connectTimeout: queueConnectTimeoutMs };
}

/** A plain Redis client on the queue's Redis (scenario texts). */
export function redisClient(address: QueueAddress): Redis {
  const client = new Redis({ host: address.host, port: address.port, db: address.db, maxRetriesPerRequest: null, connectTimeout: queueConnectTimeoutMs });
  client.on('error', () => {});
  return client;
}

/** Fails in one line naming the URL when Redis does not answer a PING within queueConnectTimeoutMs. */
export async function assertQueueReachable(address: QueueAddress): Promise<void> {
  const probe = new Redis({ host: address.host, port: address.port, db: address.db, lazyConnect: true, connectTimeout: queueConnectTimeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // ioredis rejects connect() with "Connection is closed."; the cause (ECONNREFUSED...) comes as an error event.
  let cause: Error | undefined;
  probe.on('error', (err: Error) => (cause ??= err));
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${queueConnectTimeoutMs / 1000} s`)), queueConnectTimeoutMs);
    });
    await Promise.race([probe.connect().then(() => probe.ping()), timeout]);
  } catch (err) {
    throw new Error(`Cannot reach the queue at ${address.url}: ${errorMessage(cause ?? err)}`);
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}
