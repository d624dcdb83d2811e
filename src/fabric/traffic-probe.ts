/**
 * Traffic probes: each flow sends a request from one pod to another at a fixed interval and, when it
 * arrives, a reply back (like a ping), so both directions and conversational learning are
 * exercised. The request goes to the flow's protocol and port from a fixed source port; the reply
 * comes back from that port. Outcomes are counted per flow; the flow going down or coming back up
 * is a trace event.
 */
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import { replyPacket, requestPacket, type ProbePacket, type ProbeTraffic } from './contract-matcher.ts';
import { PolicyAtInstant, type DataPlane, type PodInfo } from './data-plane.ts';
import type { DropReason } from './drop-reasons.ts';
import type { FlowSpec } from '../scenario/types.ts';

export interface ProbeOutcomeListener {
  (flow: FlowProbe, tMs: number, delivered: boolean, bounced: boolean, reason: DropReason | undefined, at: string | undefined): void;
}

export class FlowProbe {
  up = true;
  readonly request: ProbePacket;
  readonly reply: ProbePacket;

  constructor(
    readonly spec: FlowSpec,
    readonly index: number,
    readonly from: PodInfo,
    readonly to: PodInfo,
    readonly traffic: ProbeTraffic,
  ) {
    this.request = requestPacket(traffic);
    this.reply = replyPacket(traffic);
  }
}

export class TrafficProbes {
  private readonly probes: FlowProbe[] = [];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly dataPlane: DataPlane,
    private readonly listener: ProbeOutcomeListener,
  ) {}

  add(spec: FlowSpec, from: PodInfo, to: PodInfo, traffic: ProbeTraffic): FlowProbe {
    const probe = new FlowProbe(spec, this.probes.length, from, to, traffic);
    this.probes.push(probe);
    this.scheduler.at(Math.max(spec.startMs, this.scheduler.now()), this.tick, probe);
    return probe;
  }

  private readonly tick = (probe: FlowProbe): void => {
    const now = this.scheduler.now();
    if (now > probe.spec.stopMs) return;
    const lane = probe.index;
    const held = new PolicyAtInstant();
    let outcome = this.dataPlane.send(probe.from, probe.to, lane, probe.request, false, held);
    let bounced = outcome.bounced;
    if (outcome.delivered) {
      outcome = this.dataPlane.send(probe.to, probe.from, lane, probe.reply, true, held);
      bounced ||= outcome.bounced;
    }
    if (outcome.delivered !== probe.up) {
      probe.up = outcome.delivered;
      this.trace.emit(`flow:${probe.spec.name}`, outcome.delivered ? 'flow-up' : 'flow-down', {
        reason: outcome.reason,
        at: outcome.at,
      });
    }
    this.listener(probe, now, outcome.delivered, bounced, outcome.reason, outcome.at);
    if (now + probe.spec.intervalMs <= probe.spec.stopMs) this.scheduler.after(probe.spec.intervalMs, this.tick, probe);
  };
}
