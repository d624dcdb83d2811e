/**
 * An OpFlex server that says whatever a test scripts: answers to send_identity and policy_resolve,
 * and pushed requests (policy_update, endpoint_update). Every message goes through the wire codec
 * (encoded, then decoded as our agent's socket would), so what arrives is what a real peer could send.
 */
import { decodeMessage, encodeMessageText } from '../../src/opflex/codec.ts';
import type { RpcMessage } from '../../src/opflex/message.ts';
import type { Connection, Endpoint, Listener, Transport } from '../../src/transport/transport.ts';
import { formatEndpoint } from '../../src/transport/transport.ts';
import { field } from '../../src/json-fields.ts';

export interface ServerScript {
  /** The `result` of a send_identity reply. */
  identity(self: string): unknown;
  /** The `result` of a policy_resolve reply (undefined: no answer). */
  resolve(subject: string, uri: string): unknown;
}

export class ScriptedServer {
  readonly connections: Connection[] = [];
  readonly resolved: string[] = [];
  private listener: Listener | undefined;
  private pushes = 0;

  constructor(
    private readonly transport: Transport,
    readonly at: Endpoint,
    public script: ServerScript,
  ) {}

  get key(): string {
    return formatEndpoint(this.at);
  }

  start(): void {
    this.listener = this.transport.listen(this.at, (connection) => {
      this.connections.push(connection);
      connection.setHandler({
        onOpen: () => {},
        onClose: () => {},
        onMessage: (message) => {
          if (message.kind !== 'request') return;
          const p = message.params[0];
          let result: unknown;
          if (message.method === 'echo') result = message.params;
          else if (message.method === 'send_identity') result = this.script.identity(this.key);
          else if (message.method === 'policy_resolve') {
            this.resolved.push(String(field(p, 'policy_uri')));
            result = this.script.resolve(String(field(p, 'subject')), String(field(p, 'policy_uri')));
          } else result = {};
          if (result !== undefined) sendOverWire(connection, { kind: 'result', id: message.id, result });
        },
      });
    });
  }

  /** Sends a request to every open connection. */
  push(method: string, params: unknown[]): void {
    const id = `["${method}",${++this.pushes}]`;
    for (const c of this.connections) if (c.isOpen) sendOverWire(c, { kind: 'request', id, method, params });
  }

  stop(): void {
    this.listener?.close();
    for (const c of this.connections) c.close('server stopped');
    this.connections.length = 0;
  }
}

/** What a socket peer could put on the wire: something the codec cannot write is not sent. */
function sendOverWire(connection: Connection, message: RpcMessage): void {
  let decoded: RpcMessage;
  try {
    decoded = decodeMessage(encodeMessageText(message));
  } catch {
    return;
  }
  connection.send(decoded);
}
