/**
 * A twin on the virtual clock and in-memory links, seeded from one root seed: what `simulate` runs,
 * and what tests build when they drive a fabric step by step.
 */
import { RandomStreams } from './kernel/random.ts';
import { Trace } from './kernel/trace.ts';
import { VirtualScheduler } from './kernel/virtual-scheduler.ts';
import type { RpcMessage } from './opflex/message.ts';
import type { Scenario } from './scenario/types.ts';
import { policyUniverseFor } from './scenario/policy-source.ts';
import { SimTransport } from './transport/sim-transport.ts';
import type { Transport } from './transport/transport.ts';
import { Twin, type TwinOptions } from './twin.ts';

export interface SimulatedTwinOptions extends Pick<TwinOptions, 'agents' | 'keepalive' | 'onProbe'> {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Keep every trace event in memory. */
  recordTrace?: boolean;
  /** Sees every OpFlex message sent; `fromAgent` is true for the side that connected. */
  observe?: (fromAgent: boolean, message: RpcMessage) => void;
  /** Wraps the transport the actors use (to watch their messages). */
  wrapTransport?: (transport: Transport, trace: Trace, scheduler: VirtualScheduler) => Transport;
}

export interface SimulatedTwin {
  twin: Twin;
  scheduler: VirtualScheduler;
  trace: Trace;
  random: RandomStreams;
  transport: SimTransport;
}

export function simulatedTwin(scenario: Scenario, options: SimulatedTwinOptions = {}): SimulatedTwin {
  const scheduler = new VirtualScheduler(4096);
  const trace = new Trace(scheduler, { record: options.recordTrace ?? false });
  const random = new RandomStreams(options.seed ?? scenario.seed);
  const transport = new SimTransport(scheduler, {
    linkLatency: scenario.latencies.opflexLinkMs,
    connectLatency: scenario.latencies.connectMs,
    random: random.stream('network'),
    ...(options.observe ? { observe: options.observe } : {}),
  });
  const twin = new Twin(scenario, {
    scheduler,
    transport: options.wrapTransport ? options.wrapTransport(transport, trace, scheduler) : transport,
    trace,
    random,
    policy: policyUniverseFor(scenario.policy),
    ...(options.agents !== undefined ? { agents: options.agents } : {}),
    ...(options.keepalive !== undefined ? { keepalive: options.keepalive } : {}),
    ...(options.onProbe ? { onProbe: options.onProbe } : {}),
  });
  return { twin, scheduler, trace, random, transport };
}
