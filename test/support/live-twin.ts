/**
 * The default scenario's fabric served over real sockets, as the emulator serves it, but with leaf
 * bounds of the test's choosing (small, to reach them in a test). Agents are left to the test.
 */
import type { LeafLimits } from '../../src/fabric/leaf-limits.ts';
import { RandomStreams } from '../../src/kernel/random.ts';
import { RealtimeScheduler } from '../../src/kernel/realtime-scheduler.ts';
import { Trace, type TraceEvent } from '../../src/kernel/trace.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { SocketTransport } from '../../src/transport/socket-transport.ts';
import { Twin } from '../../src/twin.ts';

interface LiveTwin {
  twin: Twin;
  transport: SocketTransport;
  events: TraceEvent[];
  stop(): Promise<void>;
}

/** Leaves listen on 127.0.0.<leafBase>, <leafBase + 1>, ...; the anycast proxy on <leafBase + 10>. */
export async function liveTwin(leafLimits: Partial<LeafLimits>, leafBase: number): Promise<LiveTwin> {
  const scenario = { ...loadBuiltinScenario('default'), start: 'cold' as const };
  const scheduler = new RealtimeScheduler(10);
  const trace = new Trace(scheduler, { record: false });
  const transport = new SocketTransport();
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const twin = new Twin(scenario, {
    scheduler,
    transport,
    trace,
    random: new RandomStreams(scenario.seed),
    leafEndpoint: (_leaf, i) => ({ host: `127.0.0.${leafBase + i}`, port }),
    anycastEndpoint: { host: `127.0.0.${leafBase + 10}`, port },
    agents: false,
    playMigrations: false,
    leafLimits,
  });
  const events: TraceEvent[] = [];
  trace.subscribe((e) => events.push(e));
  twin.start();
  await transport.whenListening();
  return {
    twin,
    transport,
    events,
    stop: async () => {
      twin.stop();
      scheduler.stop();
      await transport.shutdown('test done');
    },
  };
}
