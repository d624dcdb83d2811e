/**
 * The host-agent's multipod renew of the node's infra-VLAN address (aci-fabric-behavior.md 5.3,
 * step 4): for each attempt, release the lease (`dhclient -r`), wait dhcp_delay, flush leftover
 * addresses, take the link down, wait dhcp_delay, bring it up (dhclient asks the DHCP server of
 * the pod the node now runs in), then poll once a second, up to 15 times, for an address outside
 * the old pod's subnet; up to dhcp_renew_max_retry_count attempts. Then the 224.0.0.0/4 route is
 * re-added (metric 401). Every step is a trace event of the host-agent.
 */
import type { Scheduler, TimerHandle } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { DhcpOffer, DhcpServer } from '../fabric/dhcp-server.ts';
import type { Faults } from '../scenario/types.ts';

/** Subnet polls per attempt after the link comes up (host-agent: 15 x 1 s). */
export const subnetPollsPerAttempt = 15;
export const subnetPollIntervalMs = 1000;
/** The route the host-agent re-adds after the renew, and its metric. */
export const MULTICAST_ROUTE = '224.0.0.0/4';
export const MULTICAST_ROUTE_METRIC = 401;

export interface RenewalContext {
  readonly actor: string;
  readonly node: string;
  readonly clientId: string;
  scheduler: Scheduler;
  trace: Trace;
  dhcpDelayMs: number;
  attemptsMax: number;
  /** The DHCP server of the pod the node runs in now. */
  dhcpServer(): DhcpServer;
  /** Whether the address is in the subnet the node had before (the old pod's pool). */
  inOldSubnet(ip: string): boolean;
  faults(): Faults;
  /** The renew succeeded: the interface has `ip` (the multicast route is re-added next, unless the fault). */
  renewed(ip: string): void;
  /** Every attempt failed: the node keeps no usable infra address. */
  failed(attempts: number): void;
}

type Step = 'release' | 'flush-and-link-down' | 'link-up' | 'poll';

export class InfraAddressRenewal {
  private attempt = 0;
  private polls = 0;
  /** The address dhclient configured on the interface in this attempt, if any. */
  private address: string | undefined;
  private timer: TimerHandle | undefined;
  private done = false;
  /** Offers of earlier attempts that arrive late are ignored. */
  private generation = 0;

  constructor(private readonly c: RenewalContext) {}

  get running(): boolean {
    return !this.done;
  }

  start(): void {
    if (this.c.attemptsMax <= 0) {
      this.finishFailed();
      return;
    }
    this.nextAttempt();
  }

  private nextAttempt(): void {
    this.attempt++;
    this.generation++;
    this.polls = 0;
    this.address = undefined;
    this.c.trace.emit(this.c.actor, 'dhcp-attempt', { node: this.c.node, attempt: this.attempt, of: this.c.attemptsMax });
    this.step('release');
  }

  private step(step: Step): void {
    const { scheduler, trace, actor, node } = this.c;
    switch (step) {
      case 'release':
        this.c.dhcpServer().release(this.c.clientId);
        trace.emit(actor, 'dhcp-released', { node, attempt: this.attempt });
        this.timer = scheduler.after(this.c.dhcpDelayMs, () => this.step('flush-and-link-down'));
        return;
      case 'flush-and-link-down':
        trace.emit(actor, 'infra-link-down', { node, attempt: this.attempt, flushed: true });
        this.timer = scheduler.after(this.c.dhcpDelayMs, () => this.step('link-up'));
        return;
      case 'link-up': {
        trace.emit(actor, 'infra-link-up', { node, attempt: this.attempt });
        const faults = this.c.faults();
        const server = this.c.dhcpServer();
        const generation = this.generation;
        if (!faults.dhcpSilent) {
          // The held-address fault bites only right after the release (the first attempt), which is why dhcp_delay exists.
          server.request(this.c.clientId, faults.dhcpOfferExtraDelayMs, faults.dhcpLeaseHeld && this.attempt === 1, (offer) => {
            if (generation === this.generation && !this.done) this.onOffer(offer);
          });
        }
        this.timer = scheduler.after(subnetPollIntervalMs, () => this.step('poll'));
        return;
      }
      case 'poll':
        this.polls++;
        if (this.address !== undefined && !this.c.inOldSubnet(this.address)) {
          this.finishRenewed(this.address);
          return;
        }
        if (this.polls < subnetPollsPerAttempt) {
          this.timer = scheduler.after(subnetPollIntervalMs, () => this.step('poll'));
          return;
        }
        trace.emit(actor, 'dhcp-attempt-failed', {
          node,
          attempt: this.attempt,
          why: this.address === undefined ? `no address after ${subnetPollsPerAttempt} polls` : `address ${this.address} is still in the old subnet`,
        });
        if (this.attempt >= this.c.attemptsMax) this.finishFailed();
        else this.nextAttempt();
        return;
    }
  }

  private onOffer(offer: DhcpOffer | undefined): void {
    if (!offer) return;
    if (offer.heldByAnother) {
      this.c.trace.emit(this.c.actor, 'dhcp-declined', { node: this.c.node, attempt: this.attempt, ip: offer.ip, why: 'address in use (ARP probe answered)' });
      this.c.dhcpServer().decline(this.c.clientId, offer.ip);
      return;
    }
    this.address = offer.ip;
    this.c.trace.emit(this.c.actor, 'dhcp-address', { node: this.c.node, attempt: this.attempt, ip: offer.ip });
  }

  private finishRenewed(ip: string): void {
    this.done = true;
    const route = !this.c.faults().multicastRouteLost;
    this.c.renewed(ip);
    if (route) this.c.trace.emit(this.c.actor, 'multicast-route-added', { node: this.c.node, route: MULTICAST_ROUTE, metric: MULTICAST_ROUTE_METRIC });
    else this.c.trace.emit(this.c.actor, 'multicast-route-missing', { node: this.c.node, route: MULTICAST_ROUTE, why: 'not re-added after the renew: multicast (IGMP) to the node stops' });
  }

  private finishFailed(): void {
    this.done = true;
    this.c.scheduler.cancel(this.timer);
    this.c.trace.emit(this.c.actor, 'dhcp-renew-failed', { node: this.c.node, attempts: this.attempt, why: `no address outside the old subnet after ${this.attempt} attempt(s) (dhcp_renew_max_retry_count ${this.c.attemptsMax})` });
    this.c.failed(this.attempt);
  }
}
