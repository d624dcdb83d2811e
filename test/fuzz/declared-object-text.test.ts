/**
 * The twin's declared objects count their own text (textChars()) instead of being written out and
 * walked: for any endpoint, with any names a host-agent file might hold, the count must be exactly
 * what the walk gives for the same objects as plain JSON.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { endpointObjects, type LocalEndpoint } from '../../src/opflex/endpoint-objects.ts';
import { textChars } from '../../src/opflex/proxy-limits.ts';
import { fuzzParameters, fuzzTimeoutMs, hostileString } from '../support/fuzz.ts';

const endpoint: fc.Arbitrary<LocalEndpoint> = fc.record({
  uuid: hostileString(40),
  mac: hostileString(20),
  ips: fc.array(hostileString(40), { maxLength: 3 }),
  epgUri: hostileString(80),
  interfaceName: hostileString(15),
  name: hostileString(20),
});

describe('the text of declared objects', { timeout: fuzzTimeoutMs(30_000) }, () => {
  it('is counted exactly as the walk counts the same objects written as JSON', () => {
    fc.assert(
      fc.property(endpoint, hostileString(80), hostileString(80), (ep, bd, rd) => {
        for (const objects of endpointObjects(ep, { bd, rd })) {
          const plain = JSON.parse(JSON.stringify(objects)) as unknown;
          assert.equal(textChars(objects, Number.MAX_SAFE_INTEGER), textChars(plain, Number.MAX_SAFE_INTEGER));
          // Past a bound both give Infinity alike.
          const bound = textChars(plain, Number.MAX_SAFE_INTEGER) - 1;
          assert.equal(textChars(objects, bound), Infinity);
        }
      }),
      fuzzParameters(500),
    );
  });
});
