/**
 * A steady start: the fabric as it is after every agent has been up for a while, built directly
 * instead of by simulating the bootstrap. Each node's device is on its port and known to COOP; its
 * agent holds open, ready sessions to both leaves of its pair (after the anycast redirect), with the
 * ODevs connected; every object the agent references is resolved and held by both leaves with the
 * session subscribed; every pod's endpoints are declared to both leaves, learned by their EPM and
 * known to COOP; keepalives run at a random phase. Bootstrapping a 20,000-node fabric is millions of
 * messages that tell nothing about a migration, and a plan that starts before the bootstrap has
 * settled measures the bootstrap rather than the plan.
 *
 * The state is made by the actors' own code (the agent's processor resolving its references, the
 * leaves' caches and registries), only without messages; test/steady-start.test.ts holds it equal
 * to what a cold start settles into.
 */
import type { RandomStream } from './kernel/random.ts';
import type { Trace } from './kernel/trace.ts';
import type { Leaf } from './fabric/leaf.ts';
import type { LeafAddress } from './fabric/fabric-view.ts';
import type { ManagedObject } from './model/managed-object.ts';
import type { NodeVm } from './host/node-vm.ts';
import type { LocalEndpoint } from './opflex/agent-processor.ts';
import { SeedingMemo } from './opflex/seeding-memo.ts';
import type { ProxySession } from './opflex/proxy-session.ts';
import type { UriInterner } from './model/uri-interner.ts';
import type { Transport } from './transport/transport.ts';

export interface SteadyStartInput {
  transport: Transport;
  trace: Trace;
  random: RandomStream;
  podId: number;
  prrS: number;
  /** The keepalive period; each session's first tick falls at a random point within it. */
  keepaliveRepeatMs: number;
  nodes: Iterable<NodeVm>;
  pairOf(vm: NodeVm): string;
  leavesOfPair(pair: string): readonly Leaf[];
  addressesOfPair(pair: string): readonly LeafAddress[];
  endpointsOf(vm: NodeVm): LocalEndpoint[];
  /** What APIC holds under a URI (leaves fill their caches from it). */
  policySubtree(uri: string): ManagedObject[];
  /** The URI numbering the agents were given: a leaf numbering by the same one takes their numbers as they are. */
  agentUris?: UriInterner;
  /** The COOP oracle that learns every node and pod of the start (a single pod's), to size it for them. */
  coop?: { reserve(endpoints: number): void };
}

/**
 * Sizes each leaf's registry and EPM, and COOP, for what the start gives them: per pod an L2 and an L3
 * declare registered on its node's pair, and per node and pod an address learned (an estimate from the
 * pods' specs; the tables still grow if the agents declare more).
 */
function reserveTables(nodes: readonly NodeVm[], input: SteadyStartInput): void {
  const byPair = new Map<string, { nodes: number; pods: number }>();
  let addresses = 0;
  for (const vm of nodes) {
    addresses += 1 + vm.pods.length;
    const pair = input.pairOf(vm);
    const counts = byPair.get(pair);
    if (counts === undefined) byPair.set(pair, { nodes: 1, pods: vm.pods.length });
    else {
      counts.nodes++;
      counts.pods += vm.pods.length;
    }
  }
  for (const [pair, counts] of byPair) {
    for (const leaf of input.leavesOfPair(pair)) leaf.reserveSeeded(2 * counts.pods, counts.nodes + counts.pods);
  }
  input.coop?.reserve(addresses);
}

/** The answer for an object no leaf knows (shared: never changed). */
const NOTHING: ManagedObject[] = [];

export function startSteady(input: SteadyStartInput): void {
  const { transport, random } = input;
  const establish = transport.establish?.bind(transport);
  if (!establish) throw new Error('a steady start needs a transport that can establish connections (the simulation\'s)');
  const leaves = new Set<Leaf>();
  const memo = new SeedingMemo();
  // APIC's answers, asked once for all leaves (the policy does not change during the start): every
  // leaf's cache then holds the same list for a URI, and the memo knows it at a glance.
  const answers = new Map<string, ManagedObject[]>();
  const policySubtree = (uri: string): ManagedObject[] => {
    let answer = answers.get(uri);
    if (answer === undefined) answers.set(uri, (answer = input.policySubtree(uri)));
    return answer;
  };
  const nodes = [...input.nodes];
  reserveTables(nodes, input);
  // The memo holds interned ids until disposed, whatever happens on the way.
  try {
    for (const vm of nodes) {
      const pair = input.pairOf(vm);
      const pairLeaves = input.leavesOfPair(pair);
      const addresses = input.addressesOfPair(pair);
      for (const leaf of pairLeaves) {
        leaf.seedDevice(vm.name);
        leaves.add(leaf);
      }
      const identity = vm.agent.identity();
      const sessions: { leaf: Leaf; session: ProxySession }[] = [];
      const peers = addresses.map((address, i) => {
        const { client, server } = establish({ host: address.host, port: address.port }, vm.name);
        const leaf = pairLeaves[i]!;
        sessions.push({ leaf, session: leaf.seedSession(server, identity, random.uniform(0, input.keepaliveRepeatMs)) });
        return { endpoint: { host: address.host, port: address.port }, connection: client, keepalivePhaseMs: random.uniform(0, input.keepaliveRepeatMs) };
      });
      const location = `topology/pod-${input.podId}/node-${addresses[0]!.id}`;
      vm.agent.seed(peers, location, input.endpointsOf(vm), {
        // Every leaf of the pair holds and subscribes what the agent resolves; the first answer counts.
        resolve: (subject, uri, uriId) => {
          let answer = NOTHING;
          for (const { leaf, session } of sessions) {
            const objects = leaf.seedSubscription(session, subject, uri, input.prrS, policySubtree, uriId, input.agentUris);
            if (answer.length === 0) answer = objects;
          }
          return answer;
        },
        declare: (objects) => {
          for (const { leaf, session } of sessions) leaf.seedEndpoint(session, objects, input.prrS);
        },
        memo,
        // Each session subscribes to everything the agent resolves.
        expect: (resolves) => {
          for (const { session } of sessions) session.subscriptions.reserve(resolves, memo.slab);
        },
      });
    }
  } finally {
    memo.dispose();
  }
  for (const leaf of leaves) leaf.reportSeeded();
}
