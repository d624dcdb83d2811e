/**
 * Puts the OpFlex exchange of a migrating node into the trace, message by message: from the moment
 * its VM is stunned until the node has converged on its destination (or a bound is reached), every
 * message between its agent and the anycast proxy or a leaf becomes an `opflex-message` event at
 * the time it arrives (keepalive echoes aside), with when it was sent, who sent it to whom, the
 * method and the objects it carries. The switch-over sequence diagram (switchover-exchange.ts) is
 * drawn from these events.
 *
 * It reads the message flows the simulation's transport watcher (message-flows.ts) reports, so the
 * trace stays a function of scenario and seed.
 */
import type { Trace, TraceEvent } from '../kernel/trace.ts';
import type { RpcMessage } from '../opflex/message.ts';
import type { FollowedDirection, MessageFlow } from './message-flows.ts';
import { field, isRecord } from '../json-fields.ts';

/** Messages recorded per migration; the rest of its exchange is left out (an `opflex-messages-dropped` event counts them). */
export const exchangeMessagesPerMigrationMax = 400;
/** Objects named per message; past it the summary ends "and N more". */
const exchangeObjectsPerMessageMax = 6;

const AGENT_PREFIX = 'agent:';

interface Capture {
  node: string;
  migration: number;
  sinceMs: number;
  recorded: number;
  droppedCount: number;
}

/** The view of a direction between actors none of which is an agent: never followed. */
const NEVER_FOLLOWED: FollowedDirection = Object.freeze({ followed: false });

export class ExchangeTap {
  /** Open windows by agent actor ("agent:<node>"), the name flows carry: no string is cut per flow. */
  private readonly capturing = new Map<string, Capture>();
  /** Per agent actor asked about, whether its window is open: the view the flow recorder reads per message. */
  private readonly open = new Map<string, { followed: boolean }>();

  constructor(private readonly trace: Trace) {}

  /** Follows stun-start and converged milestones to open and close each node's window. */
  readonly onEvent = (e: TraceEvent): void => {
    if (e.event === 'stun-start') {
      const node = e.data.node as string;
      this.close(node);
      this.capturing.set(AGENT_PREFIX + node, { node, migration: e.data.migration as number, sinceMs: e.tMs, recorded: 0, droppedCount: 0 });
      this.openView(AGENT_PREFIX + node).followed = true;
    } else if (e.event === 'milestone' && e.data.name === 'converged') {
      this.close(e.data.node as string);
    }
  };

  /** Closes every window still open (at the end of the run). */
  finish(): void {
    for (const capture of [...this.capturing.values()]) this.close(capture.node);
  }

  /**
   * Whether messages from one actor to another may belong to an open window (the flow recorder reads
   * it before it records): those of an agent whose window is open, as a view that follows the window.
   */
  direction(from: string, to: string): FollowedDirection {
    const fromAgent = from.startsWith(AGENT_PREFIX);
    const toAgent = to.startsWith(AGENT_PREFIX);
    if (fromAgent && toAgent) {
      const a = this.openView(from);
      const b = this.openView(to);
      return { get followed() { return a.followed || b.followed; } };
    }
    if (fromAgent) return this.openView(from);
    if (toAgent) return this.openView(to);
    return NEVER_FOLLOWED;
  }

  private openView(agent: string): { followed: boolean } {
    let view = this.open.get(agent);
    if (view === undefined) this.open.set(agent, (view = { followed: this.capturing.has(agent) }));
    return view;
  }

  /** A message arrived: recorded when it belongs to an open window (sent since the stun). */
  onFlow(flow: MessageFlow, message: RpcMessage): void {
    const agent = flow.from.startsWith(AGENT_PREFIX) ? flow.from : flow.to.startsWith(AGENT_PREFIX) ? flow.to : undefined;
    if (agent === undefined) return;
    const capture = this.capturing.get(agent);
    if (!capture || flow.sentMs < capture.sinceMs) return;
    const node = capture.node;
    if (capture.recorded >= exchangeMessagesPerMigrationMax) {
      capture.droppedCount++;
      return;
    }
    // Keepalives say nothing about the switch-over.
    if (flow.method === 'echo') return;
    capture.recorded++;
    this.trace.emit(flow.to, 'opflex-message', {
      node,
      migration: capture.migration,
      from: flow.from,
      to: flow.to,
      method: flow.method,
      kind: flow.kind,
      sentMs: Math.round(flow.sentMs * 1000) / 1000,
      objects: objectsOf(message, flow.method),
    });
  }

  private close(node: string): void {
    const agent = AGENT_PREFIX + node;
    const capture = this.capturing.get(agent);
    if (!capture) return;
    this.capturing.delete(agent);
    this.openView(agent).followed = false;
    if (capture.droppedCount > 0) {
      this.trace.emit('simulation', 'opflex-messages-dropped', { node, migration: capture.migration, count: capture.droppedCount, max: exchangeMessagesPerMigrationMax });
    }
  }
}

/** The objects a message names, as "Subject uri" items joined by ", " (bounded). */
function objectsOf(message: RpcMessage, method: string): string {
  const items: string[] = [];
  const add = (subject: unknown, uri: unknown, prefix = ''): void => {
    items.push(`${prefix}${typeof subject === 'string' ? subject : '?'} ${typeof uri === 'string' ? uri : '?'}`);
  };
  const eachParam = (visit: (item: Record<string, unknown>) => void): void => {
    if (message.kind !== 'request' || !Array.isArray(message.params)) return;
    for (const p of message.params) if (isRecord(p)) visit(p);
  };
  const eachObject = (list: unknown, prefix = ''): void => {
    if (!Array.isArray(list)) return;
    for (const mo of list) if (mo !== null && typeof mo === 'object') add(field(mo, 'subject'), field(mo, 'uri'), prefix);
  };
  if (message.kind === 'error') return `error ${message.error.code}`;
  if (message.kind === 'result') {
    const policy = field(message.result, 'policy');
    if (method === 'policy_resolve' && Array.isArray(policy)) {
      // The subtree's roots: objects whose parent is not in the reply.
      const uris = new Set(policy.map((mo) => field(mo, 'uri')));
      eachObject(policy.filter((mo) => mo && !uris.has(field(mo, 'parent_uri'))));
      return bounded(items, `${policy.length} object${policy.length === 1 ? '' : 's'}`);
    }
    const peers = field(message.result, 'peers');
    if (method === 'send_identity' && Array.isArray(peers)) {
      return peers.map((p) => String(field(p, 'connectivity_info'))).join(', ');
    }
    return '';
  }
  switch (method) {
    case 'send_identity':
      eachParam((p) => items.push(String(p.name) + (typeof p.my_location === 'string' && p.my_location !== '' ? ` at ${p.my_location}` : '')));
      break;
    case 'policy_resolve':
    case 'policy_unresolve':
      eachParam((p) => add(p.subject, p.policy_uri));
      break;
    case 'endpoint_declare':
      eachParam((p) => eachObject(p.endpoint));
      break;
    case 'endpoint_undeclare':
    case 'endpoint_resolve':
      eachParam((p) => add(p.subject, p.endpoint_uri));
      break;
    case 'policy_update':
      eachParam((p) => {
        eachObject(p.replace, 'replace ');
        eachObject(p.merge_children, 'merge ');
        if (Array.isArray(p.delete)) for (const d of p.delete) add(field(d, 'subject'), field(d, 'uri'), 'delete ');
      });
      break;
  }
  return bounded(items);
}

function bounded(items: string[], lead = ''): string {
  const shown = items.slice(0, exchangeObjectsPerMessageMax);
  const rest = items.length - shown.length;
  const list = shown.join(', ') + (rest > 0 ? ` and ${rest} more` : '');
  return lead && list ? `${lead}: ${list}` : lead || list;
}
