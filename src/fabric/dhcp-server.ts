/**
 * A pod's DHCP server for the infra VLAN (aci-fabric-behavior.md 1.2, 5.3): it hands out addresses
 * of its range to clients identified by option 61 (client-id `01:<uplink mac>`), one lease per
 * client, the lowest free address first. A released lease frees its address at once; an expired
 * one is free on the next allocation (leases are checked lazily, no timers).
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { DhcpServerSpec } from '../scenario/types.ts';
import { ipv4ToNumber, numberToIpv4 } from './tep-pool.ts';

/** How far a server scans its range for a free address per request (bounds a request's work). */
export const dhcpScanAddressesMax = 65_536;

export interface DhcpOffer {
  ip: string;
  /** Another client still holds this address (the client's ARP probe finds it): it must decline. */
  heldByAnother: boolean;
}

interface Lease {
  ip: number;
  expiresAtMs: number;
}

/** DHCP client-id (option 61) of a node: hardware type 01 and its uplink MAC. */
export function dhcpClientId(mac: string): string {
  return `01:${mac.toLowerCase()}`;
}

export class DhcpServer {
  readonly actor: string;
  private readonly leases = new Map<string, Lease>();
  private readonly holders = new Map<number, string>();
  private readonly first: number;
  private readonly last: number;
  /** Addresses never offered: the fabric's own (leaves, anycast) and those declined. */
  private readonly reserved = new Set<number>();

  constructor(
    readonly podId: number,
    private readonly spec: DhcpServerSpec,
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
  ) {
    this.actor = `dhcp:pod-${podId}`;
    this.first = ipv4ToNumber(spec.range.first);
    this.last = ipv4ToNumber(spec.range.last);
  }

  /** An address the server must never hand out (a leaf's TEP, the anycast proxy). */
  reserve(ip: string): void {
    this.reserved.add(ipv4ToNumber(ip));
  }

  /** A lease granted before the run (the node booted with it). */
  seedLease(clientId: string, ip: string): void {
    this.bind(clientId, ipv4ToNumber(ip));
  }

  /** The client released its lease (`dhclient -r`). */
  release(clientId: string): void {
    const lease = this.leases.get(clientId);
    if (!lease) return;
    this.leases.delete(clientId);
    this.holders.delete(lease.ip);
    this.trace.emit(this.actor, 'dhcp-release', { client: clientId, ip: numberToIpv4(lease.ip) });
  }

  /** The client declined an offer (its ARP probe found the address in use): never offered again. */
  decline(clientId: string, ip: string): void {
    const n = ipv4ToNumber(ip);
    this.reserved.add(n);
    // A decline of the client's own address ends its lease on it: the next request gets another.
    if (this.leases.get(clientId)?.ip === n) {
      this.leases.delete(clientId);
      this.holders.delete(n);
    }
    this.trace.emit(this.actor, 'dhcp-decline', { client: clientId, ip });
  }

  /**
   * DISCOVER..ACK: after the offer latency (plus `extraDelayMs`), `answer` gets the address, or
   * nothing when the range is exhausted. `offerHeld` makes the offer an address another client
   * still holds (the fault behind dhcp_delay). A silent server is modelled by not calling this.
   */
  request(clientId: string, extraDelayMs: number, offerHeld: boolean, answer: (offer: DhcpOffer | undefined) => void): void {
    const delay = this.random.sample(this.spec.offerLatencyMs) + extraDelayMs;
    this.scheduler.after(delay, () => answer(this.offer(clientId, offerHeld)));
  }

  private offer(clientId: string, offerHeld: boolean): DhcpOffer | undefined {
    const now = this.scheduler.now();
    if (offerHeld) {
      for (const [ip, holder] of this.holders) {
        if (holder !== clientId) {
          this.trace.emit(this.actor, 'dhcp-offer', { client: clientId, ip: numberToIpv4(ip), heldBy: holder });
          return { ip: numberToIpv4(ip), heldByAnother: true };
        }
      }
    }
    const own = this.leases.get(clientId);
    // The client keeps its own address, unless it expired or was declined (found in use) since.
    const ip = own && own.expiresAtMs > now && !this.reserved.has(own.ip) ? own.ip : this.freeAddress(now);
    if (ip === undefined) {
      this.trace.emit(this.actor, 'dhcp-pool-exhausted', { client: clientId, first: this.spec.range.first, last: this.spec.range.last });
      return undefined;
    }
    this.bind(clientId, ip);
    this.trace.emit(this.actor, 'dhcp-ack', { client: clientId, ip: numberToIpv4(ip), leaseMs: this.spec.leaseMs });
    return { ip: numberToIpv4(ip), heldByAnother: false };
  }

  private freeAddress(now: number): number | undefined {
    const end = Math.min(this.last, this.first + dhcpScanAddressesMax - 1);
    for (let ip = this.first; ip <= end; ip++) {
      if (this.reserved.has(ip)) continue;
      const holder = this.holders.get(ip);
      if (holder === undefined) return ip;
      const lease = this.leases.get(holder);
      if (lease && lease.expiresAtMs <= now) {
        this.leases.delete(holder);
        this.holders.delete(ip);
        return ip;
      }
    }
    return undefined;
  }

  private bind(clientId: string, ip: number): void {
    const previous = this.leases.get(clientId);
    if (previous) this.holders.delete(previous.ip);
    this.leases.set(clientId, { ip, expiresAtMs: this.scheduler.now() + this.spec.leaseMs });
    this.holders.set(ip, clientId);
  }
}
