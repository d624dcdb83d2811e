/**
 * Load against a live emulator, from another process: many sessions held with keepalive, a
 * policy_resolve flood with a fixed number of requests in flight, or a storm of full agents that all
 * reset at once. Results are plain numbers for the benchmark table.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { FrameDecoder } from '../opflex/framing.ts';
import { RandomStreams } from '../kernel/random.ts';
import { RealtimeScheduler } from '../kernel/realtime-scheduler.ts';
import { Trace } from '../kernel/trace.ts';
import { epgUri, platformConfigUri } from '../model/policy-builder.ts';
import { OpflexAgent } from '../opflex/agent.ts';
import { RpcEndpoint } from '../opflex/rpc-endpoint.ts';
import type { Scenario } from '../scenario/types.ts';
import { SocketTransport } from '../transport/socket-transport.ts';
import type { Endpoint } from '../transport/transport.ts';
import { PodEndpoint } from '../host/pod-endpoint.ts';

const KEEPALIVE = { firstMs: 10_000, repeatMs: 15_000, timeoutMs: 120_000 };
const WARM_UP_MS = 3000;
/** How long a flood session may take to connect and get its identity answered. */
const floodSessionReadyMsMax = 30_000;

function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (predicate()) return resolve();
      if (performance.now() > deadline) return reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

interface Session {
  rpc: RpcEndpoint;
  ready: boolean;
  closed: boolean;
}

function openSession(transport: SocketTransport, scheduler: RealtimeScheduler, at: Endpoint, name: string, domain: string): Session {
  const connection = transport.connect(at, { onOpen() {}, onMessage() {}, onClose() {} }, name);
  // The callbacks run once the connection opens or closes, after `session` is made.
  const session: Session = { ready: false, closed: false, rpc: new RpcEndpoint(connection, scheduler, {
    onOpen: () =>
      session.rpc.request('send_identity', [{ proto_version: '1.0', name, domain, my_role: ['policy_element'], data: { mac: '00:00:00:00:00:00', features: ['anycastFallback'] } }], (reply) => {
        session.ready = reply.kind === 'result';
      }),
    onRequest: () => {},
    onClose: () => {
      session.closed = true;
      session.ready = false;
    },
  }, { keepalive: KEEPALIVE }) };
  return session;
}

/** Opens `count` sessions spread over the leaves and holds them; resolves once all are ready. */
export async function holdSessions(leaves: Endpoint[], count: number, domain: string, settleMs: number): Promise<{ held: number; failed: number; openMs: number; stop: () => Promise<void> }> {
  const scheduler = new RealtimeScheduler();
  const transport = new SocketTransport();
  const t0 = performance.now();
  const sessions: Session[] = [];
  for (let i = 0; i < count; i++) {
    sessions.push(openSession(transport, scheduler, leaves[i % leaves.length]!, `load-${i}`, domain));
    if (i % 500 === 499) await new Promise((r) => setTimeout(r, 5));
  }
  await waitUntil(() => sessions.every((s) => s.ready || s.closed), 120_000, 'every session to be ready');
  const openMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, settleMs));
  return {
    held: sessions.filter((s) => s.ready && !s.closed).length,
    failed: sessions.filter((s) => s.closed).length,
    openMs,
    stop: async () => {
      scheduler.stop();
      await transport.shutdown('load done');
    },
  };
}

/**
 * `sessions` raw sessions each keep `inFlight` policy_resolve requests outstanding for `durationMs`.
 * The client only frames and classifies replies (no JSON parse), so it measures the server.
 */
export async function resolveFlood(leaves: Endpoint[], uris: { subject: string; uri: string }[], sessionsCount: number, inFlight: number, durationMs: number, domain: string): Promise<{ replies: number; repliesPerS: number; errors: number }> {
  let replies = 0;
  let errors = 0;
  let counting = false;
  let running = true;
  const bodies = uris.map((u) => Buffer.from(`"method":"policy_resolve","params":[{"subject":${JSON.stringify(u.subject)},"policy_uri":${JSON.stringify(u.uri)},"prr":7200}]}\0`, 'utf8'));
  // One name per session: a leaf holds only a few sessions of one agent name (sessionsPerAgentMax).
  const identity = (i: number) => Buffer.from(`${JSON.stringify({ id: ['send_identity', 1], method: 'send_identity', params: [{ proto_version: '1.0', name: `flood-${i}`, domain, my_role: ['policy_element'] }] })}\0`);
  const RESULT = Buffer.from('{"id":["policy_resolve",');
  const opened: net.Socket[] = [];
  const sockets = await Promise.all(
    Array.from({ length: sessionsCount }, (_, i) =>
      new Promise<net.Socket>((resolve, reject) => {
        const at = leaves[i % leaves.length]!;
        const where = `${at.host}:${at.port}`;
        const socket = net.connect({ host: at.host, port: at.port });
        opened.push(socket);
        socket.setNoDelay(true);
        const timer = setTimeout(() => reject(new Error(`no answer to the identity from ${where} within ${floodSessionReadyMsMax / 1000} s`)), floodSessionReadyMsMax);
        socket.on('close', () => {
          clearTimeout(timer);
          reject(new Error(`${where} closed the session before answering its identity`));
        });
        const decoder = new FrameDecoder();
        let next = i * 1_000_003;
        let ready = false;
        const send = (): void => {
          if (!running) return;
          const k = next++;
          socket.write(`{"id":["policy_resolve",${k}],`);
          socket.write(bodies[k % bodies.length]!);
        };
        socket.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot load ${where}: ${err.code ?? err.message}`)));
        socket.on('connect', () => socket.write(identity(i)));
        socket.on('data', (chunk: Buffer) => {
          socket.cork();
          for (const frame of decoder.push(chunk)) {
            if (!ready) {
              ready = true;
              clearTimeout(timer);
              for (let k = 0; k < inFlight; k++) send();
              resolve(socket);
              continue;
            }
            if (frame.subarray(0, RESULT.length).equals(RESULT)) {
              if (counting) {
                if (frame.includes('"result"')) replies++;
                else errors++;
              }
              send();
            }
          }
          process.nextTick(() => socket.uncork());
        });
      }),
    ),
  ).catch((err: unknown) => {
    running = false;
    for (const socket of opened) socket.destroy();
    throw err;
  });
  // Warm-up: the leaves fetch the objects from APIC once; the measurement is of serving them.
  await new Promise((r) => setTimeout(r, WARM_UP_MS));
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const elapsed = performance.now() - t0;
  counting = false;
  running = false;
  for (const socket of sockets) socket.destroy();
  return { replies, repliesPerS: (replies / elapsed) * 1000, errors };
}

/** Full agents for the scenario's first `count` nodes connect through the anycast proxy; then all reset at once. */
export async function resetStorm(scenario: Scenario, anycast: Endpoint, count: number): Promise<{ agents: number; bootstrapMs: number; stormMs: number; resolves: number }> {
  const scheduler = new RealtimeScheduler();
  const transport = new SocketTransport();
  const trace = new Trace(scheduler, { record: false });
  let resolves = 0;
  trace.subscribe((e) => {
    if (e.event === 'policy-resolved') resolves++;
  });
  const random = new RandomStreams(1);
  const nodes = scenario.nodes.slice(0, count);
  const agents = nodes.map((n) => {
    const agent = new OpflexAgent({
      name: n.name, domain: scenario.policy.domain, mac: n.mac, configuredPeers: [anycast], prrS: 7200, retryDelayS: 10, resetWaitDelayS: 5,
      keepalive: KEEPALIVE, handshakeTimeoutMs: 45_000, reconnectPacingMs: 1250, platformConfigUri: platformConfigUri(scenario.policy.domain),
    }, scheduler, transport, trace, random.stream(n.name));
    return { agent, node: n };
  });
  const t0 = performance.now();
  for (const { agent, node } of agents) {
    agent.start();
    for (const pod of node.pods) agent.addEndpoint(new PodEndpoint(node.name, pod, epgUri(scenario.policy.tenant, pod.epg)));
  }
  const settled = () => agents.every(({ agent, node }) => agent.health === 'HEALTHY' && agent.processor.declaredEndpoints().length === node.pods.length);
  await waitUntil(settled, 300_000, 'every agent to bootstrap');
  const bootstrapMs = performance.now() - t0;
  const t1 = performance.now();
  for (const { agent } of agents) agent.reset('reset-conf');
  await waitUntil(settled, 300_000, 'every agent to be back');
  const stormMs = performance.now() - t1;
  for (const { agent } of agents) agent.stop();
  scheduler.stop();
  await transport.shutdown('storm done');
  return { agents: agents.length, bootstrapMs, stormMs, resolves };
}
