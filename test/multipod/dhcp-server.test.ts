/** A pod's DHCP server: leases by client-id, release, decline, expiry (src/fabric/dhcp-server.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhcpServer, dhcpClientId, type DhcpOffer } from '../../src/fabric/dhcp-server.ts';
import { RandomStreams } from '../../src/kernel/random.ts';
import { Trace } from '../../src/kernel/trace.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';

function server(first = '10.1.0.64', last = '10.1.0.70') {
  const scheduler = new VirtualScheduler(64);
  const dhcp = new DhcpServer(2, { leaseMs: 60_000, offerLatencyMs: { kind: 'fixed', valueMs: 10 }, range: { first, last } }, scheduler, new Trace(scheduler, { record: false }), new RandomStreams(1).stream('dhcp'));
  const ask = (client: string, held = false): DhcpOffer | undefined => {
    let answer: DhcpOffer | undefined;
    dhcp.request(client, 0, held, (o) => (answer = o));
    scheduler.runUntil(scheduler.now() + 10);
    return answer;
  };
  return { dhcp, scheduler, ask };
}

const A = dhcpClientId('00:50:56:A1:00:01');
const B = dhcpClientId('00:50:56:a1:00:02');

describe('pod DHCP server', { timeout: 10_000 }, () => {
  it('identifies clients by option 61: 01:<uplink mac>, lower case', () => {
    assert.equal(A, '01:00:50:56:a1:00:01');
  });

  it('gives the lowest free address, skips reserved ones, and the same one again to the same client', () => {
    const { dhcp, ask } = server();
    dhcp.reserve('10.1.0.64');
    assert.equal(ask(A)!.ip, '10.1.0.65');
    assert.equal(ask(B)!.ip, '10.1.0.66');
    assert.equal(ask(A)!.ip, '10.1.0.65');
  });

  it('frees a released address, and an expired lease on the next allocation', () => {
    const { dhcp, scheduler, ask } = server('10.1.0.64', '10.1.0.64');
    assert.equal(ask(A)!.ip, '10.1.0.64');
    assert.equal(ask(B), undefined, 'the one address is held');
    dhcp.release(A);
    assert.equal(ask(B)!.ip, '10.1.0.64');
    scheduler.runUntil(scheduler.now() + 60_000);
    assert.equal(ask(A)!.ip, '10.1.0.64', 'B lease expired');
  });

  it('offers an address another client holds when told (the held-lease fault), and never again once declined', () => {
    const { dhcp, ask } = server();
    dhcp.seedLease(B, '10.1.0.64');
    const offer = ask(A, true)!;
    assert.deepEqual(offer, { ip: '10.1.0.64', heldByAnother: true });
    dhcp.decline(A, offer.ip);
    assert.equal(ask(A)!.ip, '10.1.0.65');
  });

  it('does not give a client back its own address after it declined it (found by test/fuzz/multipod)', () => {
    const { dhcp, ask } = server();
    assert.equal(ask(A)!.ip, '10.1.0.64');
    dhcp.decline(A, '10.1.0.64');
    assert.equal(ask(A)!.ip, '10.1.0.65');
  });

  it('does not renew a lease on an address declined meanwhile by another client (found by test/fuzz/multipod)', () => {
    const { dhcp, ask } = server();
    assert.equal(ask(A)!.ip, '10.1.0.64');
    dhcp.decline(B, '10.1.0.64');
    assert.equal(ask(A)!.ip, '10.1.0.65');
  });
});
