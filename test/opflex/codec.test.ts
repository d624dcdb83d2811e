import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ManagedObject } from '../../src/model/managed-object.ts';
import { canonicalObject, decodeMessage, encodeMessage, encodeMessageText, ProtocolError, type ProtocolErrorCode } from '../../src/opflex/codec.ts';
import { JsonSyntaxError } from '../../src/opflex/lossless-json.ts';
import { makeRawId, methodOfRawId, type RpcMessage, type RpcRequest, type RpcResult } from '../../src/opflex/message.ts';
import { loadReferenceFrames, referenceFrame } from './reference-frames.ts';

// What each captured frame is, per the capture's INDEX.md.
const EXPECTED: Record<string, { kind: RpcMessage['kind']; method: string }> = {
  '01-a2s-echo-req.bin': { kind: 'request', method: 'echo' },
  '02-s2a-echo-resp.bin': { kind: 'result', method: 'echo' },
  '03-a2s-send_identity-req.bin': { kind: 'request', method: 'send_identity' },
  '04-s2a-send_identity-resp.bin': { kind: 'result', method: 'send_identity' },
  '05-a2s-send_identity-req-reconnect-with-my_location.bin': { kind: 'request', method: 'send_identity' },
  '06-a2s-policy_resolve-PlatformConfig-req.bin': { kind: 'request', method: 'policy_resolve' },
  '07-s2a-policy_resolve-PlatformConfig-resp.bin': { kind: 'result', method: 'policy_resolve' },
  '08-a2s-policy_resolve-GbpEpGroup-req.bin': { kind: 'request', method: 'policy_resolve' },
  '09-s2a-policy_resolve-GbpEpGroup-resp.bin': { kind: 'result', method: 'policy_resolve' },
  '10-a2s-policy_resolve-unknown-req.bin': { kind: 'request', method: 'policy_resolve' },
  '11-s2a-policy_resolve-empty-resp.bin': { kind: 'result', method: 'policy_resolve' },
  '12-a2s-endpoint_declare-EprL2Ep-req.bin': { kind: 'request', method: 'endpoint_declare' },
  '13-s2a-endpoint_declare-resp.bin': { kind: 'result', method: 'endpoint_declare' },
  '14-a2s-endpoint_declare-EprL3Ep-req.bin': { kind: 'request', method: 'endpoint_declare' },
  '15-s2a-policy_update-delete-PlatformConfig.bin': { kind: 'request', method: 'policy_update' },
  '16-s2a-policy_update-merge_children-GbpEpGroup.bin': { kind: 'request', method: 'policy_update' },
  '17-a2s-endpoint_undeclare-req.bin': { kind: 'request', method: 'endpoint_undeclare' },
  '18-s2a-endpoint_undeclare-resp.bin': { kind: 'result', method: 'endpoint_undeclare' },
  '19-a2s-policy_unresolve-req.bin': { kind: 'request', method: 'policy_unresolve' },
  '20-s2a-policy_unresolve-resp.bin': { kind: 'result', method: 'policy_unresolve' },
  '21-s2a-echo-req.bin': { kind: 'request', method: 'echo' },
  '22-a2s-echo-resp.bin': { kind: 'result', method: 'echo' },
};

const REPLY_TO: Record<string, string> = { '02': '01', '04': '03', '07': '06', '09': '08', '11': '10', '13': '12', '18': '17', '20': '19', '22': '21' };

function decodeFixture(prefix: string): RpcMessage {
  return decodeMessage(referenceFrame(prefix).frame);
}

function expectProtocolError(frame: string | Buffer, code: ProtocolErrorCode, message: RegExp): ProtocolError {
  let caught: unknown;
  try {
    decodeMessage(frame);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ProtocolError, `expected a ProtocolError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.match(caught.message, message);
  assert.match(caught.message, /^[A-Z]/, 'messages are sentence case');
  return caught;
}

describe('reference frames', { timeout: 120_000 }, () => {
  const frames = loadReferenceFrames();

  it('are all the frames INDEX.md lists', () => {
    assert.deepEqual(frames.map((f) => f.file), Object.keys(EXPECTED));
  });

  for (const { file, bytes, frame } of frames) {
    it(`${file} re-encodes to the captured bytes exactly`, () => {
      assert.ok(encodeMessage(decodeMessage(frame)).equals(bytes));
      assert.equal(encodeMessageText(decodeMessage(frame.toString('utf8'))) + '\0', bytes.toString('utf8'));
    });
  }

  it('decode to the kinds and methods INDEX.md describes', () => {
    for (const { file, frame } of frames) {
      const msg = decodeMessage(frame);
      assert.equal(msg.kind, EXPECTED[file]!.kind, file);
      if (msg.kind === 'request') assert.equal(msg.method, EXPECTED[file]!.method, file);
      assert.equal(methodOfRawId(msg.id), EXPECTED[file]!.method, file);
    }
  });

  it('pair every reply with its request by an identical id', () => {
    for (const [reply, request] of Object.entries(REPLY_TO)) {
      assert.equal(decodeFixture(reply).id, decodeFixture(request).id, `${reply} answers ${request}`);
    }
  });

  it('carry the 2^63-based processor ids and the payloads libopflex sent', () => {
    const resolve = decodeFixture('06') as RpcRequest;
    assert.equal(resolve.id, '["policy_resolve",9223372036854775808]');
    assert.deepEqual(resolve.params, [{ subject: 'PlatformConfig', policy_uri: '/PolicyUniverse/PlatformConfig/openstack/', prr: 7200 }]);

    const subtree = (decodeFixture('09') as RpcResult).result as { policy: ManagedObject[] };
    assert.deepEqual(
      subtree.policy.map((mo) => mo.subject),
      ['GbpEpGroup', 'GbpeInstContext', 'GbpEpGroupToNetworkRSrc', 'GbpEpGroupToProvContractRSrc', 'GbpEpGroupToProvContractRSrc', 'GbpEpGroupToConsContractRSrc', 'GbpEpGroupToSpanSessionRSrc'],
    );
    assert.deepEqual(subtree.policy[1]!.properties, [{ name: 'encapId', data: 4660 }, { name: 'classid', data: 50001 }]);

    assert.deepEqual((decodeFixture('11') as RpcResult).result, { policy: [] });
    assert.deepEqual((decodeFixture('02') as RpcResult).result, [1648459]);
  });

  it('hold their MOs in MOSerializer order already', () => {
    const subtree = (decodeFixture('09') as RpcResult).result as { policy: ManagedObject[] };
    for (const mo of subtree.policy) assert.deepEqual(Object.keys(mo), Object.keys(canonicalObject(mo)));
  });
});

describe('lossless ids', { timeout: 120_000 }, () => {
  for (const n of [2n ** 63n, 2n ** 64n - 1n]) {
    it(`echoes id ${n} exactly in a result`, () => {
      const requestText = `{"id":["policy_resolve",${n}],"method":"policy_resolve","params":[{"subject":"GbpEpGroup","policy_uri":"/PolicyUniverse/PolicySpace/kube/GbpEpGroup/x/","prr":7200}]}`;
      const request = decodeMessage(requestText);
      assert.equal(request.id, `["policy_resolve",${n}]`);
      const reply = encodeMessageText({ kind: 'result', id: request.id, result: { policy: [] } });
      assert.equal(reply, `{"id":["policy_resolve",${n}],"result":{"policy":[]}}`);
      assert.equal(encodeMessageText(request as RpcMessage), requestText);
    });
  }

  it('echoes an id as written, even with unusual spacing', () => {
    const request = decodeMessage('{ "id" : [ "echo" , 18446744073709551615 ] , "method" : "echo" , "params" : [ 5 ] }');
    assert.equal(request.id, '[ "echo" , 18446744073709551615 ]');
    assert.equal(encodeMessageText({ kind: 'result', id: request.id, result: [5] }), '{"id":[ "echo" , 18446744073709551615 ],"result":[5]}');
  });

  it('finds the id wherever it sits in the frame', () => {
    const msg = decodeMessage('{"method":"echo","params":[1],"id":["echo",9223372036854775809]}');
    assert.equal(msg.id, '["echo",9223372036854775809]');
    assert.equal(encodeMessageText(msg), '{"id":["echo",9223372036854775809],"method":"echo","params":[1]}');
  });

  it('writes ids made by makeRawId unchanged', () => {
    const id = makeRawId('policy_update', 2n ** 64n - 1n);
    assert.equal(
      encodeMessageText({ kind: 'request', id, method: 'policy_update', params: [{ replace: [], merge_children: [], delete: [] }] }),
      '{"id":["policy_update",18446744073709551615],"method":"policy_update","params":[{"replace":[],"merge_children":[],"delete":[]}]}',
    );
  });
});

describe('property data', { timeout: 120_000 }, () => {
  it('round-trips U64 data past 2^53 as bigint', () => {
    const text =
      '{"id":["policy_update",3],"method":"policy_update","params":[{"replace":[{"subject":"GbpeInstContext","uri":"/x/GbpeInstContext/",' +
      '"properties":[{"name":"big","data":18446744073709551615},{"name":"s64","data":-9223372036854775808},{"name":"vec","data":[9007199254740993,1]}],' +
      '"children":[]}],"merge_children":[],"delete":[]}]}';
    const msg = decodeMessage(text) as RpcRequest;
    const mo = (msg.params[0] as { replace: ManagedObject[] }).replace[0]!;
    assert.deepEqual(mo.properties.map((p) => p.data), [2n ** 64n - 1n, -(2n ** 63n), [9007199254740993n, 1]]);
    assert.equal(encodeMessageText(msg), text);
  });
});

describe('decode errors', { timeout: 120_000 }, () => {
  it('rejects text that is not JSON, keeping the SyntaxError and its offset', () => {
    const err = expectProtocolError('{"id":["echo",0],"method":"echo","params":[1}', 'invalid-json', /^Frame is not valid JSON: .* at byte 44$/);
    assert.ok(err.cause instanceof JsonSyntaxError);
    assert.equal(err.cause.offset, 44);
    expectProtocolError(Buffer.from('{"id":'), 'invalid-json', /not valid JSON/);
  });

  it('rejects a frame that is an array or a scalar', () => {
    expectProtocolError('[{"id":["echo",0],"method":"echo","params":[]}]', 'not-object', /^Frame is an array, not a JSON object$/);
    expectProtocolError('"echo"', 'not-object', /a string/);
    expectProtocolError('null', 'not-object', /null/);
  });

  it('rejects a notification (no id or a null id), as libopflex does', () => {
    expectProtocolError('{"method":"echo","params":[1]}', 'notification', /^Frame has no id/);
    expectProtocolError('{"id":null,"method":"echo","params":[1]}', 'notification', /^Frame has a null id/);
  });

  it('rejects a reply whose id is not an array starting with a method name', () => {
    expectProtocolError('{"id":5,"result":{}}', 'malformed', /Reply id must be an array starting with a method name, got 5/);
    expectProtocolError('{"id":[1,"echo"],"error":{"code":"ERROR","message":"x"}}', 'malformed', /Reply id must be an array/);
    expectProtocolError('{"id":[],"result":{}}', 'malformed', /Reply id must be an array/);
  });

  it('accepts requests with any non-null id, as libopflex does', () => {
    assert.equal(decodeMessage('{"id":"abc","method":"echo","params":[]}').id, '"abc"');
    assert.equal(decodeMessage('{"id":42,"method":"echo","params":[]}').id, '42');
  });

  it('rejects a request whose params are not an array, keeping the id for an error reply', () => {
    const err = expectProtocolError('{"id":["echo",7],"method":"echo","params":{"a":1}}', 'malformed', /params must be an array, got an object/);
    assert.equal(err.id, '["echo",7]');
    expectProtocolError('{"id":["echo",7],"method":"echo"}', 'malformed', /params must be an array, got nothing/);
  });

  it('rejects a request whose method is not a string', () => {
    expectProtocolError('{"id":["echo",7],"method":3,"params":[]}', 'malformed', /method must be a string, got a number/);
  });

  it('rejects an error reply without string code and message', () => {
    expectProtocolError('{"id":["echo",7],"error":"ERROR"}', 'malformed', /must carry an object/);
    expectProtocolError('{"id":["echo",7],"error":{"code":1,"message":"x"}}', 'malformed', /code must be a string/);
    expectProtocolError('{"id":["echo",7],"error":{"code":"ERROR"}}', 'malformed', /message must be a string/);
  });

  it('rejects a frame with neither method, result nor error', () => {
    expectProtocolError('{"id":["echo",7]}', 'malformed', /none of method, result or error/);
  });

  it('prefers result over error, like libopflex', () => {
    const msg = decodeMessage('{"id":["echo",7],"error":{"code":"ERROR","message":"x"},"result":{}}');
    assert.equal(msg.kind, 'result');
  });
});

describe('encoding', { timeout: 120_000 }, () => {
  it('writes an error reply as {"id","error":{"code","message"}}', () => {
    const msg: RpcMessage = { kind: 'error', id: '["policy_resolve",9223372036854775808]', error: { code: 'EUNSUPPORTED', message: 'policy_ident "x" is not supported' } };
    const bytes = encodeMessage(msg);
    assert.equal(bytes.toString('utf8'), '{"id":["policy_resolve",9223372036854775808],"error":{"code":"EUNSUPPORTED","message":"policy_ident \\"x\\" is not supported"}}\0');
    assert.deepEqual(decodeMessage(bytes.subarray(0, bytes.length - 1)), msg);
  });

  it('writes the envelope in libopflex order whatever order the message object has', () => {
    const request = { params: [{ b: 1, a: 2 }], method: 'echo', id: '["echo",1]', kind: 'request' } as RpcMessage;
    assert.equal(encodeMessageText(request), '{"id":["echo",1],"method":"echo","params":[{"b":1,"a":2}]}');
  });

  it('ends every frame with exactly one NUL and encodes UTF-8', () => {
    const bytes = encodeMessage({ kind: 'result', id: '["echo",0]', result: ['é'] });
    assert.equal(bytes.at(-1), 0);
    assert.equal(bytes.indexOf(0), bytes.length - 1);
    assert.equal(bytes.toString('utf8'), '{"id":["echo",0],"result":["é"]}\0');
  });
});

describe('canonicalObject', { timeout: 120_000 }, () => {
  it('orders members as MOSerializer writes them and omits an absent parent', () => {
    const mo = {
      children: ['/r/GbpEpGroup/x/GbpEpGroupToNetworkRSrc/'],
      parent_relation: 'GbpEpGroup',
      properties: [{ data: { reference_uri: '/r/GbpBridgeDomain/bd/', subject: 'GbpBridgeDomain' }, name: 'target' }, { data: [1n, 'a'], name: 'v' }],
      uri: '/r/GbpEpGroup/x/',
      parent_uri: '/r/',
      subject: 'GbpEpGroup',
      parent_subject: 'PolicySpace',
    } as ManagedObject;
    const canonical = canonicalObject(mo);
    assert.equal(
      encodeMessageText({ kind: 'result', id: '1', result: canonical }),
      '{"id":1,"result":{"subject":"GbpEpGroup","uri":"/r/GbpEpGroup/x/","properties":[{"name":"target","data":{"subject":"GbpBridgeDomain","reference_uri":"/r/GbpBridgeDomain/bd/"}},' +
        '{"name":"v","data":[1,"a"]}],"children":["/r/GbpEpGroup/x/GbpEpGroupToNetworkRSrc/"],"parent_subject":"PolicySpace","parent_uri":"/r/","parent_relation":"GbpEpGroup"}}',
    );
    const root = canonicalObject({ uri: '/r/', subject: 'PolicyUniverse', children: [], properties: [] });
    assert.deepEqual(Object.keys(root), ['subject', 'uri', 'properties', 'children']);
  });

  it('returns a copy that shares no arrays or properties with the original', () => {
    const mo: ManagedObject = { subject: 'A', uri: '/a/', properties: [{ name: 'v', data: [1] }], children: ['/a/b/'] };
    const copy = canonicalObject(mo);
    copy.children.push('/a/c/');
    copy.properties[0]!.name = 'w';
    (copy.properties[0]!.data as number[]).push(2);
    assert.deepEqual(mo, { subject: 'A', uri: '/a/', properties: [{ name: 'v', data: [1] }], children: ['/a/b/'] });
  });
});
