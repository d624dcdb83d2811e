/**
 * The spines' COOP oracle: the fabric-wide endpoint database (endpoint -> owning leaf pair). A
 * report from a new pair is a move: the previous owner's leaves are told to install a bounce entry
 * pointing at the new owner.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { Distribution } from '../scenario/types.ts';

export interface CoopSubscriber {
  readonly pair: string;
  /** COOP says the endpoint now lives on another pair. */
  onEndpointMoved(key: string, toPair: string): void;
}

interface Report {
  key: string;
  pair: string;
}

export class CoopOracle {
  private readonly owners = new Map<string, string>();
  private readonly leavesByPair = new Map<string, CoopSubscriber[]>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
    private readonly updateLatency: Distribution,
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

  /** Records ownership at once, without a move (the fabric's state before the run starts). */
  seed(key: string, pair: string): void {
    this.owners.set(key, pair);
  }

  /** A leaf reports a local endpoint; COOP applies it after the update latency. */
  report(key: string, pair: string): void {
    this.scheduler.after(this.random.sample(this.updateLatency), this.apply, { key, pair } satisfies Report);
  }

  private readonly apply = ({ key, pair }: Report): void => {
    const previous = this.owners.get(key);
    if (previous === pair) return;
    this.owners.set(key, pair);
    this.trace.emit('coop', 'coop-update', { key, from: previous, to: pair });
    if (previous === undefined) return;
    for (const leaf of this.leavesByPair.get(previous) ?? []) leaf.onEndpointMoved(key, pair);
  };
}
