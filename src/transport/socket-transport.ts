/**
 * The live transport: OpFlex over real TCP or TLS sockets (node:net, node:tls) behind the same seam
 * as the in-memory SimTransport. Every message is NUL-framed JSON (libopflex comms/CommunicationPeer);
 * a frame that libopflex would call a protocol error (invalid JSON, not an object, no id, too large)
 * drops that one connection, as libopflex does, and never the process.
 *
 * Socket options follow libopflex's tcpInit: TCP_NODELAY on, SO_KEEPALIVE on with 60 s idle. TLS is
 * TLS from the first byte (no STARTTLS); by default the client verifies the peer's chain but, like
 * libopflex, not its host name.
 */
import net from 'node:net';
import tls from 'node:tls';
import { decodeMessage, encodeMessageChunks, MessageTooLargeError, ProtocolError, type FrameChunk } from '../opflex/codec.ts';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameTooLargeError } from '../opflex/framing.ts';
import type { RpcMessage } from '../opflex/message.ts';
import { OutboundBatch } from './outbound-batch.ts';
import { formatEndpoint, type Connection, type ConnectionHandler, type Endpoint, type Listener, type Transport } from './transport.ts';
import { errnoCode } from '../error-details.ts';

type Pem = string | Buffer | Array<string | Buffer>;

/** Server side TLS: every accepted connection speaks TLS from its first byte. */
interface ServerTlsOptions {
  key: Pem;
  cert: Pem;
  /** CAs trusted for client certificates. */
  ca?: Pem;
  /** Ask clients for a certificate (libopflex's GbpOpflexServer does: verifyPeers). Default false. */
  requestCert?: boolean;
  /** With requestCert, refuse clients without a certificate valid for `ca`. Default true. */
  rejectUnauthorized?: boolean;
}

/** Client side TLS, as the agent's opflex.ssl modes: "encrypted" = rejectUnauthorized false, "secure" = true. */
interface ClientTlsOptions {
  /** CAs trusted for the server's chain (default: Node's bundled roots). */
  ca?: Pem;
  /** Client certificate and key, for servers that demand one. */
  key?: Pem;
  cert?: Pem;
  /** Verify the server's certificate chain. Default true ("secure"); false is the agent's "encrypted" mode. */
  rejectUnauthorized?: boolean;
  /** Also check the certificate names the dialled host. libopflex checks only the chain, so default false. */
  verifyHostname?: boolean;
}

export interface ConnectionErrorInfo {
  /** Which connection (or listener), e.g. "#3 127.0.0.1:40112 -> 127.0.0.1:8009". */
  connection: string;
  reason: string;
}

export interface SocketTransportOptions {
  tls?: ServerTlsOptions;
  clientTls?: ClientTlsOptions;
  /** Largest inbound frame accepted; a larger one is a protocol error. Default DEFAULT_MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
  /** Largest frame we send; a reply past it is replaced by an error reply, any other message closes the connection. Default DEFAULT_MAX_FRAME_BYTES. */
  maxSentFrameBytes?: number;
  /** Largest inbound frame on an accepted connection before its peer identified itself (a send_identity is small). Default 64 KiB. */
  maxFrameBytesBeforeIdentity?: number;
  /** Bytes of partial frames held, over all accepted connections not yet identified; past it the newest holding any is dropped. Default 16 MiB. */
  unidentifiedBufferedBytesMax?: number;
  /** Accepted connections not yet identified at once; past it the newest is dropped. Default 256. */
  unidentifiedConnectionsMax?: number;
  /** An accepted connection not identified within this (wall-clock ms) is dropped. Default 30 000. */
  identityTimeoutMs?: number;
  /** Outbound bytes queued for a peer that does not read before it is disconnected. Default 64 MiB. */
  maxWriteBufferBytes?: number;
  /** SO_KEEPALIVE idle time. Default 60 000 ms, as libopflex. */
  keepAliveIdleMs?: number;
  /** After close() the socket is ended gracefully (queued frames flushed, then FIN); past this it is destroyed. Default 2000 ms. */
  closeLingerMs?: number;
  /** Abnormal ends (protocol errors, socket errors, refused connects, handler exceptions, TLS client errors), for logging. */
  onConnectionError?(info: ConnectionErrorInfo): void;
}

const DEFAULT_MAX_WRITE_BUFFER_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_FRAME_BYTES_BEFORE_IDENTITY = 64 * 1024;
export const DEFAULT_UNIDENTIFIED_BUFFERED_BYTES_MAX = 16 * 1024 * 1024;
const DEFAULT_UNIDENTIFIED_CONNECTIONS_MAX = 256;
const DEFAULT_IDENTITY_TIMEOUT_MS = 30_000;
const DEFAULT_KEEPALIVE_IDLE_MS = 60_000;
const DEFAULT_CLOSE_LINGER_MS = 2_000;

/** Reasons given to the remote side's onClose when the peer ended the connection. */
export const PEER_CLOSED = 'peer closed the connection';

/** Binding a listener failed; `code` is the system error code (EADDRINUSE, EADDRNOTAVAIL, ...). */
export class ListenError extends Error {
  readonly code: string | undefined;
  readonly endpoint: Endpoint;

  constructor(endpoint: Endpoint, cause: unknown) {
    const code = errnoCode(cause);
    super(`Cannot listen on ${formatEndpoint(endpoint)}: ${describeListenError(cause)}`, { cause });
    this.name = 'ListenError';
    this.code = code;
    this.endpoint = endpoint;
  }
}

function describeListenError(err: unknown): string {
  switch (errnoCode(err)) {
    case 'EADDRINUSE':
      return 'address already in use (EADDRINUSE)';
    case 'EADDRNOTAVAIL':
      return 'address not available on this host (EADDRNOTAVAIL)';
    case 'EACCES':
      return 'permission denied (EACCES)';
    default:
      return errorText(err);
  }
}

/** An error's message; OpenSSL's long "...:error:0A00045C:SSL routines:..." messages shortened to their reason. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // OpenSSL's errors carry the short reason and the library that raised it.
  if ('reason' in err && typeof err.reason === 'string' && 'library' in err && typeof err.library === 'string') return `${err.reason} (${err.library})`;
  return err.message.trim();
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The reason a connection is dropped for a frame libopflex would call a protocol error. */
function protocolErrorReason(err: ProtocolError | FrameTooLargeError, identified: boolean): string {
  if (err instanceof FrameTooLargeError) {
    return `protocol error: frame larger than ${err.limit} bytes${identified ? '' : ' before identity'} (reached ${err.size} bytes)`;
  }
  switch (err.code) {
    case 'invalid-json':
      return `protocol error: invalid JSON (${err.cause instanceof Error ? err.cause.message : err.message})`;
    case 'not-object':
      return `protocol error: ${lowerFirst(err.message)}`;
    case 'notification':
      return /null id/.test(err.message) ? 'protocol error: notification (null id)' : 'protocol error: notification without id';
    case 'malformed':
      return `protocol error: malformed message: ${lowerFirst(err.message)}`;
  }
}

function connectErrorReason(remote: string, err: unknown, tlsInUse: boolean): string {
  switch (errnoCode(err)) {
    case 'ECONNREFUSED':
      return `connection refused: ${remote}`;
    case 'ETIMEDOUT':
      return `connection timed out: ${remote}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable: ${remote}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve host: ${remote}`;
  }
  if (tlsInUse) return `TLS handshake with ${remote} failed: ${errorText(err)}`;
  return `connect to ${remote} failed: ${errorText(err)}`;
}

type State = 'connecting' | 'open' | 'closed';

/** One TCP or TLS connection carrying NUL-framed OpFlex messages. */
export class SocketConnection implements Connection {
  readonly id: number;
  readonly remote: string;
  private readonly localName: string | undefined;
  /** The socket's own "address:port", read once it is connected (a closed socket no longer knows it). */
  private socketLocal: string | undefined;
  private handler: ConnectionHandler | undefined;
  private socket: net.Socket | undefined;
  private state: State;
  private readonly decoder: FrameDecoder;
  private pausedForHandler = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private socketClosed = false;
  private readonly closeWaiters: (() => void)[] = [];
  /** @internal Called once the socket is fully closed. */
  onSocketGone: (() => void) | undefined;
  /**
   * Whether the peer identified itself (markIdentified). Until then an accepted connection has a
   * small frame bound and counts against the transport's budget for unidentified connections.
   * Connections we dial are trusted from the start.
   */
  private identified: boolean;
  /** Partial-frame bytes this connection counts in the transport's unidentified budget. */
  private countedBytes = 0;
  private identityTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly transport: SocketTransport,
    init: { remote: string; local?: string | undefined; handler?: ConnectionHandler; state: State; accepted?: boolean },
  ) {
    this.id = transport.nextConnectionId();
    this.remote = init.remote;
    this.localName = init.local;
    this.handler = init.handler;
    this.state = init.state;
    this.identified = init.accepted !== true;
    this.decoder = new FrameDecoder({ maxFrameBytes: this.identified ? transport.maxFrameBytes : transport.maxFrameBytesBeforeIdentity });
  }

  /** The `from` name given to connect(), else the socket's own address once known. */
  get local(): string {
    return this.localName ?? this.socketLocal ?? '';
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** True once close() ran or the connection ended by itself (the socket may still be flushing). */
  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** For TLS connections: whether the peer's certificate verified against the trusted CAs. */
  get peerAuthorized(): boolean | undefined {
    return this.socket instanceof tls.TLSSocket ? this.socket.authorized : undefined;
  }

  /** Outbound bytes queued in user space for this peer. */
  get bufferedBytes(): number {
    return (this.socket?.writableLength ?? 0) + this.outbound.bytes;
  }

  /** Resolves when the underlying socket is fully closed (immediately if it already is or never existed). */
  whenSocketClosed(): Promise<void> {
    if (this.socketClosed || this.socket === undefined) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  describe(): string {
    return `#${this.id} ${this.local ? `${this.local} ` : ''}-> ${this.remote}`;
  }

  get isIdentified(): boolean {
    return this.identified;
  }

  /** Bytes held for a frame whose NUL has not arrived yet. */
  get partialFrameBytes(): number {
    return this.decoder.bufferedBytes;
  }

  /** The peer completed its identity: the full frame bound applies, and the unidentified budgets no longer do. */
  markIdentified(): void {
    if (this.identified) return;
    this.identified = true;
    this.decoder.maxFrameBytes = this.transport.maxFrameBytes;
    this.stopIdentityTimer();
    this.transport.forgetUnidentified(this);
    this.recount();
  }

  setHandler(handler: ConnectionHandler): void {
    this.handler = handler;
    if (this.pausedForHandler) {
      this.pausedForHandler = false;
      this.socket?.resume();
    }
  }

  send(message: RpcMessage): void {
    const socket = this.socket;
    if (this.state !== 'open' || !socket) return;
    let chunks: FrameChunk[];
    try {
      chunks = encodeMessageChunks(message, this.transport.maxSentFrameBytes);
    } catch (err) {
      this.unsendable(message, err);
      return;
    }
    let size = 0;
    for (const c of chunks) size += typeof c === 'string' ? Buffer.byteLength(c, 'utf8') : c.length;
    if (socket.writableLength + this.outbound.bytes + size > this.transport.maxWriteBufferBytes) {
      this.abort(`write buffer over ${this.transport.maxWriteBufferBytes} bytes: peer is not reading`);
      return;
    }
    // Frames sent in one turn of the event loop leave in one write instead of one syscall each.
    if (this.outbound.isEmpty) process.nextTick(this.flush);
    for (const c of chunks) this.outbound.add(c, typeof c === 'string' ? Buffer.byteLength(c, 'utf8') : c.length);
  }

  private readonly outbound = new OutboundBatch();

  private readonly flush = (): void => {
    const socket = this.socket;
    if (!socket || socket.destroyed) {
      this.outbound.clear();
      return;
    }
    // A TLS socket is left out of the scratch reuse: what its layer keeps of a write is its own business.
    this.outbound.flushTo(socket, !(socket instanceof tls.TLSSocket));
  };

  /**
   * A message that cannot go out. A reply becomes an error reply (the request fails, the session
   * goes on); anything else, or a failure to encode at all, closes only this connection.
   */
  private unsendable(message: RpcMessage, err: unknown): void {
    if (err instanceof MessageTooLargeError && message.kind === 'result') {
      this.transport.report(this.describe(), `reply ${message.id} not sent: more than ${err.limit} bytes (maxSentFrameBytes)`);
      this.send({ kind: 'error', id: message.id, error: { code: 'ERROR', message: `Reply larger than ${err.limit} bytes` } });
      return;
    }
    const what = message.kind === 'request' ? `${message.method} request` : `${message.kind === 'error' ? 'error reply' : 'reply'} ${message.id}`;
    const why = err instanceof MessageTooLargeError ? `more than ${err.limit} bytes (maxSentFrameBytes)` : errorText(err);
    this.abort(`cannot send ${what}: ${why}`);
  }

  /** Ends the connection: queued frames are flushed, then the socket is ended. Calls the own handler's onClose once. */
  close(reason: string): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.leaveUnidentified();
    if (wasOpen) this.endSocket();
    else this.socket?.destroy();
    this.notifyClose(reason);
  }

  // ---- internals, driven by SocketTransport and socket events ----

  /** @internal An accepted connection that must identify itself within the transport's identity timeout. */
  startIdentityTimer(timeoutMs: number): void {
    if (this.identified) return;
    this.identityTimer = setTimeout(() => this.guard(() => this.drop(`no identity within ${timeoutMs} ms`)), timeoutMs);
    this.identityTimer.unref();
  }

  /** @internal Drops the connection at once for exceeding a transport bound. */
  drop(reason: string): void {
    this.abort(reason);
  }

  private stopIdentityTimer(): void {
    if (this.identityTimer !== undefined) clearTimeout(this.identityTimer);
    this.identityTimer = undefined;
  }

  /** Brings the transport's count of unidentified partial-frame bytes up to date for this connection. */
  private recount(): void {
    const bytes = this.identified || this.state === 'closed' ? 0 : this.decoder.bufferedBytes;
    if (bytes === this.countedBytes) return;
    const delta = bytes - this.countedBytes;
    this.countedBytes = bytes;
    this.transport.countUnidentifiedBytes(delta);
  }

  /** Every way of closing ends here: no identity timer, no partial frame kept, out of the unidentified budget. */
  private leaveUnidentified(): void {
    this.stopIdentityTimer();
    this.decoder.discard();
    this.recount();
    if (!this.identified) this.transport.forgetUnidentified(this);
  }

  /** @internal */
  attach(socket: net.Socket): void {
    this.socket = socket;
    if (this.state === 'open') this.readLocalAddress();
    if (this.handler === undefined && this.state === 'open') {
      this.pausedForHandler = true;
      socket.pause();
    }
    socket.on('data', (chunk: Buffer) => this.guard(() => this.onData(chunk)));
    socket.on('end', () => this.guard(() => this.ended(this.peerClosedReason())));
    socket.on('error', (err: Error) => this.guard(() => this.onSocketError(err)));
    socket.on('close', () => this.guard(() => this.onSocketClose()));
  }

  /** @internal The client socket connected (TLS: handshake done). */
  opened(): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.readLocalAddress();
    this.callHandler(() => this.handler?.onOpen());
  }

  private readLocalAddress(): void {
    const s = this.socket;
    if (s?.localAddress !== undefined && s.localPort !== undefined) this.socketLocal = `${s.localAddress}:${s.localPort}`;
  }

  /** @internal Fails a connection before it has a socket (e.g. net.connect threw). */
  failBeforeSocket(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.leaveUnidentified();
    this.transport.report(this.describe(), reason);
    this.notifyClose(reason);
  }

  /** Destroys the socket at once (nothing flushed) and reports the reason as an abnormal end. */
  private abort(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.leaveUnidentified();
    this.socket?.destroy();
    this.transport.report(this.describe(), reason);
    this.notifyClose(reason);
  }

  private onData(chunk: Buffer): void {
    if (this.state !== 'open') return; // closing: discard whatever still arrives
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameTooLargeError)) throw err;
      this.deliverFrames(err.precedingFrames);
      this.protocolFailure(err);
      return;
    }
    this.deliverFrames(frames);
    this.recount();
    if (!this.identified) this.transport.enforceUnidentifiedBudget();
  }

  private deliverFrames(frames: Buffer[]): void {
    for (const frame of frames) {
      if (this.state !== 'open') return;
      let message: RpcMessage;
      try {
        message = decodeMessage(frame);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        this.protocolFailure(err);
        return;
      }
      // Inline rather than through callHandler: no closure per message on the hot path.
      try {
        this.handler?.onMessage(message);
      } catch (err) {
        this.handlerFailed(err);
      }
    }
  }

  private protocolFailure(err: ProtocolError | FrameTooLargeError): void {
    if (this.state !== 'open') return;
    const reason = protocolErrorReason(err, this.identified);
    this.transport.report(this.describe(), reason);
    // libopflex drops the client. End gracefully (what is queued still goes out, later input is
    // discarded), destroyed after the linger time at the latest.
    this.state = 'closed';
    this.leaveUnidentified();
    this.endSocket();
    this.notifyClose(reason);
  }

  private onSocketError(err: Error): void {
    if (this.state === 'closed') return;
    const reason = this.state === 'connecting' ? connectErrorReason(this.remote, err, this.socket instanceof tls.TLSSocket) : `socket error: ${errorText(err)}`;
    this.abort(reason);
  }

  private ended(reason: string): void {
    if (this.state === 'closed') return;
    const wasConnecting = this.state === 'connecting';
    this.state = 'closed';
    this.leaveUnidentified();
    if (wasConnecting) {
      this.socket?.destroy();
      const why = `connect to ${this.remote} failed: ${reason}`;
      this.transport.report(this.describe(), why);
      this.notifyClose(why);
      return;
    }
    this.endSocket(); // the peer's FIN: Node ends our side too; bound the flush of what we still queue
    this.notifyClose(reason);
  }

  private peerClosedReason(): string {
    const partial = this.decoder.bufferedBytes;
    return partial > 0 ? `${PEER_CLOSED} (in the middle of a frame, ${partial} bytes unterminated)` : PEER_CLOSED;
  }

  private onSocketClose(): void {
    this.socketClosed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.ended(this.peerClosedReason());
    this.onSocketGone?.();
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  private endSocket(): void {
    const socket = this.socket;
    if (!socket || this.socketClosed || this.lingerTimer !== undefined) return;
    if (this.pausedForHandler) {
      this.pausedForHandler = false;
      socket.resume(); // keep reading (and discarding) so the peer's FIN is seen
    }
    this.flush();
    socket.end();
    this.lingerTimer = setTimeout(() => socket.destroy(), this.transport.closeLingerMs);
  }

  private notifyClose(reason: string): void {
    const handler = this.handler;
    if (!handler) return;
    try {
      handler.onClose(reason);
    } catch (err) {
      this.transport.report(this.describe(), `onClose handler threw: ${errorText(err)}`);
    }
  }

  /** Runs a handler callback; if it throws, the connection is closed with the error as reason. */
  private callHandler(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.handlerFailed(err);
    }
  }

  private handlerFailed(err: unknown): void {
    const reason = `handler error: ${errorText(err)}`;
    this.transport.report(this.describe(), reason);
    this.close(reason);
  }

  /** Nothing escapes a socket callback: an unexpected exception closes this connection. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const reason = `internal error: ${errorText(err)}`;
      this.transport.report(this.describe(), reason);
      if (this.state !== 'closed') {
        this.state = 'closed';
        this.leaveUnidentified();
        this.socket?.destroy();
        this.notifyClose(reason);
      }
    }
  }
}

/** A bound (or binding) server socket. `ready` settles once it is bound; `endpoint` then carries the real port. */
export class SocketListener implements Listener {
  /** Resolves once bound; rejects with a ListenError (EADDRINUSE, EADDRNOTAVAIL, ...). */
  readonly ready: Promise<void>;
  private readonly server: net.Server;
  private readonly connections = new Set<SocketConnection>();
  private readonly handshaking = new Set<net.Socket>();
  /** "address:port" of each raw socket, read on accept: a destroyed socket no longer knows its peer. */
  private readonly peerOf = new WeakMap<net.Socket, string>();
  private bound: Endpoint | undefined;
  private closed = false;
  private serverClosed: Promise<void> | undefined;

  constructor(
    private readonly transport: SocketTransport,
    private readonly at: Endpoint,
    private readonly onAccept: (connection: Connection) => void,
    tlsOptions: ServerTlsOptions | undefined,
  ) {
    const secure = tlsOptions !== undefined;
    this.server = secure
      ? tls.createServer({
          key: tlsOptions.key,
          cert: tlsOptions.cert,
          ca: tlsOptions.ca,
          requestCert: tlsOptions.requestCert ?? false,
          rejectUnauthorized: tlsOptions.rejectUnauthorized ?? true,
        })
      : net.createServer();

    this.server.on('connection', (raw: net.Socket) => {
      try {
        transport.tune(raw);
        if (this.closed) {
          raw.destroy();
          return;
        }
        if (!secure) {
          this.accept(raw);
          return;
        }
        // Until its handshake completes, a TLS client is only a raw socket; keep it to destroy on close().
        this.handshaking.add(raw);
        this.peerOf.set(raw, `${raw.remoteAddress}:${raw.remotePort}`);
        raw.on('error', () => {}); // reported through tlsClientError
        raw.once('close', () => this.handshaking.delete(raw));
      } catch (err) {
        transport.report(this.describe(), `accept failed: ${errorText(err)}`);
        raw.destroy();
      }
    });
    if (secure) {
      this.server.on('secureConnection', (socket: tls.TLSSocket) => {
        for (const raw of this.handshaking) {
          if (raw.remoteAddress === socket.remoteAddress && raw.remotePort === socket.remotePort) this.handshaking.delete(raw);
        }
        if (this.closed) {
          socket.destroy();
          return;
        }
        this.accept(socket);
      });
      this.server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
        // Once destroyed the TLS socket forgets its peer; the raw socket under it (Node's _parent) still knows.
        const raw = (socket as tls.TLSSocket & { _parent?: net.Socket })._parent;
        const peer = (raw && this.peerOf.get(raw)) ?? (socket.remoteAddress !== undefined ? `${socket.remoteAddress}:${socket.remotePort}` : 'unknown peer');
        const refused = socket.authorizationError;
        const why = refused ? `client certificate refused (${String(refused)})` : errorText(err);
        transport.report(`${this.describe()} <- ${peer}`, `TLS handshake failed: ${why}`);
      });
    }

    this.ready = new Promise<void>((resolve, reject) => {
      this.server.on('error', (err: Error) => {
        if (this.bound === undefined) {
          this.closed = true;
          transport.forgetListener(this);
          reject(new ListenError(at, err));
          return;
        }
        transport.report(this.describe(), `listener error: ${err.message}`);
      });
      this.server.on('listening', () => {
        const address = this.server.address();
        this.bound = { host: at.host, port: typeof address === 'object' && address ? address.port : at.port };
        if (this.closed) {
          this.server.close();
          reject(new Error(`Listener on ${formatEndpoint(at)} was closed before it was bound`));
          return;
        }
        resolve();
      });
    });
    // A caller using only the synchronous Listener interface must not get an unhandled rejection.
    this.ready.catch((err: unknown) => {
      if (err instanceof ListenError) transport.report(this.describe(), err.message);
    });
    try {
      this.server.listen({ host: at.host, port: at.port });
    } catch (err) {
      // Synchronous argument errors (e.g. a bad port): surface them through `ready` like a bind error.
      this.server.emit('error', err);
    }
  }

  /** The address as given, with the port actually bound once `ready` resolved (useful with port 0). */
  get endpoint(): Endpoint {
    return this.bound ?? this.at;
  }

  get isListening(): boolean {
    return this.bound !== undefined && !this.closed;
  }

  /** True after close() or a failed bind. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Accepted connections whose sockets are not fully closed yet. */
  get openConnections(): number {
    return this.connections.size;
  }

  describe(): string {
    return `listener ${formatEndpoint(this.endpoint)}`;
  }

  /** Stops accepting and closes every open connection (their handlers get onClose("listener closed")). */
  close(reason = 'listener closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.serverClosed = new Promise((resolve) => {
      if (this.bound === undefined) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
    });
    for (const raw of this.handshaking) raw.destroy();
    this.handshaking.clear();
    for (const connection of [...this.connections]) connection.close(reason);
    this.transport.forgetListener(this);
  }

  /** close(), then waits until the server and all its sockets are gone. */
  async closeAsync(reason?: string): Promise<void> {
    const sockets = [...this.connections].map((c) => c.whenSocketClosed());
    this.close(reason);
    await Promise.all([this.serverClosed, ...sockets]);
  }

  private accept(socket: net.Socket): void {
    const connection = new SocketConnection(this.transport, { remote: `${socket.remoteAddress}:${socket.remotePort}`, state: 'open', accepted: true });
    this.connections.add(connection);
    this.transport.track(connection);
    connection.onSocketGone = () => {
      this.connections.delete(connection);
      this.transport.untrack(connection);
    };
    connection.attach(socket);
    if (!this.transport.admitUnidentified(connection)) return;
    try {
      this.onAccept(connection);
    } catch (err) {
      const reason = `accept handler error: ${errorText(err)}`;
      this.transport.report(connection.describe(), reason);
      connection.close(reason);
    }
  }
}

export class SocketTransport implements Transport {
  readonly maxFrameBytes: number;
  readonly maxSentFrameBytes: number;
  readonly maxFrameBytesBeforeIdentity: number;
  readonly unidentifiedBufferedBytesMax: number;
  readonly unidentifiedConnectionsMax: number;
  readonly identityTimeoutMs: number;
  readonly maxWriteBufferBytes: number;
  readonly keepAliveIdleMs: number;
  readonly closeLingerMs: number;
  private connectionCounter = 0;
  private readonly live = new Set<SocketConnection>();
  private readonly listeners = new Set<SocketListener>();
  private readonly notYetReady: SocketListener[] = [];
  /** Accepted connections not identified yet, oldest first. */
  private readonly unidentified = new Set<SocketConnection>();
  private unidentifiedBytes = 0;

  constructor(private readonly options: SocketTransportOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxSentFrameBytes = options.maxSentFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxFrameBytesBeforeIdentity = Math.min(options.maxFrameBytesBeforeIdentity ?? DEFAULT_MAX_FRAME_BYTES_BEFORE_IDENTITY, this.maxFrameBytes);
    this.unidentifiedBufferedBytesMax = options.unidentifiedBufferedBytesMax ?? DEFAULT_UNIDENTIFIED_BUFFERED_BYTES_MAX;
    this.unidentifiedConnectionsMax = options.unidentifiedConnectionsMax ?? DEFAULT_UNIDENTIFIED_CONNECTIONS_MAX;
    this.identityTimeoutMs = options.identityTimeoutMs ?? DEFAULT_IDENTITY_TIMEOUT_MS;
    for (const [name, value] of Object.entries({
      maxSentFrameBytes: this.maxSentFrameBytes,
      maxFrameBytesBeforeIdentity: this.maxFrameBytesBeforeIdentity,
      unidentifiedBufferedBytesMax: this.unidentifiedBufferedBytesMax,
      unidentifiedConnectionsMax: this.unidentifiedConnectionsMax,
      identityTimeoutMs: this.identityTimeoutMs,
    })) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
    this.maxWriteBufferBytes = options.maxWriteBufferBytes ?? DEFAULT_MAX_WRITE_BUFFER_BYTES;
    this.keepAliveIdleMs = options.keepAliveIdleMs ?? DEFAULT_KEEPALIVE_IDLE_MS;
    this.closeLingerMs = options.closeLingerMs ?? DEFAULT_CLOSE_LINGER_MS;
    if (!Number.isInteger(this.maxWriteBufferBytes) || this.maxWriteBufferBytes < 1) {
      throw new RangeError(`maxWriteBufferBytes must be a positive integer, got ${this.maxWriteBufferBytes}`);
    }
    // Fail fast on a bad maxFrameBytes rather than on the first connection.
    new FrameDecoder({ maxFrameBytes: this.maxFrameBytes });
  }

  /**
   * Dials `to` (TLS from the first byte when `clientTls` is set). Returns at once; the handler's onOpen
   * reports the connection up, or onClose the failure ("connection refused: 127.0.0.1:9").
   */
  connect(to: Endpoint, handler: ConnectionHandler, from?: string): SocketConnection {
    const remote = formatEndpoint(to);
    const connection = new SocketConnection(this, { remote, local: from, handler, state: 'connecting' });
    const clientTls = this.options.clientTls;
    let socket: net.Socket;
    try {
      socket = clientTls
        ? tls.connect({
            host: to.host,
            port: to.port,
            ca: clientTls.ca,
            key: clientTls.key,
            cert: clientTls.cert,
            rejectUnauthorized: clientTls.rejectUnauthorized ?? true,
            ...(clientTls.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
          })
        : net.connect({ host: to.host, port: to.port });
    } catch (err) {
      // e.g. a port out of range: report asynchronously, as any other failed connect.
      setImmediate(() => connection.failBeforeSocket(`connect to ${remote} failed: ${errorText(err)}`));
      return connection;
    }
    this.tune(socket);
    this.track(connection);
    connection.onSocketGone = () => this.untrack(connection);
    connection.attach(socket);
    socket.once(clientTls ? 'secureConnect' : 'connect', () => {
      try {
        connection.opened();
      } catch (err) {
        this.report(connection.describe(), `internal error: ${errorText(err)}`);
      }
    });
    return connection;
  }

  /** Starts listening; await `listener.ready` (or use listenAsync) to learn the bound port or a bind error. */
  listen(at: Endpoint, onAccept: (connection: Connection) => void): SocketListener {
    const listener = new SocketListener(this, at, onAccept, this.options.tls);
    if (!listener.isClosed) this.listeners.add(listener); // a bad port fails inside the constructor
    this.notYetReady.push(listener);
    return listener;
  }

  /** Resolves once every listener started so far is bound; rejects with the first bind error. */
  async whenListening(): Promise<void> {
    const waiting = this.notYetReady.splice(0);
    await Promise.all(waiting.map((l) => l.ready));
  }

  /** listen(), resolved once bound (endpoint.port is then the real port), rejected with a ListenError. */
  async listenAsync(at: Endpoint, onAccept: (connection: Connection) => void): Promise<SocketListener> {
    const listener = this.listen(at, onAccept);
    await listener.ready;
    return listener;
  }

  /** Sockets (client and accepted) not yet fully closed. */
  get liveSockets(): number {
    return this.live.size;
  }

  /** Accepted connections whose peer has not identified itself yet. */
  get unidentifiedConnections(): number {
    return this.unidentified.size;
  }

  /** Bytes of partial frames held by those connections. */
  get unidentifiedBufferedBytes(): number {
    return this.unidentifiedBytes;
  }

  /** Closes every listener and connection of this transport and waits until their sockets are gone. */
  async shutdown(reason = 'transport shut down'): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const listener of [...this.listeners]) waits.push(listener.closeAsync(reason));
    for (const connection of [...this.live]) {
      waits.push(connection.whenSocketClosed());
      connection.close(reason);
    }
    await Promise.all(waits);
  }

  /** @internal */
  nextConnectionId(): number {
    return ++this.connectionCounter;
  }

  /** @internal TCP_NODELAY and SO_KEEPALIVE as libopflex's tcpInit. */
  tune(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.keepAliveIdleMs);
  }

  /** @internal */
  track(connection: SocketConnection): void {
    this.live.add(connection);
  }

  /** @internal */
  untrack(connection: SocketConnection): void {
    this.live.delete(connection);
  }

  /**
   * @internal A freshly accepted connection joins the unidentified ones; past the bound it, the
   * newest, is dropped. False when it was.
   */
  admitUnidentified(connection: SocketConnection): boolean {
    if (this.unidentified.size >= this.unidentifiedConnectionsMax) {
      connection.drop(`more than ${this.unidentifiedConnectionsMax} connections awaiting identity (unidentifiedConnectionsMax)`);
      return false;
    }
    this.unidentified.add(connection);
    connection.startIdentityTimer(this.identityTimeoutMs);
    return true;
  }

  /** @internal */
  forgetUnidentified(connection: SocketConnection): void {
    this.unidentified.delete(connection);
  }

  /** @internal */
  countUnidentifiedBytes(delta: number): void {
    this.unidentifiedBytes += delta;
  }

  /** @internal Past the budget, the newest unidentified connections holding partial frames are dropped until it holds. */
  enforceUnidentifiedBudget(): void {
    if (this.unidentifiedBytes <= this.unidentifiedBufferedBytesMax) return;
    const newestFirst = [...this.unidentified].reverse();
    for (const connection of newestFirst) {
      if (this.unidentifiedBytes <= this.unidentifiedBufferedBytesMax) return;
      if (connection.partialFrameBytes === 0) continue;
      connection.drop(`partial frames of connections awaiting identity over ${this.unidentifiedBufferedBytesMax} bytes (unidentifiedBufferedBytesMax)`);
    }
  }

  /** @internal */
  forgetListener(listener: SocketListener): void {
    this.listeners.delete(listener);
  }

  /** @internal */
  report(connection: string, reason: string): void {
    try {
      this.options.onConnectionError?.({ connection, reason });
    } catch {
      // a logging hook must not take a connection or the process down
    }
  }
}
