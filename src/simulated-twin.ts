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
import { FaultInjector } from './check/fault-injector.ts';
import { FaultyTransport } from './check/faulty-transport.ts';

interface SimulatedTwinOptions extends Pick<TwinOptions, 'agents' | 'keepalive' | 'onProbe'> {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Keep every trace event in memory. */
  recordTrace?: boolean;
  /** Sees every OpFlex message sent; `fromAgent` is true for the side that connected. */
  observe?: (fromAgent: boolean, message: RpcMessage) => void;
  /** Puts a watcher between the actors and the links (it must not change what they see). */
  wrapTransport?: (transport: Transport, scheduler: VirtualScheduler) => Transport;
  /**
   * Sends every keepalive echo, for a watcher that wants to see them. Otherwise a run without faults
   * counts the echoes that cannot matter instead of sending them (src/opflex/echo-tally.ts).
   */
  sendEchoes?: boolean;
}

interface SimulatedTwin {
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
  // A fault schedule puts the injector between the links and everything else.
  const faults = scenario.faultSchedule?.length ? new FaultInjector(scheduler, trace, random, scenario.faultSchedule) : undefined;
  const faulty = faults ? new FaultyTransport(transport, scheduler, faults) : undefined;
  const linked: Transport = faulty ?? transport;
  const twin = new Twin(scenario, {
    scheduler,
    transport: options.wrapTransport ? options.wrapTransport(linked, scheduler) : linked,
    trace,
    random,
    losslessLinks: !faults && !options.sendEchoes,
    policy: policyUniverseFor(scenario.policy),
    ...(options.agents !== undefined ? { agents: options.agents } : {}),
    ...(options.keepalive !== undefined ? { keepalive: options.keepalive } : {}),
    ...(options.onProbe ? { onProbe: options.onProbe } : {}),
  });
  if (faults) faults.install(twin, faulty!);
  return { twin, scheduler, trace, random, transport };
}
