/**
 * A policy_resolve body decoded once is reused for later frames that differ only in their id: the
 * later request carries its own id, the same method and params, params nobody can change, and
 * anything that is not a plain repeat takes the full decoder.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { decodeMessage } from '../../src/opflex/codec.ts';
import type { RpcRequest } from '../../src/opflex/message.ts';
import {
  forgetRepeatedRequests,
  plainIdEnd,
  repeatedRequestBodyCharsMax,
  repeatedRequestsCached,
  repeatedRequestsCachedMax,
} from '../../src/opflex/repeated-requests.ts';

const BODY = ',"method":"policy_resolve","params":[{"subject":"GbpEpGroup","policy_uri":"/PolicyUniverse/PolicySpace/kube/GbpEpGroup/web/","prr":7200}]}';
const frame = (id: string, body = BODY) => `{"id":${id}${body}`;

describe('repeated policy_resolve bodies', { timeout: 30_000 }, () => {
  beforeEach(() => forgetRepeatedRequests());

  it('a repeat gets its own id and the first decode\'s method and params', () => {
    const first = decodeMessage(frame('["policy_resolve",1]')) as RpcRequest;
    const again = decodeMessage(frame('["policy_resolve",9223372036854775808]')) as RpcRequest;
    assert.equal(repeatedRequestsCached(), 1);
    assert.equal(again.id, '["policy_resolve",9223372036854775808]');
    assert.equal(again.method, 'policy_resolve');
    assert.equal(again.params, first.params, 'the params are shared, not parsed again');
    assert.deepEqual(again, { kind: 'request', id: again.id, method: 'policy_resolve', params: [{ subject: 'GbpEpGroup', policy_uri: '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/web/', prr: 7200 }] });
  });

  it('shared params are frozen: a handler cannot change what the next request sees', () => {
    const request = decodeMessage(frame('["policy_resolve",1]')) as RpcRequest;
    assert.throws(() => {
      (request.params[0] as { prr: number }).prr = 1;
    }, TypeError);
    assert.throws(() => (request.params as unknown[]).push(1), TypeError);
  });

  it('only policy_resolve bodies are kept (declared endpoints are stored by the leaf and stay the peer\'s own objects)', () => {
    decodeMessage('{"id":["endpoint_declare",1],"method":"endpoint_declare","params":[{"endpoint":[],"prr":60}]}');
    decodeMessage('{"id":["echo",1],"method":"echo","params":[]}');
    assert.equal(repeatedRequestsCached(), 0);
  });

  it('a frame whose id is not plain takes the full decoder and is not kept', () => {
    for (const id of ['["policy_resolve", 1]', '["policy\\u005fresolve",1]', '["policy_resolve",-1]', '["policy_resolve",1.5]', '["policy_resolve","1"]', '["policy_resolve",123456789012345678901]']) {
      const request = decodeMessage(frame(id)) as RpcRequest;
      assert.equal(request.id, id, `id ${id} is echoed as it came`);
      assert.equal(repeatedRequestsCached(), 0, `id ${id}`);
    }
    assert.equal(plainIdEnd(' {"id":["policy_resolve",1],'), -1);
  });

  it('a body longer than repeatedRequestBodyCharsMax is decoded every time and never kept', () => {
    const longBody = `,"method":"policy_resolve","params":[{"subject":"GbpEpGroup","policy_uri":"/${'x'.repeat(repeatedRequestBodyCharsMax)}/","prr":7200}]}`;
    const a = decodeMessage(frame('["policy_resolve",1]', longBody)) as RpcRequest;
    const b = decodeMessage(frame('["policy_resolve",2]', longBody)) as RpcRequest;
    assert.notEqual(a.params, b.params);
    assert.equal(repeatedRequestsCached(), 0);
  });

  it('holds at most repeatedRequestsCachedMax bodies, forgetting the oldest first', () => {
    const body = (n: number) => `,"method":"policy_resolve","params":[{"subject":"GbpEpGroup","policy_uri":"/u/${n}/","prr":7200}]}`;
    const first = decodeMessage(frame('["policy_resolve",1]', body(0))) as RpcRequest;
    for (let n = 1; n <= repeatedRequestsCachedMax; n++) decodeMessage(frame('["policy_resolve",1]', body(n)));
    assert.equal(repeatedRequestsCached(), repeatedRequestsCachedMax);
    const again = decodeMessage(frame('["policy_resolve",2]', body(0))) as RpcRequest;
    assert.notEqual(again.params, first.params, 'the oldest body was forgotten and decoded afresh');
    assert.deepEqual(again.params, first.params);
  });

  it('a malformed repeat still fails as a protocol error (only complete, valid bodies are kept)', () => {
    decodeMessage(frame('["policy_resolve",1]'));
    assert.throws(() => decodeMessage(frame('["policy_resolve",2]', BODY.slice(0, -1))), { name: 'ProtocolError' });
  });
});
