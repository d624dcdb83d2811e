import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlowProbe } from '../../src/fabric/traffic-probe.ts';
import type { DropReason } from '../../src/fabric/drop-reasons.ts';
import { loadBuiltinScenario } from '../../src/scenario/builtin-scenarios.ts';
import { parseScenario } from '../../src/scenario/loader.ts';
import { scenarioJsonSchema } from '../../src/scenario/scenario-json-schema.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { simulatedTwin } from '../../src/simulated-twin.ts';
import { ScenarioError } from '../../src/scenario/scenario-error.ts';
import { tiny } from '../scenario/fixtures.ts';
import { loadPreset } from '../../src/scenario/presets.ts';

/**
 * Two nodes on different leaf pairs. `client` consumes pg (TCP 5432 only) from `db`, and from
 * `host`: shell (any TCP but 22, which a deny rule blocks), dns-in (UDP 53, direction in) and
 * ntp-out (UDP 123, direction out). `other` has no contract; `lonely` requires a contract within
 * itself and has none.
 */
const CONTRACTS_SCENARIO = `
name: contracts
start: steady
duration: 5s
fabric:
  spines: [spine-1]
  leafPairs:
    - { name: pair-a, leaves: [{ name: leaf-101, id: 101, address: 10.0.80.64 }, { name: leaf-102, id: 102, address: 10.0.80.66 }] }
    - { name: pair-b, leaves: [{ name: leaf-103, id: 103, address: 10.0.80.68 }, { name: leaf-104, id: 104, address: 10.0.80.70 }] }
  hypervisors:
    - { name: esx-1, leafPair: pair-a }
    - { name: esx-2, leafPair: pair-b }
policy:
  vrfs: [{ name: vrf }]
  bridgeDomains: [{ name: bd, vrf: vrf, subnets: [10.2.0.1/16] }]
  epgs:
    - { name: client, bd: bd, consumes: [pg, shell, dns-in, ntp-out] }
    - { name: db, bd: bd, provides: [pg] }
    - { name: host, bd: bd, provides: [shell, dns-in, ntp-out] }
    - { name: other, bd: bd }
    - { name: lonely, bd: bd, intraGroupPolicy: require-contract }
  filters:
    - { name: tcp-5432, protocol: tcp, ports: 5432 }
    - { name: tcp-any, protocol: tcp }
    - { name: tcp-22, protocol: tcp, ports: 22 }
    - { name: udp-53, protocol: udp, ports: 53 }
    - { name: udp-123, protocol: udp, ports: 123 }
  contracts:
    - { name: pg, subjects: [{ name: pg, rules: [{ name: pg, filters: [tcp-5432] }] }] }
    - name: shell
      subjects: [{ name: shell, rules: [{ name: tcp, filters: [tcp-any] }, { name: no-ssh, filters: [tcp-22], action: deny }] }]
    - { name: dns-in, subjects: [{ name: dns, rules: [{ name: dns, direction: in, filters: [udp-53] }] }] }
    - { name: ntp-out, subjects: [{ name: ntp, rules: [{ name: ntp, direction: out, filters: [udp-123] }] }] }
nodes:
  - name: node-1
    hypervisor: esx-1
    infraIp: 10.0.0.101
    mac: 00:50:56:a1:00:01
    pods:
      - { name: client-1, epg: client, ip: 10.2.1.10, mac: 0a:58:0a:02:01:0a }
      - { name: client-1b, epg: client, ip: 10.2.1.11, mac: 0a:58:0a:02:01:0b }
      - { name: other-1, epg: other, ip: 10.2.1.12, mac: 0a:58:0a:02:01:0c }
      - { name: lonely-1, epg: lonely, ip: 10.2.1.13, mac: 0a:58:0a:02:01:0d }
      - { name: lonely-1b, epg: lonely, ip: 10.2.1.14, mac: 0a:58:0a:02:01:0e }
  - name: node-2
    hypervisor: esx-2
    infraIp: 10.0.0.102
    mac: 00:50:56:a1:00:02
    pods:
      - { name: db-2, epg: db, ip: 10.2.2.10, mac: 0a:58:0a:02:02:0a }
      - { name: host-2, epg: host, ip: 10.2.2.11, mac: 0a:58:0a:02:02:0b }
flows:
  - { name: pg-5432, from: client-1, to: db-2, protocol: tcp, port: 5432 }
  - { name: pg-80, from: client-1, to: db-2, protocol: tcp, port: 80 }
  - { name: pg-default, from: client-1, to: db-2 }
  - { name: pg-from-provider, from: db-2, to: client-1, port: 5432 }
  - { name: shell-8080, from: client-1, to: host-2, port: 8080 }
  - { name: shell-ssh, from: client-1, to: host-2, port: 22 }
  - { name: dns-in, from: client-1, to: host-2, protocol: udp, port: 53 }
  - { name: ntp-out-from-consumer, from: client-1, to: host-2, protocol: udp, port: 123 }
  - { name: ntp-out-from-provider, from: host-2, to: client-1, protocol: udp, port: 123 }
  - { name: same-node-same-epg, from: client-1, to: client-1b }
  - { name: same-node-no-contract, from: client-1, to: other-1 }
  - { name: same-node-isolated-epg, from: lonely-1, to: lonely-1b }
`;

interface FlowRecord {
  probe: FlowProbe;
  sent: number;
  delivered: number;
  dropped: Map<DropReason, number>;
  /** Leaves (or undefined: the node's OVS) where packets were dropped. */
  droppedAt: Set<string | undefined>;
}

/** Runs the scenario to its end and counts what each flow's probes met. */
function runFlows(scenario: Scenario): Map<string, FlowRecord> {
  const records = new Map<string, FlowRecord>();
  const { twin, scheduler } = simulatedTwin(scenario, {
    onProbe: (probe, _t, delivered, _bounced, reason, at) => {
      let r = records.get(probe.spec.name);
      if (!r) records.set(probe.spec.name, (r = { probe, sent: 0, delivered: 0, dropped: new Map(), droppedAt: new Set() }));
      r.sent++;
      if (delivered) r.delivered++;
      else {
        r.dropped.set(reason!, (r.dropped.get(reason!) ?? 0) + 1);
        r.droppedAt.add(at);
      }
    },
  });
  twin.start();
  scheduler.runUntil(scenario.durationMs);
  return records;
}

const scenario = parseScenario(CONTRACTS_SCENARIO, 'contracts.yaml');
const flows = runFlows(scenario);
const leavesOf = (pair: string) => new Set(scenario.fabric.leafPairs.find((p) => p.name === pair)!.leaves.map((l) => l.name));

function flow(name: string): FlowRecord {
  const r = flows.get(name);
  assert.ok(r && r.sent > 0, `flow ${name} sent probes`);
  return r;
}

function assertAllDelivered(name: string): void {
  const r = flow(name);
  assert.equal(r.delivered, r.sent, `${name}: every probe and its reply delivered, got drops ${JSON.stringify([...r.dropped])}`);
}

/** Every probe of the flow dropped as contract-denied, at one of `where` (undefined: the node). */
function assertAllDenied(name: string, where: Set<string | undefined>): void {
  const r = flow(name);
  assert.equal(r.delivered, 0, `${name}: nothing delivered`);
  assert.deepEqual([...r.dropped.keys()], ['contract-denied'], `${name}: dropped by the contract`);
  for (const at of r.droppedAt) assert.ok(where.has(at), `${name}: dropped at ${at}, expected one of ${[...where].join(', ')}`);
}

describe('the data plane applies the scenario\'s contracts', { timeout: 60_000 }, () => {
  it('a flow a deny rule matches is contract-denied; the same contract passes other TCP ports', () => {
    assertAllDenied('shell-ssh', leavesOf('pair-a'));
    assertAllDelivered('shell-8080');
  });

  it('a contract whose only filter is TCP 5432 passes probes to TCP 5432 and drops probes to TCP 80', () => {
    assertAllDelivered('pg-5432');
    assertAllDenied('pg-80', leavesOf('pair-a'));
  });

  it('a flow naming no protocol or port probes what its contract permits', () => {
    assert.deepEqual(flow('pg-default').probe.traffic, { protocol: 'tcp', port: 5432 });
    assertAllDelivered('pg-default');
  });

  it('the provider may reply from the filtered port but not open connections to the consumer on it', () => {
    assertAllDenied('pg-from-provider', leavesOf('pair-b'));
  });

  it('a rule with direction in lets the consumer\'s UDP request through and drops the provider\'s reply', () => {
    // The request crosses pair-a; the reply is dropped where it enters the fabric, at pair-b.
    assertAllDenied('dns-in', leavesOf('pair-b'));
  });

  it('a rule with direction out drops the consumer\'s request, and the consumer\'s UDP reply to the provider', () => {
    assertAllDenied('ntp-out-from-consumer', leavesOf('pair-a'));
    assertAllDenied('ntp-out-from-provider', leavesOf('pair-a'));
  });

  it('between pods of one node the node enforces policy: same EPG passes, no contract or an isolated EPG drops', () => {
    assertAllDelivered('same-node-same-epg');
    assertAllDenied('same-node-no-contract', new Set([undefined]));
    assertAllDenied('same-node-isolated-epg', new Set([undefined]));
  });
});

describe('the built-in default scenario under contract enforcement', { timeout: 60_000 }, () => {
  const builtin = loadBuiltinScenario('default');
  const records = runFlows(builtin);
  it('probes each flow on a protocol and port one of the policy\'s filters names', () => {
    for (const spec of builtin.flows) {
      const { traffic } = records.get(spec.name)!.probe;
      const named = builtin.policy.filters.some((f) => f.protocol === traffic.protocol && (f.ports?.[0] ?? undefined) === traffic.port);
      assert.ok(named, `${spec.name} probes ${traffic.protocol} ${traffic.port}, which no filter names`);
    }
  });

  it('drops no probe of its flows for the contract', () => {
    for (const [name, r] of records) assert.equal(r.dropped.get('contract-denied') ?? 0, 0, `${name} was contract-denied`);
  });
});

describe('flow protocol and port in a scenario file', { timeout: 30_000 }, () => {
  const failure = (line: string): string => {
    try {
      parseScenario(tiny({ 43: line }), 'tiny.yaml');
    } catch (err) {
      assert.ok(err instanceof ScenarioError);
      return err.message;
    }
    assert.fail('expected the scenario to be rejected');
  };

  it('are read, and absent when not written', () => {
    const s = parseScenario(tiny({ 43: '  - { name: web, from: web-2, to: web-1, protocol: udp, port: 53 }' }), 'tiny.yaml');
    assert.equal(s.flows[0]!.protocol, 'udp');
    assert.equal(s.flows[0]!.port, 53);
    const plain = parseScenario(tiny(), 'tiny.yaml');
    assert.equal('protocol' in plain.flows[0]!, false);
    assert.equal('port' in plain.flows[0]!, false);
  });

  it('a wrong value points at its line and field', () => {
    assert.equal(failure('  - { name: web, from: web-2, to: web-1, protocol: sctp }'),
      'tiny.yaml:43:52: flows[0].protocol: expected one of "tcp", "udp", "icmp", got string "sctp"');
    assert.equal(failure('  - { name: web, from: web-2, to: web-1, port: 70000 }'), 'tiny.yaml:43:48: flows[0].port: must be <= 65535, got 70000');
    assert.equal(failure('  - { name: web, from: web-2, to: web-1, protocol: icmp, port: 80 }'),
      'tiny.yaml:43:64: flows[0].port: icmp has no ports: drop port 80 or use protocol tcp or udp');
  });

  it('are in the exported JSON Schema', () => {
    const schema = scenarioJsonSchema() as { properties: { flows: { items: { properties: Record<string, { enum?: string[]; maximum?: number }> } } } };
    const props = schema.properties.flows.items.properties;
    assert.deepEqual(props.protocol!.enum, ['tcp', 'udp', 'icmp']);
    assert.equal(props.port!.maximum, 65535);
  });
});

describe('the presets\' probe flows under contract enforcement', { timeout: 60_000 }, () => {
  it('open only connections their contracts permit: from a moving pod to the EPG it consumes from, to it from a consumer of its EPG', () => {
    const s = loadPreset('S');
    assert.ok(s.flows.some((f) => f.name.startsWith('to-')) && s.flows.some((f) => f.name.startsWith('from-')));
    for (const [name, r] of runFlows(s)) assert.equal(r.dropped.get('contract-denied') ?? 0, 0, `${name} was contract-denied`);
  });
});
