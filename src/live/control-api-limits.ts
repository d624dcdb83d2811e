/**
 * The bounds on what one HTTP client can make the control API hold or do (docs/limits.md, "Control
 * API"). Tests pass smaller ones; the emulator runs with the defaults.
 */
export interface ControlApiLimits {
  /** A request body longer than this is refused with 413 (before reading it when Content-Length says so). */
  bodyBytesMax: number;
  /** JSON arrays and objects nested deeper than this are refused with 400 before the body is parsed. */
  bodyDepthMax: number;
  /** A request target (path and query) longer than this is refused with 414. */
  urlBytesMax: number;
  /** Request headers larger than this are refused by node's parser with 431. */
  headerBytesMax: number;
  /** A client that has not sent all its headers within this is answered 408 and disconnected. */
  headersTimeoutMs: number;
  /** A client that has not sent its whole request (headers and body) within this is answered 408 and disconnected. */
  requestTimeoutMs: number;
  /** How often node checks the two timeouts above: they fire up to this much late. */
  timeoutCheckIntervalMs: number;
  /** Open connections past this are closed as they are accepted. */
  connectionsMax: number;
  /** /events streams open at once; past it, stale ones are dropped to make room, else 503. */
  eventSubscribersMax: number;
  /** Bytes queued for one /events subscriber (our buffer and the socket's) past which it is dropped. */
  eventBufferBytesMax: number;
  /** A subscriber with bytes queued that has not taken any of them for this long is stale: dropped first when the limit is reached. */
  eventStallMs: number;
  /** The replay a new /events subscriber gets: the newest events that fit in this many bytes. */
  eventReplayBytesMax: number;
}

export const controlApiLimits: Readonly<ControlApiLimits> = Object.freeze({
  bodyBytesMax: 64 * 1024,
  bodyDepthMax: 32,
  urlBytesMax: 2048,
  headerBytesMax: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  timeoutCheckIntervalMs: 1_000,
  connectionsMax: 128,
  eventSubscribersMax: 64,
  eventBufferBytesMax: 1024 * 1024,
  eventStallMs: 5_000,
  eventReplayBytesMax: 512 * 1024,
});
