/**
 * The spines' COOP oracle: the pod-wide endpoint database (endpoint -> owning leaf pair). A report
 * from a new pair is a move: the previous owner's leaves are told to install a bounce entry
 * pointing at the new owner. In a multipod fabric each pod has one, and an endpoint that was not
 * local to the pod before is announced to the other pods over the inter-pod network, whose COOP
 * then moves it (src/fabric/inter-pod-network.ts).
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { Distribution } from '../scenario/types.ts';
import { EndpointKeyMap } from './endpoint-key-map.ts';

export interface CoopSubscriber {
  readonly pair: string;
  /** COOP says the endpoint now lives on another pair. */
  onEndpointMoved(key: string, toPair: string): void;
}

/** Where a COOP oracle announces endpoints it learned locally that were not local before. */
export interface InterPodExchange {
  announce(from: CoopOracle, key: string, pair: string): void;
}

interface Report {
  key: string;
  pair: string;
}

export class CoopOracle {
  private readonly owners = new EndpointKeyMap<string>();
  private readonly leavesByPair = new Map<string, CoopSubscriber[]>();
  /** The last seed written, until another write (so the repeat can be skipped). */
  private readonly lastSeeded = { key: '', pair: '' };

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
    private readonly updateLatency: Distribution,
    /** Trace actor: "coop" for the single pod, "coop:pod-<id>" in a multipod fabric. */
    readonly actor = 'coop',
    private readonly interPod?: InterPodExchange,
  ) {}

  attach(leaf: CoopSubscriber): void {
    let list = this.leavesByPair.get(leaf.pair);
    if (!list) this.leavesByPair.set(leaf.pair, (list = []));
    list.push(leaf);
  }

  /** The pair that owns an endpoint, as the spine proxy would answer. */
  owner(key: string): string | undefined {
    return this.owners.get(key);
  }

  /** Makes room for `endpoints` in all (a steady start seeds the fabric's at once). */
  reserve(endpoints: number): void {
    this.owners.reserve(endpoints);
  }

  /** Records ownership at once, without a move (the fabric's state before the run starts). */
  seed(key: string, pair: string): void {
    // Both leaves of a pair seed each endpoint, one right after the other: one write of the million.
    if (key === this.lastSeeded.key && pair === this.lastSeeded.pair) return;
    this.owners.set(key, pair);
    this.lastSeeded.key = key;
    this.lastSeeded.pair = pair;
  }

  /** A leaf reports a local endpoint; COOP applies it after the update latency. */
  report(key: string, pair: string): void {
    this.scheduler.after(this.random.sample(this.updateLatency), this.apply, { key, pair } satisfies Report);
  }

  private readonly apply = ({ key, pair }: Report): void => {
    const previous = this.owners.get(key);
    if (previous === pair) return;
    this.owners.set(key, pair);
    this.lastSeeded.key = '';
    this.trace.emit(this.actor, 'coop-update', { key, from: previous, to: pair });
    if (this.interPod && (previous === undefined || !this.leavesByPair.has(previous))) this.interPod.announce(this, key, pair);
    if (previous === undefined) return;
    for (const leaf of this.leavesByPair.get(previous) ?? []) leaf.onEndpointMoved(key, pair);
  };

  /** Another pod's COOP learned the endpoint on one of its pairs (over the inter-pod network). */
  learnRemote(key: string, pair: string): void {
    const previous = this.owners.get(key);
    if (previous === pair) return;
    this.owners.set(key, pair);
    this.lastSeeded.key = '';
    this.trace.emit(this.actor, 'coop-update', { key, from: previous, to: pair, interPod: true });
    if (previous === undefined) return;
    for (const leaf of this.leavesByPair.get(previous) ?? []) leaf.onEndpointMoved(key, pair);
  }

  /** Whether the pair's leaves report to this oracle (the pair is in its pod). */
  servesPair(pair: string): boolean {
    return this.leavesByPair.has(pair);
  }
}
