/**
 * Sees every OpFlex message on the fabric's side of a session (leaves and the anycast proxy): each
 * one the fabric receives from an agent and each one it sends to an agent. Watching only the side
 * that listens counts every message once, whether the agent runs in this process or elsewhere.
 */
import type { RpcMessage } from '../opflex/message.ts';
import type { Connection, ConnectionHandler, Endpoint, Listener, Transport } from '../transport/transport.ts';

/** The methods of the OpFlex protocol; the emulator counts any other name a peer sends as "other". */
export const OPFLEX_METHODS: ReadonlySet<string> = new Set([
  'send_identity', 'echo', 'policy_resolve', 'policy_unresolve', 'policy_update', 'endpoint_declare', 'endpoint_undeclare',
  'endpoint_resolve', 'endpoint_unresolve', 'endpoint_update', 'state_report', 'custom',
]);

export type MessageObserver = (fromAgent: boolean, message: RpcMessage) => void;

export function watchFabricSide(inner: Transport, observe: MessageObserver): Transport {
  return {
    connect: (to: Endpoint, handler: ConnectionHandler, from?: string) => inner.connect(to, handler, from),
    listen: (at: Endpoint, onAccept: (connection: Connection) => void): Listener => inner.listen(at, (c) => onAccept(new FabricSideConnection(c, observe))),
  };
}

class FabricSideConnection implements Connection {
  constructor(
    private readonly inner: Connection,
    private readonly observe: MessageObserver,
  ) {}

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
    this.inner.setHandler({
      onOpen: () => handler.onOpen(),
      onClose: (reason) => handler.onClose(reason),
      onMessage: (message) => {
        this.observe(true, message);
        handler.onMessage(message);
      },
    });
  }

  send(message: RpcMessage): void {
    if (this.inner.isOpen) this.observe(false, message);
    this.inner.send(message);
  }

  close(reason: string): void {
    this.inner.close(reason);
  }
}
