/**
 * Sees every OpFlex message on the fabric's side of a session (leaves and the anycast proxy): each
 * one the fabric receives from an agent and each one it sends to an agent. Watching only the side
 * that listens counts every message once, whether the agent runs in this process or elsewhere.
 */
import type { RpcMessage } from '../opflex/message.ts';
import { observeTransport } from '../transport/observed-transport.ts';
import type { Transport } from '../transport/transport.ts';

/** The methods of the OpFlex protocol; the emulator counts any other name a peer sends as "other". */
export const OPFLEX_METHODS: ReadonlySet<string> = new Set([
  'send_identity', 'echo', 'policy_resolve', 'policy_unresolve', 'policy_update', 'endpoint_declare', 'endpoint_undeclare',
  'endpoint_resolve', 'endpoint_unresolve', 'endpoint_update', 'state_report', 'custom',
]);

type MessageObserver = (fromAgent: boolean, message: RpcMessage) => void;

export function watchFabricSide(inner: Transport, observe: MessageObserver): Transport {
  const watch = { sent: (message: RpcMessage) => observe(false, message), received: (message: RpcMessage) => observe(true, message) };
  return observeTransport(inner, { server: () => watch });
}
