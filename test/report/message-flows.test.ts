import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RandomStreams } from '../../src/kernel/random.ts';
import { VirtualScheduler } from '../../src/kernel/virtual-scheduler.ts';
import type { RpcMessage } from '../../src/opflex/message.ts';
import { MessageFlowRecorder, type FlowSelection, type MessageFlow } from '../../src/report/message-flows.ts';
import { SimTransport } from '../../src/transport/sim-transport.ts';
import type { ConnectionHandler, EstablishedLink, Transport } from '../../src/transport/transport.ts';
import { interceptSends } from '../support/send-interceptor.ts';

const leafAt = { host: '10.0.80.64', port: 8009 };
const QUIET: ConnectionHandler = { onOpen() {}, onMessage() {}, onClose() {} };

function request(method: string, n: number): RpcMessage {
  return { kind: 'request', id: `["${method}",${n}]`, method, params: [] };
}

/** One agent-leaf link (fixed 2 ms latency) watched by a recorder; `flows` collects what it reports. */
/** Whether a message is as its sender made it: nothing of the recorder's left on it. */
const untouched = (m: RpcMessage) => Object.getOwnPropertySymbols(m).length === 0;

function watchedLink(options: { selection?: FlowSelection; wrap?: (t: Transport) => Transport } = {}) {
  const scheduler = new VirtualScheduler();
  const sim = new SimTransport(scheduler, {
    linkLatency: { kind: 'fixed', valueMs: 2 },
    connectLatency: { kind: 'fixed', valueMs: 1 },
    random: new RandomStreams(1).stream('network'),
  });
  const flows: MessageFlow[] = [];
  const recorder = new MessageFlowRecorder(
    scheduler,
    { client: (from) => `agent:${from}`, server: () => 'leaf-101' },
    (flow) => flows.push(flow),
    options.selection,
  );
  const transport = recorder.wrap(options.wrap ? options.wrap(sim) : sim);
  transport.listen(leafAt, () => {});
  const link: EstablishedLink = transport.establish!(leafAt, 'node-1');
  link.client.setHandler(QUIET);
  link.server.setHandler(QUIET);
  return { scheduler, recorder, flows, ...link };
}

/** Sends every message twice, as the message-duplicate fault does. */
function duplicating(inner: Transport): Transport {
  return interceptSends(inner, (c, m) => {
    c.send(m);
    c.send(m);
  });
}

describe('message flows', { timeout: 30_000 }, () => {
  it('report each message that arrives as one flow: sender, receiver, method (a reply by its id), when sent and when arrived', () => {
    const { scheduler, flows, client, server } = watchedLink();
    const sent: RpcMessage[] = [request('policy_resolve', 1), { kind: 'result', id: '["policy_resolve",1]', result: {} }];
    client.send(sent[0]!);
    scheduler.after(5, () => server.send(sent[1]!));
    scheduler.runUntil(100);
    assert.deepEqual(flows, [
      { from: 'agent:node-1', to: 'leaf-101', method: 'policy_resolve', kind: 'request', sentMs: 0, arrivedMs: 2 },
      { from: 'leaf-101', to: 'agent:node-1', method: 'policy_resolve', kind: 'result', sentMs: 5, arrivedMs: 7 },
    ]);
    assert.ok(sent.every(untouched));
  });

  it('pair a message object sent twice with its two arrivals, first sent first arrived', () => {
    const { scheduler, flows, client } = watchedLink();
    const message = request('endpoint_declare', 1);
    client.send(message);
    scheduler.after(1, () => client.send(message));
    scheduler.runUntil(100);
    assert.deepEqual(flows.map((f) => [f.sentMs, f.arrivedMs]), [[0, 2], [1, 3]]);
  });

  it('report a message the link duplicates once, when its first copy arrives', () => {
    const { scheduler, flows, client } = watchedLink({ wrap: duplicating });
    const message = request('endpoint_declare', 1);
    client.send(message);
    scheduler.runUntil(100);
    assert.deepEqual(flows.map((f) => [f.sentMs, f.arrivedMs]), [[0, 2]]);
    assert.ok(untouched(message));
  });

  it('report only flows followed both when sent and when they arrive, asking the selection once per direction of each end', () => {
    const view = { followed: false };
    const asked: string[] = [];
    const selection: FlowSelection = {
      direction: (from, to) => {
        asked.push(`${from} -> ${to}`);
        return view;
      },
    };
    const { scheduler, flows, client } = watchedLink({ selection });
    client.send(request('echo', 1)); // not followed when sent
    scheduler.after(1, () => {
      view.followed = true;
      client.send(request('echo', 2)); // followed throughout
    });
    scheduler.after(2, () => client.send(request('echo', 3))); // followed when sent, not when it arrives
    scheduler.after(3.5, () => (view.followed = false));
    scheduler.runUntil(100);
    assert.deepEqual(flows.map((f) => f.sentMs), [1]);
    assert.deepEqual(asked, ['agent:node-1 -> leaf-101', 'agent:node-1 -> leaf-101']);
  });

  it('keep what they know of a message in flight on the message alone, so one lost to a fault goes with it', () => {
    const { scheduler, flows, client, server } = watchedLink();
    const lost = [0, 1, 2].map((n) => request('echo', n));
    for (const m of lost) client.send(m);
    assert.ok(!lost.some(untouched));
    server.close('gone'); // what was in flight towards the leaf is lost
    scheduler.runUntil(100);
    assert.deepEqual(flows, []);
  });

  it('of two recorders watching one link, each pair only the sends it saw', () => {
    const scheduler = new VirtualScheduler();
    const sim = new SimTransport(scheduler, { linkLatency: { kind: 'fixed', valueMs: 2 }, connectLatency: { kind: 'fixed', valueMs: 1 }, random: new RandomStreams(1).stream('network') });
    const names = { client: (from: string) => `agent:${from}`, server: () => 'leaf-101' };
    const outer: MessageFlow[] = [];
    const inner: MessageFlow[] = [];
    // The inner recorder starts following only after the message is sent: it saw no send to pair.
    const innerView = { followed: false };
    const innerRecorder = new MessageFlowRecorder(scheduler, names, (flow) => inner.push(flow), { direction: () => innerView });
    const transport = new MessageFlowRecorder(scheduler, names, (flow) => outer.push(flow)).wrap(innerRecorder.wrap(sim));
    transport.listen(leafAt, () => {});
    const { client, server } = transport.establish!(leafAt, 'node-1');
    client.setHandler(QUIET);
    server.setHandler(QUIET);
    const message = request('policy_resolve', 1);
    client.send(message);
    scheduler.after(1, () => (innerView.followed = true));
    scheduler.runUntil(100);
    assert.deepEqual(outer.map((f) => [f.from, f.to, f.sentMs]), [['agent:node-1', 'leaf-101', 0]]);
    assert.deepEqual(inner, []);
    assert.ok(untouched(message));
  });

  it('pair a frozen message, which cannot carry its sends, as any other', () => {
    const { scheduler, flows, client } = watchedLink();
    const message = Object.freeze(request('policy_resolve', 7));
    client.send(message);
    client.send(message);
    scheduler.runUntil(100);
    assert.deepEqual(flows.map((f) => [f.sentMs, f.arrivedMs]), [[0, 2], [0, 2]]);
  });
});
