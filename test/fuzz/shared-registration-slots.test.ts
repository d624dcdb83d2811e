/**
 * The registries of a leaf pair share one table of URI slots (RegistrationSlots): each must still
 * answer exactly as a registry with a table of its own would, whatever the other registers, takes
 * over, deletes, closes or forgets. Random operations on two registries that share a table and on
 * two that do not, every answer compared.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EndpointRegistry } from '../../src/fabric/endpoint-registry.ts';
import { RegistrationSlots } from '../../src/fabric/registration-slots.ts';
import { fuzzParameters, fuzzTimeoutMs } from '../support/fuzz.ts';

type Op =
  | { op: 'set'; leaf: number; uri: number; session: number; expiry: number; chars: number }
  | { op: 'delete' | 'get'; leaf: number; uri: number }
  | { op: 'close'; leaf: number; session: number }
  | { op: 'clear' | 'fit'; leaf: number }
  | { op: 'reserve'; leaf: number; slots: number };

const leaf = fc.integer({ min: 0, max: 1 });
const uri = fc.integer({ min: 0, max: 30 });
const session = fc.integer({ min: 1, max: 6 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('set' as const), leaf, uri, session, expiry: fc.integer({ min: 0, max: 5 }), chars: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('delete' as const, 'get' as const), leaf, uri }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('close' as const), leaf, session }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('clear' as const, 'fit' as const), leaf }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reserve' as const), leaf, slots: fc.integer({ min: 0, max: 300 }) }) },
);

/** URIs without a number, and MAC and IPv4 ones (kept by number in the table's index). */
const uriOf = (n: number) =>
  n % 3 === 0 ? `/EprL2Universe/EprL2Ep/bd/${n}/` : n % 3 === 1 ? `/EprL2Universe/EprL2Ep/bd/0a%3a58%3a00%3a00%3a00%3a${n.toString(16).padStart(2, '0')}/` : `/EprL3Universe/EprL3Ep/rd/10.0.0.${n}/`;

/** Everything a leaf can ask of its registry, with the registrations in URI order (slot order may differ). */
function answers(r: EndpointRegistry) {
  const closedWalk: string[] = [];
  for (let e = r.oldestOfClosedSessions(); e !== undefined; e = r.newerThan(e)) closedWalk.push(r.objectsOf(e)[0]!.uri);
  const registrations = [...r.entries()]
    .map(([u, e]) => ({ uri: u, session: r.sessionOf(e), agent: r.agentOf(e), expiry: r.expiresAtMsOf(e), chars: r.charsOf(e), open: r.isOpen(e), same: r.get(u) === e }))
    .sort((a, b) => a.uri.localeCompare(b.uri));
  const sessions = [1, 2, 3, 4, 5, 6].map((s) => ({ ...r.ofSession(s) }));
  return { size: r.size, chars: r.chars, closed: [r.closedEndpoints, r.closedChars], earliest: r.earliestExpiryMs(), closedWalk, registrations, sessions };
}

describe('the registries of a leaf pair sharing one table of slots', { timeout: fuzzTimeoutMs(60_000) }, () => {
  it('each answer exactly as a registry with a table of its own', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300, size: 'max' }), (ops) => {
        // Two probes: numbered URIs often land in the table's Map as well as in its index.
        const table = new RegistrationSlots({ probesMax: 2 });
        const shared = [new EndpointRegistry(table), new EndpointRegistry(table)];
        const alone = [new EndpointRegistry(), new EndpointRegistry()];
        // A closed session never registers again (connection ids only grow): the next use of its name is a new session.
        const sessionIds = [new Map<number, number>(), new Map<number, number>()];
        let nextId = 100;
        const idOf = (l: number, s: number) => {
          if (!sessionIds[l]!.has(s)) sessionIds[l]!.set(s, nextId++);
          return sessionIds[l]!.get(s)!;
        };
        for (const o of ops) {
          for (const [i, r] of [shared[o.leaf]!, alone[o.leaf]!].entries()) {
            switch (o.op) {
              case 'set': {
                const u = uriOf(o.uri);
                const id = idOf(o.leaf, o.session);
                const objects = [{ subject: 'EprL2Ep', uri: u, properties: [], children: [] }];
                // Half the time as a leaf declares: the URI's slot asked once, then handed to set.
                if (o.expiry % 2 === 0) r.set(u, `agent-${id}`, id, objects, o.expiry, o.chars);
                else r.setAt(r.slotOfDeclared(objects[0]!), `agent-${id}`, id, objects, o.expiry, o.chars);
                break;
              }
              case 'delete':
                r.delete(uriOf(o.uri));
                break;
              case 'get':
                break;
              case 'close':
                r.sessionClosed(idOf(o.leaf, o.session));
                if (i === 1) sessionIds[o.leaf]!.delete(o.session);
                break;
              case 'clear':
                r.clear();
                break;
              case 'fit':
                r.fitToSize();
                break;
              case 'reserve':
                // Only the shared side reserves: room taken ahead changes no answer.
                if (i === 0) r.reserve(o.slots);
                break;
            }
          }
          for (const l of [0, 1]) assert.deepEqual(answers(shared[l]!), answers(alone[l]!));
        }
        assert.equal(table.size, new Set([...shared[0]!.entries(), ...shared[1]!.entries()].map(([u]) => u)).size);
      }),
      fuzzParameters(200),
    );
  });
});
