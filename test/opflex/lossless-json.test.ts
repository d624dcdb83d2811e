import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  JsonSyntaxError,
  MAX_JSON_DEPTH,
  parseJson,
  parseJsonWithRawMember,
  stringifyJson,
  stringifyJsonPretty,
} from '../../src/opflex/lossless-json.ts';

describe('parseJson', { timeout: 120_000 }, () => {
  it('keeps integers within ±(2^53-1) as numbers, also with 16 digits', () => {
    assert.equal(parseJson('9007199254740991'), 9007199254740991);
    assert.equal(parseJson('-9007199254740991'), -9007199254740991);
    assert.equal(parseJson('1000000000000000'), 1000000000000000);
    assert.deepEqual(parseJson('[0,-0,42,7200]'), [0, -0, 42, 7200]);
  });

  it('turns integers past 2^53-1 into exact bigints', () => {
    assert.equal(parseJson('9007199254740992'), 9007199254740992n);
    assert.equal(parseJson('-9007199254740992'), -9007199254740992n);
    assert.equal(parseJson('9223372036854775808'), 2n ** 63n);
    assert.equal(parseJson('18446744073709551615'), 2n ** 64n - 1n);
    assert.deepEqual(parseJson('{"a":[1,18446744073709551615]}'), { a: [1, 18446744073709551615n] });
  });

  it('keeps fractions and exponents as numbers however many digits they have', () => {
    assert.equal(parseJson('12345678901234567890.5'), 12345678901234567890.5);
    assert.equal(parseJson('1.2345678901234567'), 1.2345678901234567);
    assert.equal(parseJson('12345678901234567e2'), 12345678901234567e2);
    assert.equal(parseJson('-1.5E-3'), -1.5e-3);
  });

  it('leaves digit runs inside strings alone', () => {
    assert.deepEqual(parseJson('{"serial":"18446744073709551615","n":1}'), { serial: '18446744073709551615', n: 1 });
  });

  it('preserves member order, with and without big integers', () => {
    for (const text of ['{"z":1,"a":2,"m":{"y":1,"b":2}}', '{"z":18446744073709551615,"a":2,"m":{"y":1,"b":2}}']) {
      const value = parseJson(text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(value), ['z', 'a', 'm']);
      assert.deepEqual(Object.keys(value.m as object), ['y', 'b']);
    }
  });

  it('decodes every string escape, including surrogate pairs', () => {
    const text = '["\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\ud83d\\ude00", 18446744073709551615]';
    assert.deepEqual(parseJson(text), ['"\\/\b\f\n\r\tAé😀', 18446744073709551615n]);
  });

  it('makes "__proto__" an ordinary member instead of changing the prototype', () => {
    const value = parseJson('{"__proto__":{"polluted":true},"n":18446744073709551615}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.keys(value), ['__proto__', 'n']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('takes the last of duplicated members, like JSON.parse', () => {
    assert.deepEqual(parseJson('{"a":1,"a":18446744073709551615}'), { a: 18446744073709551615n });
  });
});

describe('parseJson errors', { timeout: 120_000 }, () => {
  const bad: [string, string, number][] = [
    ['trailing comma in object', '{"a":1,}', 7],
    ['trailing data', '{"a":1} x', 8],
    ['unterminated string', '["abc', 5],
    ['unescaped control character', '["a\u0001"]', 3],
    ['invalid escape', '["\\x"]', 2],
    ['leading zero', '[01]', 2],
    ['lone minus', '[-]', 2],
    ['empty input', '', 0],
    ['bare word', '[nul]', 1],
    ['single quotes', "{'a':1}", 1],
  ];
  for (const [what, text, offset] of bad) {
    it(`rejects ${what} with a SyntaxError at byte ${offset}`, () => {
      assert.throws(
        () => parseJson(text),
        (err: unknown) => err instanceof SyntaxError && err instanceof JsonSyntaxError && err.offset === offset && err.message.endsWith(`at byte ${offset}`),
      );
    });
  }

  it('reports the offset in UTF-8 bytes, not UTF-16 code units', () => {
    // "é" is 2 bytes and "😀" 4, so the stray comma at code unit 11 sits at byte 14.
    const text = '{"é😀":"x",}';
    assert.throws(() => parseJson(text), (err: unknown) => err instanceof JsonSyntaxError && err.offset === Buffer.byteLength('{"é😀":"x",'));
  });

  it('reports the same error whether or not the text holds big integers', () => {
    const plain = catchError(() => parseJson('{"a":[1,2}'));
    const big = catchError(() => parseJson('{"a":[18446744073709551615,2}'));
    assert.match(plain.message, /Expected ',' or ']' in array/);
    assert.match(big.message, /Expected ',' or ']' in array/);
  });

  it('refuses nesting deeper than MAX_JSON_DEPTH instead of overflowing the stack', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + '18446744073709551615' + ']'.repeat(MAX_JSON_DEPTH + 1);
    assert.throws(() => parseJson(deep), /nested deeper than/);
    const ok = '['.repeat(MAX_JSON_DEPTH) + '18446744073709551615' + ']'.repeat(MAX_JSON_DEPTH);
    assert.doesNotThrow(() => parseJson(ok));
  });
});

describe('parseJsonWithRawMember', { timeout: 120_000 }, () => {
  it('returns the member text exactly as written, whitespace included', () => {
    const text = '{ "id" : [ "policy_resolve" , 9223372036854775808 ] , "result" : {} }';
    const { value, raw } = parseJsonWithRawMember(text, 'id');
    assert.equal(raw, '[ "policy_resolve" , 9223372036854775808 ]');
    assert.deepEqual(value, { id: ['policy_resolve', 2n ** 63n], result: {} });
  });

  it('finds the member when it is not first, and keeps member order', () => {
    const { value, raw } = parseJsonWithRawMember('{"method":"echo","params":[1],"id":["echo",18446744073709551615]}', 'id');
    assert.equal(raw, '["echo",18446744073709551615]');
    assert.deepEqual(Object.keys(value as object), ['method', 'params', 'id']);
  });

  it('parses the rest losslessly too when big integers appear outside the member', () => {
    const { value, raw } = parseJsonWithRawMember('{"id":["x",1],"result":{"n":18446744073709551615}}', 'id');
    assert.equal(raw, '["x",1]');
    assert.deepEqual(value, { id: ['x', 1], result: { n: 18446744073709551615n } });
  });

  it('uses the first of duplicated members, as rapidjson FindMember does', () => {
    for (const text of ['{"id":1,"x":0,"id":2}', '{"x":0,"id":1,"id":2}', '{"id":1,"id":18446744073709551615}']) {
      const { value, raw } = parseJsonWithRawMember(text, 'id');
      assert.equal(raw, '1', text);
      assert.equal((value as Record<string, unknown>).id, 1, text);
    }
  });

  it('reports no raw text when the member is absent or the root is not an object', () => {
    assert.equal(parseJsonWithRawMember('{"method":"echo"}', 'id').raw, undefined);
    assert.equal(parseJsonWithRawMember('[{"id":1}]', 'id').raw, undefined);
    assert.equal(parseJsonWithRawMember('"id"', 'id').raw, undefined);
  });

  it('still rejects invalid JSON after a well-formed leading member', () => {
    assert.throws(() => parseJsonWithRawMember('{"id":["x",1],"result":}', 'id'), JsonSyntaxError);
    assert.throws(() => parseJsonWithRawMember('{"id":["x",1]', 'id'), JsonSyntaxError);
    assert.throws(() => parseJsonWithRawMember('{"id":["x",1]}}', 'id'), JsonSyntaxError);
  });
});

describe('stringifyJson', { timeout: 120_000 }, () => {
  it('writes compact JSON in insertion order like rapidjson Writer', () => {
    assert.equal(stringifyJson({ b: 1, a: [true, null, 'x'], c: {} }), '{"b":1,"a":[true,null,"x"],"c":{}}');
  });

  it('writes bigints as plain digits', () => {
    assert.equal(stringifyJson({ id: ['echo', 2n ** 64n - 1n], n: -(2n ** 63n) }), '{"id":["echo",18446744073709551615],"n":-9223372036854775808}');
  });

  it('round-trips text with big integers byte for byte', () => {
    const text = '{"z":[9223372036854775808,{"a":"b\\n","n":-1.5}],"y":18446744073709551615,"x":null}';
    assert.equal(stringifyJson(parseJson(text)), text);
  });

  it('escapes strings as JSON.stringify does, with or without bigints around', () => {
    const s = 'quote" back\\ nl\n nul\u0000 lone\ud800 é';
    assert.equal(stringifyJson(s), JSON.stringify(s));
    assert.equal(stringifyJson([s, 1n]), `[${JSON.stringify(s)},1]`);
  });

  it('leaves out undefined members and rejects values JSON cannot carry', () => {
    assert.equal(stringifyJson({ a: undefined, b: 1, c: undefined }), '{"b":1}');
    assert.equal(stringifyJson({ a: undefined, b: 1n }), '{"b":1}');
    assert.throws(() => stringifyJson(undefined), TypeError);
    assert.throws(() => stringifyJson([1n, undefined]), TypeError);
    assert.throws(() => stringifyJson({ n: Number.NaN }), TypeError);
    assert.throws(() => stringifyJson({ n: Infinity, big: 1n }), TypeError);
    assert.throws(() => stringifyJson({ f: () => 1 }), TypeError);
  });

  it('refuses cyclic values with a TypeError', () => {
    const cyclic: Record<string, unknown> = { n: 1n };
    cyclic.self = cyclic;
    assert.throws(() => stringifyJson(cyclic), TypeError);
  });
});

describe('stringifyJsonPretty', { timeout: 120_000 }, () => {
  it('indents like rapidjson PrettyWriter, with empty containers on one line', () => {
    const text = stringifyJsonPretty([{ subject: 'X', properties: [], data: { n: 18446744073709551615n }, children: ['/a/'] }]);
    assert.equal(
      text,
      [
        '[',
        '    {',
        '        "subject": "X",',
        '        "properties": [],',
        '        "data": {',
        '            "n": 18446744073709551615',
        '        },',
        '        "children": [',
        '            "/a/"',
        '        ]',
        '    }',
        ']',
      ].join('\n'),
    );
    assert.deepEqual(parseJson(text), [{ subject: 'X', properties: [], data: { n: 18446744073709551615n }, children: ['/a/'] }]);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('Expected an error');
}
