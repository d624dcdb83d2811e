/**
 * A scripted OpFlex client over a raw socket, for tests that play agents (good or hostile) against a
 * live leaf: it writes frames as given (or builds requests), decodes whatever comes back, and matches
 * replies to requests by their raw id.
 */
import net from 'node:net';
import { decodeMessage } from '../../src/opflex/codec.ts';
import { FrameDecoder } from '../../src/opflex/framing.ts';
import type { RpcErrorReply, RpcMessage, RpcRequest, RpcResult } from '../../src/opflex/message.ts';

export type Reply = RpcResult | RpcErrorReply;

export class OpflexClient {
  readonly socket: net.Socket;
  /** Requests the server sent us (echo, policy_update). */
  readonly requests: RpcRequest[] = [];
  /** Bytes that were not a frame we could decode (the server should never send any). */
  undecodable = 0;
  closed = false;
  private readonly decoder = new FrameDecoder();
  private readonly waiting = new Map<string, (reply: Reply) => void>();
  private readonly replies = new Map<string, Reply>();
  private counter = 0;

  private constructor(host: string, port: number) {
    this.socket = net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.onFrame(frame);
    });
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
    });
  }

  static open(host: string, port: number): Promise<OpflexClient> {
    const client = new OpflexClient(host, port);
    return new Promise((resolve, reject) => {
      client.socket.once('connect', () => resolve(client));
      client.socket.once('error', reject);
    });
  }

  /** Writes bytes as they are (a frame needs its own NUL). Resolves once written or at once if the socket is gone. */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed || !this.socket.writable) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  /** Sends a request and resolves with its reply, or undefined if the connection closes first or `timeoutMs` passes. */
  call(method: string, params: unknown[], timeoutMs = 30_000): Promise<Reply | undefined> {
    const id = JSON.stringify([method, ++this.counter]);
    const reply = new Promise<Reply | undefined>((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const onClose = () => finish(this.replies.get(id));
      const finish = (r: Reply | undefined) => {
        clearTimeout(timer);
        this.socket.off('close', onClose);
        this.waiting.delete(id);
        resolve(r);
      };
      this.waiting.set(id, finish);
      if (this.closed) finish(undefined);
      else this.socket.once('close', onClose);
    });
    void this.write(`{"id":${id},"method":${JSON.stringify(method)},"params":${JSON.stringify(params)}}\0`);
    return reply;
  }

  identify(name: string, domain: string, timeoutMs?: number): Promise<Reply | undefined> {
    return this.call('send_identity', [{ proto_version: '1.0', name, domain, my_role: ['policy_element'] }], timeoutMs);
  }

  resolve(subject: string, uri: string, prr = 3600): Promise<Reply | undefined> {
    return this.call('policy_resolve', [{ subject, policy_uri: uri, prr }]);
  }

  /** Resolves once the server has closed the connection (or `timeoutMs` passed: then false). */
  waitClosed(timeoutMs = 30_000): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onFrame(frame: Buffer): void {
    let message: RpcMessage;
    try {
      message = decodeMessage(frame);
    } catch {
      this.undecodable++;
      return;
    }
    if (message.kind === 'request') {
      this.requests.push(message);
      // Answer keepalives like an agent, so the server keeps the session.
      if (message.method === 'echo') void this.write(`{"id":${message.id},"result":${JSON.stringify(message.params)}}\0`);
      return;
    }
    this.replies.set(message.id, message);
    this.waiting.get(message.id)?.(message);
  }
}

/** The error message of a reply, or '' when it was a result. */
export function errorOf(reply: Reply | undefined): string {
  return reply?.kind === 'error' ? reply.error.message : '';
}
