/**
 * The transport seam: OpFlex actors send and receive whole RPC messages over a Connection. In
 * simulation a Connection is an in-memory link with modelled latency; live it is a TCP or TLS socket
 * with NUL-framed JSON. Actors never know which.
 */
import type { RpcMessage } from '../opflex/message.ts';

export interface Endpoint {
  host: string;
  port: number;
}

export function formatEndpoint(e: Endpoint): string {
  return `${e.host}:${e.port}`;
}

/** Splits "host:port" at the last colon, as libopflex does; throws on a bad form. */
export function parseEndpoint(text: string): Endpoint {
  const i = text.lastIndexOf(':');
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new SyntaxError(`Expected "host:port", got "${text}"`);
  return { host: text.slice(0, i), port };
}

export interface ConnectionHandler {
  /** The connection is open (client side; servers get connections already open). */
  onOpen(): void;
  onMessage(message: RpcMessage): void;
  /** The connection is gone: closed by either side, failed to connect, or broken. Called once. */
  onClose(reason: string): void;
}

export interface Connection {
  readonly id: number;
  /** The address the client dialled, "host:port". */
  readonly local: string;
  readonly remote: string;
  readonly isOpen: boolean;
  setHandler(handler: ConnectionHandler): void;
  send(message: RpcMessage): void;
  /**
   * The peer completed the identity handshake. Transports that guard their listeners (sockets) lift
   * the bounds they keep on peers that have not identified themselves.
   */
  markIdentified?(): void;
  /** Closes the connection; the peer learns it after the link latency. The own handler's onClose runs too. */
  close(reason: string): void;
}

export interface Listener {
  readonly endpoint: Endpoint;
  close(): void;
}

export interface EstablishedLink {
  client: Connection;
  server: Connection;
}

export interface Transport {
  /** Starts connecting; the handler's onOpen or onClose reports the outcome. `from` names the dialling host. */
  connect(to: Endpoint, handler: ConnectionHandler, from?: string): Connection;
  listen(at: Endpoint, onAccept: (connection: Connection) => void): Listener;
  /**
   * Both ends of a connection that is already open, without the listener's accept (a steady start
   * hands them to the actors itself). Only transports that can conjure a connection have it.
   */
  establish?(to: Endpoint, from: string): EstablishedLink;
}
