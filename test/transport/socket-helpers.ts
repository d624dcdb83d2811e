/**
 * Helpers for the SocketTransport tests: recording handlers, a raw `net` peer that speaks bytes,
 * bounded waits, and certificates generated at test time.
 */
import net from 'node:net';
import { generate } from 'selfsigned';
import { decodeMessage } from '../../src/opflex/codec.ts';
import { FrameDecoder } from '../../src/opflex/framing.ts';
import type { RpcMessage } from '../../src/opflex/message.ts';
import type { ConnectionHandler } from '../../src/transport/transport.ts';

/** How long waitFor waits by default: what a loaded machine needs for a local socket round trip, many times over. */
const WAIT_FOR_DEFAULT_MS = 20_000;

/** Polls until `predicate` holds; fails after `timeoutMs` with `what` in the message. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = WAIT_FOR_DEFAULT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(2);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A ConnectionHandler that records everything it is told. */
export class RecordingHandler implements ConnectionHandler {
  opens = 0;
  readonly messages: RpcMessage[] = [];
  readonly closeReasons: string[] = [];

  onOpen(): void {
    this.opens++;
  }

  onMessage(message: RpcMessage): void {
    this.messages.push(message);
  }

  onClose(reason: string): void {
    this.closeReasons.push(reason);
  }

  get closed(): boolean {
    return this.closeReasons.length > 0;
  }

  waitOpen(what = 'onOpen'): Promise<void> {
    return waitFor(() => this.opens > 0 || this.closed, what).then(() => {
      if (this.opens === 0) throw new Error(`Closed instead of opening: ${this.closeReasons[0]}`);
    });
  }

  waitMessages(n: number, what = `${n} messages`): Promise<void> {
    return waitFor(() => this.messages.length >= n, what);
  }

  waitClosed(what = 'onClose'): Promise<void> {
    return waitFor(() => this.closed, what);
  }
}

/** A peer that writes raw bytes and decodes whatever comes back, as libopflex would see it on the wire. */
export class RawPeer {
  readonly socket: net.Socket;
  readonly frames: string[] = [];
  private readonly decoder = new FrameDecoder();
  connected = false;
  ended = false;
  closed = false;
  error: Error | undefined;

  constructor(port: number, host = '127.0.0.1') {
    this.socket = net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      this.connected = true;
    });
    this.socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.frames.push(frame.toString('utf8'));
    });
    this.socket.on('end', () => {
      this.ended = true;
    });
    this.socket.on('error', (err) => {
      this.error = err;
    });
    this.socket.on('close', () => {
      this.closed = true;
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawPeer> {
    const peer = new RawPeer(port, host);
    await waitFor(() => peer.connected || peer.closed, 'raw peer to connect');
    if (!peer.connected) throw new Error(`Raw peer failed to connect: ${peer.error?.message}`);
    return peer;
  }

  messages(): RpcMessage[] {
    return this.frames.map((f) => decodeMessage(f));
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || !this.socket.writable) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  /** Writes one text frame (NUL appended). */
  send(json: string): Promise<void> {
    return this.write(`${json}\0`);
  }

  waitFrames(n: number, what = `${n} frames at the raw peer`): Promise<void> {
    return waitFor(() => this.frames.length >= n, what);
  }

  /** Waits until the other side has ended or reset the connection. */
  waitDisconnected(what = 'the server to disconnect the raw peer'): Promise<void> {
    return waitFor(() => this.ended || this.closed, what);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A port on 127.0.0.1 that was free a moment ago and on which nobody listens now. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TestCertificates {
  ca: string;
  server: { key: string; cert: string };
  client: { key: string; cert: string };
  /** A second CA, unrelated to the first, with its own client certificate. */
  otherCa: string;
  otherClient: { key: string; cert: string };
}

let certificates: Promise<TestCertificates> | undefined;

/** A test CA, a server certificate for 127.0.0.1 and a client certificate (EC P-256, generated once per process). */
export function testCertificates(): Promise<TestCertificates> {
  certificates ??= makeCertificates();
  return certificates;
}

async function makeCa(name: string) {
  return generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
}

async function makeClient(ca: { private: string; cert: string }, name: string) {
  const pems = await generate([{ name: 'commonName', value: name }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

async function makeCertificates(): Promise<TestCertificates> {
  const ca = await makeCa('opflex-twin test CA');
  const other = await makeCa('some other CA');
  const server = await generate([{ name: 'commonName', value: 'leaf-101' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return {
    ca: ca.cert,
    server: { key: server.private, cert: server.cert },
    client: await makeClient(ca, 'agent-node-1'),
    otherCa: other.cert,
    otherClient: await makeClient(other, 'intruder'),
  };
}
