/**
 * A Connection that hands every call to the one it wraps; a wrapper (a watcher, a fault injector)
 * overrides only what it changes, so a call added to the Connection seam later reaches the real
 * connection through every wrapper.
 */
import type { RpcMessage } from '../opflex/message.ts';
import type { Connection, ConnectionHandler } from './transport.ts';

export abstract class ForwardingConnection implements Connection {
  protected abstract readonly inner: Connection;

  get id(): number {
    return this.inner.id;
  }
  get local(): string {
    return this.inner.local;
  }
  get remote(): string {
    return this.inner.remote;
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  setHandler(handler: ConnectionHandler): void {
    this.inner.setHandler(handler);
  }

  send(message: RpcMessage): void {
    this.inner.send(message);
  }

  markIdentified(): void {
    this.inner.markIdentified?.();
  }

  close(reason: string): void {
    this.inner.close(reason);
  }
}
