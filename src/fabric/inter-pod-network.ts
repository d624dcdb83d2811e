/**
 * The inter-pod network (IPN) between the pods' spines: when one pod's COOP learns an endpoint that
 * was not local to it, the spines tell every other pod after the IPN latency, and each other pod's
 * COOP moves the endpoint there (the old pod's leaves get their bounce entry).
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { Distribution } from '../scenario/types.ts';
import type { CoopOracle, InterPodExchange } from './coop.ts';

interface Crossing {
  to: CoopOracle;
  key: string;
  pair: string;
}

export class InterPodNetwork implements InterPodExchange {
  private readonly coops: CoopOracle[] = [];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
    private readonly latency: Distribution,
  ) {}

  join(coop: CoopOracle): void {
    this.coops.push(coop);
  }

  announce(from: CoopOracle, key: string, pair: string): void {
    for (const to of this.coops) {
      if (to === from) continue;
      this.trace.emit('ipn', 'ipn-endpoint-announce', { key, pair, from: from.actor, to: to.actor });
      this.scheduler.after(this.random.sample(this.latency), InterPodNetwork.arrive, { to, key, pair } satisfies Crossing);
    }
  }

  private static readonly arrive = ({ to, key, pair }: Crossing): void => to.learnRemote(key, pair);
}
