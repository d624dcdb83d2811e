/**
 * Load against a live emulator, from another process: many sessions held with keepalive, a
 * policy_resolve flood with a fixed number of requests in flight, or a storm of full agents that all
 * reset at once. Results are plain numbers for the benchmark table.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { FrameDecoder } from '../opflex/framing.ts';
import { processCpuMs } from './process-cpu.ts';
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
/** Sessions of a hold still connecting or awaiting their identity reply at once (a leaf drops unidentified connections past 256). */
export const holdHandshakesInFlightMax = 128;
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
  let settled = 0; // sessions ready or closed, counted up to the newest opened (they settle roughly in order)
  const handshaking = () => {
    while (settled < sessions.length && (sessions[settled]!.ready || sessions[settled]!.closed)) settled++;
    return sessions.length - settled;
  };
  for (let i = 0; i < count; i++) {
    // A leaf drops connections past its bound on unidentified ones (256): stay well under it.
    if (handshaking() >= holdHandshakesInFlightMax) await waitUntil(() => handshaking() < holdHandshakesInFlightMax, 120_000, 'sessions to finish their handshakes');
    sessions.push(openSession(transport, scheduler, leaves[i % leaves.length]!, `load-${i}`, domain));
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

/** What a resolve flood measured, over its timed window (after the warm-up). */
export interface FloodFigures {
  replies: number;
  repliesPerS: number;
  errors: number;
  /** Bytes of every reply frame received in the window, NULs included. */
  replyBytes: number;
  replyBytesPerS: number;
  /** Time from writing a request to framing its reply, over the window's replies and errors. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** With a server pid: the server's CPU time in the window, per reply (microseconds), and the client's own. */
  serverCpuUsPerReply?: number;
  clientCpuUsPerReply: number;
}

/**
 * Send times are kept per session in a ring indexed by request number: a reply finds its request's
 * time there as long as fewer than this many requests of its session are outstanding (in-flight is
 * bounded by loadInFlightMax, well below it).
 */
const sentRingSize = 1 << 16;
/** Latency histogram: buckets of latencyBucketUs microseconds up to latencyHistogramMsMax; later replies count in the last. */
const latencyBucketUs = 10;
const latencyHistogramMsMax = 1000;

/** Request latencies in fixed buckets (no allocation per sample). */
class LatencyHistogram {
  private readonly buckets = new Uint32Array((latencyHistogramMsMax * 1000) / latencyBucketUs + 1);
  private count = 0;

  add(ms: number): void {
    this.buckets[Math.min(this.buckets.length - 1, Math.floor((ms * 1000) / latencyBucketUs))]!++;
    this.count++;
  }

  /** The upper edge of the bucket holding quantile q, in ms (0 with no samples). */
  quantileMs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return ((i + 1) * latencyBucketUs) / 1000;
    }
    return latencyHistogramMsMax;
  }
}

/** Bytes of `{"id":["policy_resolve",k],` for request number k. */
function idHeadBytes(k: number): number {
  return 26 + String(k).length;
}

/** The request number in a reply frame that starts with `{"id":["policy_resolve",` (at `from`); -1 if it is not digits. */
function requestNumberAt(frame: Buffer, from: number): number {
  let n = 0;
  let i = from;
  for (; i < frame.length; i++) {
    const c = frame[i]!;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  return i === from ? -1 : n;
}

/**
 * `sessions` raw sessions each keep `inFlight` policy_resolve requests outstanding for `durationMs`.
 * The client only frames and classifies replies (no JSON parse), so it measures the server.
 */
export async function resolveFlood(leaves: Endpoint[], uris: { subject: string; uri: string }[], sessionsCount: number, inFlight: number, durationMs: number, domain: string, serverPid?: number): Promise<FloodFigures> {
  if (serverPid !== undefined) processCpuMs(serverPid); // a pid that cannot be read fails before any load
  let replies = 0;
  let errors = 0;
  let replyBytes = 0;
  let counting = false;
  let running = true;
  const latency = new LatencyHistogram();
  const bodies = uris.map((u) => Buffer.from(`"method":"policy_resolve","params":[{"subject":${JSON.stringify(u.subject)},"policy_uri":${JSON.stringify(u.uri)},"prr":7200}]}\0`, 'utf8'));
  // One name per session: a leaf holds only a few sessions of one agent name (sessionsPerAgentMax).
  const identity = (i: number) => Buffer.from(`${JSON.stringify({ id: ['send_identity', 1], method: 'send_identity', params: [{ proto_version: '1.0', name: `flood-${i}`, domain, my_role: ['policy_element'] }] })}\0`);
  const RESULT = Buffer.from('{"id":["policy_resolve",');
  const RESULT_MEMBER = Buffer.from('"result"');
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
        // Request numbers start apart per session so the sessions do not all ask for the same object at once.
        const first = i * 1_000_003;
        let next = first;
        const sentAt = new Float64Array(sentRingSize);
        let ready = false;
        // Requests made while handling one chunk of replies leave in one write, built in one buffer.
        const queued: number[] = [];
        let queuedBytes = 0;
        const send = (now: number): void => {
          if (!running) return;
          const k = next++;
          queued.push(k);
          queuedBytes += idHeadBytes(k) + bodies[k % bodies.length]!.length;
          sentAt[(k - first) & (sentRingSize - 1)] = now;
        };
        const flush = (): void => {
          if (queued.length === 0) return;
          const out = Buffer.allocUnsafe(queuedBytes);
          let at = 0;
          for (const k of queued) {
            at += out.write(`{"id":["policy_resolve",${k}],`, at, 'latin1');
            const body = bodies[k % bodies.length]!;
            out.set(body, at);
            at += body.length;
          }
          socket.write(out);
          queued.length = 0;
          queuedBytes = 0;
        };
        socket.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot load ${where}: ${err.code ?? err.message}`)));
        socket.on('connect', () => socket.write(identity(i)));
        socket.on('data', (chunk: Buffer) => {
          const now = performance.now();
          for (const frame of decoder.push(chunk)) {
            if (!ready) {
              ready = true;
              clearTimeout(timer);
              for (let k = 0; k < inFlight; k++) send(now);
              resolve(socket);
              continue;
            }
            if (frame.length >= RESULT.length && RESULT.compare(frame, 0, RESULT.length) === 0) {
              if (counting) {
                if (frame.indexOf(RESULT_MEMBER, RESULT.length) !== -1) replies++;
                else errors++;
                replyBytes += frame.length + 1;
                const k = requestNumberAt(frame, RESULT.length);
                if (k >= first) latency.add(now - sentAt[(k - first) & (sentRingSize - 1)]!);
              }
              send(now);
            }
          }
          flush();
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
  const serverCpu0 = serverPid === undefined ? 0 : processCpuMs(serverPid);
  const clientCpu0 = process.cpuUsage();
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  const elapsed = performance.now() - t0;
  counting = false;
  const serverCpuMs = serverPid === undefined ? 0 : processCpuMs(serverPid) - serverCpu0;
  const clientCpu = process.cpuUsage(clientCpu0);
  running = false;
  for (const socket of sockets) socket.destroy();
  return {
    replies,
    repliesPerS: (replies / elapsed) * 1000,
    errors,
    replyBytes,
    replyBytesPerS: (replyBytes / elapsed) * 1000,
    latencyP50Ms: latency.quantileMs(0.5),
    latencyP99Ms: latency.quantileMs(0.99),
    ...(serverPid === undefined ? {} : { serverCpuUsPerReply: replies > 0 ? (serverCpuMs * 1000) / replies : 0 }),
    clientCpuUsPerReply: replies > 0 ? (clientCpu.user + clientCpu.system) / replies : 0,
  };
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
