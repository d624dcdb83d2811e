/**
 * A ProxySession (the leaf's OpFlex server role) served over real sockets, attacked by peers that
 * break the protocol. In every case the offending connection gets libopflex's reaction (it is
 * dropped, with the reason), a well-behaved session opened before it keeps getting answers, and
 * nothing throws.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeScheduler } from '../../src/kernel/realtime-scheduler.ts';
import type { Scheduler } from '../../src/kernel/scheduler.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import type { IdentityRequest, IdentityResult, RpcErrorReply, RpcResult } from '../../src/opflex/message.ts';
import { ProxySession, type ProxyBackend } from '../../src/opflex/proxy-session.ts';
import { RpcEndpoint, type KeepaliveTimers } from '../../src/opflex/rpc-endpoint.ts';
import { SocketTransport, type ConnectionErrorInfo, type SocketListener } from '../../src/transport/socket-transport.ts';
import type { Connection } from '../../src/transport/transport.ts';
import { EchoCountingConnection } from './echo-counting-connection.ts';
import { RawPeer, waitFor } from './socket-helpers.ts';

const TEST_TIMEOUT = { timeout: 30_000 };
const DOMAIN = 'comp/prov-Kubernetes/ctrlr-[kube]-kube/sw-InsiemeLSOid';
const MAX_FRAME_BYTES = 4096;
const MAX_OUTSTANDING = 100;
/** libopflex's timers, run on model time the keepalive tests advance by hand (see advanceModelTime). */
const LIBOPFLEX_KEEPALIVE: KeepaliveTimers = { firstMs: 10_000, repeatMs: 15_000, timeoutMs: 120_000 };
/** How long the good agent waits for a reply over loopback before the test fails (a hang, not slowness). */
const REPLY_LIVENESS_MS = 20_000;
/** Model time one step of advanceModelTime moves: less than the echo period, so each step sends at most one echo a side. */
const MODEL_STEP_MS = 5_000;
/** Wall time the sockets get to carry one step's echoes and their answers (a loaded machine is slow, never this slow). */
const ECHO_ROUND_TRIP_LIVENESS_MS = 20_000;

/** Answers resolves at once, except for URIs under /Never/, which it never answers (APIC is slow). */
class StubBackend implements ProxyBackend {
  readonly closed = new Map<ProxySession, string>();
  /** Resolves left unanswered (URIs under /Never/). */
  unanswered = 0;
  endpoint = '';

  identify(_session: ProxySession, request: IdentityRequest): IdentityResult {
    const roles: IdentityResult['my_role'] = ['policy_repository', 'endpoint_registry', 'observer'];
    return { name: 'leaf-101', domain: request.domain, your_location: '', data: {}, my_role: roles, peers: [{ role: roles, connectivity_info: this.endpoint }] };
  }

  onReady(): void {}

  onClosed(session: ProxySession, reason: string): void {
    this.closed.set(session, reason);
  }

  resolvePolicy(_session: ProxySession, subject: string, uri: string, done: (objects: ManagedObject[]) => void): void {
    if (uri.startsWith('/Never/')) {
      this.unanswered++;
      return;
    }
    done([{ subject, uri, properties: [], children: [] }]);
  }

  unresolvePolicy(): void {}
  declareEndpoint(): void {}
  undeclareEndpoint(): void {}
  resolveEndpoint(): ManagedObject[] {
    return [];
  }
}

interface ProxyServer {
  scheduler: Scheduler;
  transport: SocketTransport;
  listener: SocketListener;
  backend: StubBackend;
  sessions: ProxySession[];
  /** The echoes each session (same index as `sessions`) sent and had answered. */
  echoes: EchoCountingConnection[];
  errors: ConnectionErrorInfo[];
  keepalive: KeepaliveTimers | undefined;
  /** Good agents whose echoes advanceModelTime waits for. */
  goodAgents: GoodAgent[];
  /**
   * Model time (keepalive servers only): moves the clock to `toMs` in MODEL_STEP_MS steps; after
   * each, waits until every good agent's echoes are answered both ways, so time spent moving bytes
   * on a slow machine never counts as silence.
   */
  advanceModelTime(toMs: number): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A proxy on real sockets. Without keepalive its clock is the wall clock; with keepalive it is a
 * VirtualScheduler that only advanceModelTime moves.
 */
async function startProxy(options: { keepalive?: KeepaliveTimers } = {}): Promise<ProxyServer> {
  const virtual = options.keepalive ? new VirtualScheduler() : undefined;
  const realtime = virtual ? undefined : new RealtimeScheduler();
  const scheduler: Scheduler = virtual ?? realtime!;
  const errors: ConnectionErrorInfo[] = [];
  const transport = new SocketTransport({ maxFrameBytes: MAX_FRAME_BYTES, onConnectionError: (e) => errors.push(e) });
  const backend = new StubBackend();
  const sessions: ProxySession[] = [];
  const echoes: EchoCountingConnection[] = [];
  const listener = await transport.listenAsync({ host: '127.0.0.1', port: 0 }, (connection) => {
    const counted = new EchoCountingConnection(connection);
    echoes.push(counted);
    sessions.push(new ProxySession(counted, scheduler, backend, { keepalive: options.keepalive, maxOutstanding: MAX_OUTSTANDING }));
  });
  backend.endpoint = `127.0.0.1:${listener.endpoint.port}`;
  const server: ProxyServer = {
    scheduler,
    transport,
    listener,
    backend,
    sessions,
    echoes,
    errors,
    keepalive: options.keepalive,
    goodAgents: [],
    async advanceModelTime(toMs) {
      if (!virtual) throw new Error('advanceModelTime needs a proxy with keepalive (model time)');
      const goodSessions = () => sessions.filter((s, i) => s.identity?.name === GOOD_AGENT_NAME && echoes[i]);
      const settled = () =>
        server.goodAgents.every((a) => a.closeReasons.length > 0 || a.echoes.settled) &&
        sessions.every((s, i) => !goodSessions().includes(s) || s.state === 'closed' || echoes[i]!.settled);
      while (virtual.now() < toMs) {
        virtual.runUntil(Math.min(toMs, virtual.now() + MODEL_STEP_MS));
        await waitFor(settled, `the good sessions' echoes at model time ${virtual.now()} ms to be answered`, ECHO_ROUND_TRIP_LIVENESS_MS);
      }
    },
    async dispose() {
      await transport.shutdown();
      realtime?.stop();
    },
  };
  return server;
}

type Reply = RpcResult | RpcErrorReply;

const GOOD_AGENT_NAME = 'good-agent';

/** An agent that follows the protocol, built from the same RpcEndpoint the twin's agents use. */
class GoodAgent {
  readonly transport = new SocketTransport();
  readonly closeReasons: string[] = [];
  rpc!: RpcEndpoint;
  echoes!: EchoCountingConnection;
  private opened = false;

  static async connect(server: ProxyServer): Promise<GoodAgent> {
    const agent = new GoodAgent();
    server.goodAgents.push(agent);
    const placeholder = { onOpen() {}, onMessage() {}, onClose() {} };
    const connection: Connection = agent.transport.connect(server.listener.endpoint, placeholder, GOOD_AGENT_NAME);
    agent.echoes = new EchoCountingConnection(connection);
    agent.rpc = new RpcEndpoint(agent.echoes, server.scheduler, {
      onOpen: () => {
        agent.opened = true;
      },
      onRequest: () => {},
      onClose: (reason) => agent.closeReasons.push(reason),
    }, { keepalive: server.keepalive });
    await waitFor(() => agent.opened || agent.closeReasons.length > 0, 'the good agent to connect');
    const identity = await agent.call('send_identity', [{ proto_version: '1.0', name: GOOD_AGENT_NAME, domain: DOMAIN, my_role: ['policy_element'] }]);
    assert.equal(identity.kind, 'result');
    return agent;
  }

  call(method: string, params: unknown[]): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No reply to ${method} within ${REPLY_LIVENESS_MS} ms (closed: ${this.closeReasons.join('; ') || 'no'})`)), REPLY_LIVENESS_MS);
      this.rpc.request(method, params, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  async resolve(uri: string): Promise<Reply> {
    return this.call('policy_resolve', [{ subject: 'PlatformConfig', policy_uri: uri, prr: 3600 }]);
  }

  async dispose(): Promise<void> {
    await this.transport.shutdown();
  }
}

const IDENTITY_FRAME = JSON.stringify({
  id: ['send_identity', 1],
  method: 'send_identity',
  params: [{ proto_version: '1.0', name: 'raw-agent', domain: DOMAIN, my_role: ['policy_element'] }],
});

function resolveFrame(n: number, uri: string): string {
  return `{"id":["policy_resolve",${9223372036854775808n + BigInt(n)}],"method":"policy_resolve","params":[{"subject":"PlatformConfig","policy_uri":"${uri}","prr":3600}]}`;
}

interface BadPeerCase {
  name: string;
  /** Misbehaves; may inspect the server. */
  act(raw: RawPeer, server: ProxyServer): Promise<void>;
  /** The reason the server gives when it drops the bad session. */
  reason: RegExp;
  /** More checks once the bad session is gone. */
  check?(raw: RawPeer, server: ProxyServer): void;
  /** Reported via onConnectionError (for the bad connection only); undefined = nothing reported. */
  reported?: RegExp;
}

const cases: BadPeerCase[] = [
  {
    name: 'invalid JSON',
    act: (raw) => raw.send('{"id":["send_identity",1],"method":"send_identity","params":[{"name":}]}'),
    reason: /^protocol error: invalid JSON \(.+\)$/,
    reported: /^protocol error: invalid JSON/,
  },
  {
    name: 'a frame without id (a reply)',
    act: (raw) => raw.send('{"result":{}}'),
    reason: /^protocol error: notification without id$/,
    reported: /^protocol error: notification without id$/,
  },
  {
    name: 'a notification (a request without id)',
    act: (raw) => raw.send(`{"method":"send_identity","params":${JSON.stringify(JSON.parse(IDENTITY_FRAME).params)}}`),
    reason: /^protocol error: notification without id$/,
    reported: /^protocol error: notification/,
  },
  {
    name: 'a notification with a null id',
    act: (raw) => raw.send('{"id":null,"method":"echo","params":[]}'),
    reason: /^protocol error: notification \(null id\)$/,
    reported: /^protocol error: notification/,
  },
  {
    name: 'a frame that is an array',
    act: (raw) => raw.send(`[${IDENTITY_FRAME}]`),
    reason: /^protocol error: frame is an array, not a JSON object$/,
    reported: /^protocol error: frame is an array/,
  },
  {
    name: `an oversized frame (maxFrameBytes ${MAX_FRAME_BYTES}), refused before its NUL arrives`,
    act: async (raw) => {
      await raw.send(IDENTITY_FRAME);
      await raw.write(`{"id":["state_report",1],"method":"state_report","params":["${'x'.repeat(3 * MAX_FRAME_BYTES)}`);
    },
    reason: new RegExp(`^protocol error: frame larger than ${MAX_FRAME_BYTES} bytes \\(reached \\d+ bytes\\)$`),
    reported: /^protocol error: frame larger than/,
  },
  {
    name: 'a request before identity (gets the ESTATE error frame, then the disconnect)',
    act: (raw) => raw.send(resolveFrame(0, '/PolicyUniverse/PolicySpace/common/')),
    reason: /^request "policy_resolve" before identity$/,
    check: (raw) => {
      assert.equal(raw.frames.length, 1, `frames: ${raw.frames.join(' | ')}`);
      const reply = raw.messages()[0]!;
      assert.equal(reply.kind, 'error');
      assert.equal(reply.id, '["policy_resolve",9223372036854775808]');
      assert.equal(reply.kind === 'error' && reply.error.code, 'ESTATE');
      assert.ok(raw.ended, 'closed with a FIN after the error frame, not reset');
    },
  },
  {
    name: 'an abrupt close (FIN) in the middle of a frame',
    act: async (raw) => {
      await raw.send(IDENTITY_FRAME);
      await raw.write(resolveFrame(1, '/PolicyUniverse/').slice(0, 40));
      raw.socket.end();
    },
    reason: /^peer closed the connection \(in the middle of a frame, 40 bytes unterminated\)$/,
  },
  {
    name: 'an abrupt reset (RST) in the middle of a frame',
    act: async (raw) => {
      await raw.send(IDENTITY_FRAME);
      await waitFor(() => raw.frames.length > 0, 'the identity reply');
      await raw.write(resolveFrame(1, '/PolicyUniverse/').slice(0, 40));
      raw.socket.resetAndDestroy();
    },
    // Right after data, Linux may report the reset as ECONNRESET or as the end of the stream.
    reason: /^socket error: read ECONNRESET$|^peer closed the connection \(in the middle of a frame, 40 bytes unterminated\)$/,
  },
  {
    name: `a peer flooding 10,000 policy_resolve requests the backend never answers (cut off at maxOutstanding ${MAX_OUTSTANDING})`,
    act: async (raw, server) => {
      await raw.send(IDENTITY_FRAME);
      const before = process.memoryUsage();
      for (let batch = 0; batch < 10; batch++) {
        const frames: string[] = [];
        for (let i = 0; i < 1000; i++) frames.push(`${resolveFrame(batch * 1000 + i, `/Never/${batch}/${i}/`)}\0`);
        await raw.write(frames.join(''));
      }
      await raw.waitDisconnected();
      const after = process.memoryUsage();
      const growth = Math.max(after.rss - before.rss, after.heapUsed - before.heapUsed);
      assert.ok(growth < 200 * 1024 * 1024, `memory grew by ${Math.round(growth / 1024 / 1024)} MB`);
      assert.equal(server.backend.unanswered, MAX_OUTSTANDING, 'only the admitted requests reach the backend');
    },
    reason: new RegExp(`^flooded: more than ${MAX_OUTSTANDING} requests outstanding$`),
    check: (raw) => {
      const replies = raw.messages();
      assert.equal(replies.length, 2, 'the identity reply and the refusal, nothing else');
      const refusal = replies[1]!;
      assert.equal(refusal.kind, 'error');
      assert.equal(refusal.id, `["policy_resolve",${9223372036854775808n + BigInt(MAX_OUTSTANDING)}]`);
      assert.match(refusal.kind === 'error' ? refusal.error.message : '', /More than 100 requests outstanding/);
    },
  },
];

/**
 * Opens a good agent, then the bad peer; checks the bad session is dropped with `reason`, the
 * good one still gets answers and nothing else was disturbed.
 */
async function runCase(c: BadPeerCase, server: ProxyServer): Promise<void> {
  const good = await GoodAgent.connect(server);
  try {
    assert.equal((await good.resolve('/PolicyUniverse/PolicySpace/common/')).kind, 'result');
    const raw = await RawPeer.open(server.listener.endpoint.port);
    try {
      await waitFor(() => server.sessions.length === 2, 'the bad session to be accepted');
      const [goodSession, badSession] = server.sessions as [ProxySession, ProxySession];
      await c.act(raw, server);
      await waitFor(() => badSession.state === 'closed', 'the bad session to be dropped');
      assert.match(server.backend.closed.get(badSession)!, c.reason);
      await raw.waitDisconnected();
      c.check?.(raw, server);

      const reply = await good.resolve('/PolicyUniverse/PolicySpace/kube/');
      assert.equal(reply.kind, 'result');
      assert.deepEqual(reply.kind === 'result' && reply.result, {
        policy: [{ subject: 'PlatformConfig', uri: '/PolicyUniverse/PolicySpace/kube/', properties: [], children: [] }],
      });
      assert.equal(goodSession.state, 'ready');
      assert.deepEqual(good.closeReasons, []);
      assert.equal(server.backend.closed.has(goodSession), false);

      const badPrefix = `#${badSession.id} `;
      assert.ok(server.errors.every((e) => e.connection.startsWith(badPrefix)), `only the bad connection is reported: ${JSON.stringify(server.errors)}`);
      if (c.reported) assert.ok(server.errors.some((e) => c.reported!.test(e.reason)), `reported: ${JSON.stringify(server.errors)}`);
    } finally {
      raw.destroy();
    }
  } finally {
    await good.dispose();
  }
}

describe('ProxySession over SocketTransport against misbehaving peers', () => {
  for (const c of cases) {
    it(`drops the peer on ${c.name}; an earlier well-behaved session keeps working`, TEST_TIMEOUT, async () => {
      const server = await startProxy();
      try {
        await runCase(c, server);
      } finally {
        await server.dispose();
      }
    });
  }

  it('tears down a silent peer after the keepalive timeout of model time; an earlier session with keepalive keeps working', TEST_TIMEOUT, async () => {
    const server = await startProxy({ keepalive: LIBOPFLEX_KEEPALIVE });
    try {
      const startedAt = server.scheduler.now();
      await runCase(
        {
          name: 'silence',
          act: async (raw, s) => {
            await raw.send(IDENTITY_FRAME); // then never a byte more, not even echo replies
            await waitFor(() => s.sessions[1]!.state === 'ready', 'the silent peer to be identified');
            await s.advanceModelTime(s.scheduler.now() + LIBOPFLEX_KEEPALIVE.timeoutMs + 2 * LIBOPFLEX_KEEPALIVE.repeatMs);
          },
          reason: /^nothing heard for more than 120000 ms$/,
          check: (raw) => {
            const echoes = raw.messages().filter((m) => m.kind === 'request' && m.method === 'echo');
            assert.ok(echoes.length >= 2, `the server kept sending echoes (${echoes.length})`);
            assert.equal(echoes[0]!.id, '["echo",0]');
          },
        },
        server,
      );
      assert.ok(server.scheduler.now() - startedAt >= LIBOPFLEX_KEEPALIVE.timeoutMs, 'model time passed the keepalive timeout');
    } finally {
      await server.dispose();
    }
  });

  it('the good session keeps working through several keepalive timeouts of model time when it answers echoes', TEST_TIMEOUT, async () => {
    const server = await startProxy({ keepalive: LIBOPFLEX_KEEPALIVE });
    const good = await GoodAgent.connect(server);
    try {
      await server.advanceModelTime(server.scheduler.now() + 3 * LIBOPFLEX_KEEPALIVE.timeoutMs);
      assert.equal(server.sessions[0]!.state, 'ready');
      // Both sides sent an echo every repeatMs and had each answered.
      const echoesPerSide = Math.floor((3 * LIBOPFLEX_KEEPALIVE.timeoutMs - LIBOPFLEX_KEEPALIVE.firstMs) / LIBOPFLEX_KEEPALIVE.repeatMs) + 2;
      for (const side of [server.echoes[0]!, good.echoes]) assert.deepEqual([side.echoesSent, side.echoesAnswered], [echoesPerSide, echoesPerSide]);
      assert.deepEqual(good.closeReasons, []);
      assert.equal((await good.resolve('/PolicyUniverse/')).kind, 'result');
    } finally {
      await good.dispose();
      await server.dispose();
    }
  });

  it('survives every misbehaving peer at once while a good session keeps getting answers', TEST_TIMEOUT, async () => {
    const server = await startProxy();
    const good = await GoodAgent.connect(server);
    const raws: RawPeer[] = [];
    try {
      const concurrent = cases.filter((c) => !c.name.startsWith('a peer flooding'));
      for (let i = 0; i < concurrent.length; i++) {
        raws.push(await RawPeer.open(server.listener.endpoint.port));
        await waitFor(() => server.sessions.length === i + 2, 'the bad session to be accepted');
      }
      await Promise.all(concurrent.map((c, i) => c.act(raws[i]!, server)));
      await waitFor(() => server.sessions.slice(1).every((s) => s.state === 'closed'), 'every bad session to be dropped');
      concurrent.forEach((c, i) => assert.match(server.backend.closed.get(server.sessions[i + 1]!)!, c.reason, c.name));
      assert.equal((await good.resolve('/PolicyUniverse/')).kind, 'result');
      assert.equal(server.sessions[0]!.state, 'ready');
      assert.equal(server.listener.openConnections, 1);
    } finally {
      for (const raw of raws) raw.destroy();
      await good.dispose();
      await server.dispose();
    }
  });
});
