// The host codec of the value encoding (DESIGN §4.2): byte layouts, round trips, strict decoding, JSON rendering,
// and CLI-string conversion by a describe() schema with typed error codes.
import { describe, expect, it } from 'vitest';
import { argsFromStrings, callFromStrings, type MethodSchema } from '../../../abi/args.js';
import { decodeArgs, decodeCall, decodeValue, encodeArgs, encodeCall, encodeValue, val, valueToJson, type Value } from '../../../abi/values.js';
import { callFromStrings as typedCall } from '../../../host/node/args.js';
import { isLatticeError } from '../../../host/model/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('value encoding', () => {
  it('lays out tag ‖ u32 LE len ‖ payload for each type', () => {
    expect(hex(encodeValue(val.string('hé')))).toBe('0103000000' + '68c3a9');
    expect(hex(encodeValue(val.bytes(Uint8Array.of(1, 2))))).toBe('02020000000102');
    expect(hex(encodeValue(val.i64(-2)))).toBe('0308000000feffffffffffffff');
    expect(hex(encodeValue(val.u64(2n ** 64n - 1n)))).toBe('0408000000ffffffffffffffff');
    expect(hex(encodeValue(val.bool(true)))).toBe('050100000001');
    expect(hex(encodeValue(val.list([val.bool(false)])))).toBe('060a000000' + '01000000' + '050100000000');
  });

  it('round-trips nested values, args and calls', () => {
    const v: Value = val.list([val.string('k'), val.i64(-(2n ** 63n)), val.list([val.bytes(new Uint8Array(3)), val.u64(7)])]);
    const d = decodeValue(encodeValue(v));
    expect(d.ok && d.value).toEqual(v);
    const args = [val.string('a'), val.bool(false)];
    expect(hex(encodeArgs(args)).slice(0, 4)).toBe('0200');
    const a = decodeArgs(encodeArgs(args));
    expect(a.ok && a.value).toEqual(args);
    const call = encodeCall('get', args);
    expect(hex(call.subarray(0, 5))).toBe('0300676574');
    const c = decodeCall(call);
    expect(c.ok && c.value).toEqual({ method: 'get', args });
  });

  it('refuses truncation, trailing bytes, bad lengths, bad bools, unknown tags and deep nesting', () => {
    const good = encodeValue(val.list([val.string('x'), val.i64(1)]));
    for (let n = 0; n < good.length; n++) expect(decodeValue(good.subarray(0, n)).ok).toBe(false);
    expect(decodeValue(Uint8Array.of(...good, 0)).ok).toBe(false);
    expect(decodeValue(Uint8Array.of(3, 4, 0, 0, 0, 1, 2, 3, 4)).ok).toBe(false);
    expect(decodeValue(Uint8Array.of(5, 1, 0, 0, 0, 2)).ok).toBe(false);
    expect(decodeValue(Uint8Array.of(9, 0, 0, 0, 0)).ok).toBe(false);
    // a list whose count claims more items than its length holds
    expect(decodeValue(Uint8Array.of(6, 4, 0, 0, 0, 1, 0, 0, 0)).ok).toBe(false);
    let deep: Value = val.bool(true);
    for (let i = 0; i < 17; i++) deep = val.list([deep]);
    expect(decodeValue(encodeValue(deep)).ok).toBe(false);
  });

  it('renders JSON: safe integers as numbers, others as strings, bytes as hex', () => {
    expect(valueToJson(val.list([val.i64(-5), val.u64(2n ** 60n), val.bytes(Uint8Array.of(0xab)), val.bool(true), val.string('s')])))
      .toEqual([-5, '1152921504606846976', 'ab', true, 's']);
    expect(valueToJson(val.i64(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });
});

const METHODS: MethodSchema[] = [
  { name: 'increment', kind: 'command', args: [{ name: 'key', type: 'string' }, { name: 'by', type: 'i64', optional: true }], result: 'none' },
  { name: 'batch', kind: 'command', args: [{ name: 'ops', type: 'list<string>' }], result: 'none' },
  { name: 'get', kind: 'query', args: [{ name: 'key', type: 'string' }], result: 'i64' },
  { name: 'raw', kind: 'query', args: [{ name: 'b', type: 'bytes' }, { name: 'flag', type: 'bool' }, { name: 'n', type: 'u64' }], result: 'none' },
];

describe('argsFromStrings / callFromStrings', () => {
  it('converts by the schema, leaving out trailing optionals', () => {
    const r = argsFromStrings(METHODS[0]!.args, ['k', '-3']);
    expect(r.ok && r.values).toEqual([val.string('k'), val.i64(-3)]);
    const s = argsFromStrings(METHODS[0]!.args, ['k']);
    expect(s.ok && s.values).toEqual([val.string('k')]);
    const t = argsFromStrings(METHODS[3]!.args, ['0xab01', 'true', '18446744073709551615']);
    expect(t.ok && t.values).toEqual([val.bytes(Uint8Array.of(0xab, 1)), val.bool(true), val.u64(2n ** 64n - 1n)]);
  });

  it('a trailing list takes the remaining strings, or one JSON array', () => {
    const r = argsFromStrings(METHODS[1]!.args, ['put:a=1', 'del:b']);
    expect(r.ok && r.values).toEqual([val.list([val.string('put:a=1'), val.string('del:b')])]);
    const j = argsFromStrings(METHODS[1]!.args, ['["put:a=1"]']);
    expect(j.ok && j.values).toEqual([val.list([val.string('put:a=1')])]);
  });

  it('names the expected arguments in E_BAD_ARGUMENT', () => {
    for (const bad of [[], ['k', 'x'], ['k', '1', '2'], ['k', '9223372036854775808']]) {
      const r = argsFromStrings(METHODS[0]!.args, bad);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('E_BAD_ARGUMENT');
        expect(r.message).toContain('<key: string> [by: i64]');
      }
    }
    for (const bad of [['zz', 'true', '1'], ['ab', 'yes', '1'], ['ab', 'true', '-1']]) expect(argsFromStrings(METHODS[3]!.args, bad).ok).toBe(false);
  });

  it('E_UNKNOWN_METHOD lists the methods and says when the kind is wrong', () => {
    const r = callFromStrings(METHODS, 'command', 'get', ['k']);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('E_UNKNOWN_METHOD');
      expect(r.message).toContain('get is a query');
      expect(r.message).toContain('increment <key: string> [by: i64]');
    }
    const ok = callFromStrings(METHODS, 'query', 'get', ['k']);
    expect(ok.ok && hex(ok.args)).toBe(hex(encodeArgs([val.string('k')])));
  });

  it('host/node/args.ts throws the typed LatticeError', () => {
    const d = { name: 'x', version: '1', methods: METHODS as never };
    expect(() => typedCall(d, 'command', 'nope', [])).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_METHOD' }));
    try {
      typedCall(d, 'query', 'get', []);
      expect.unreachable();
    } catch (e) {
      expect(isLatticeError(e, 'E_BAD_ARGUMENT')).toBe(true);
    }
    expect(typedCall(d, 'command', 'increment', ['k']).method).toBe('increment');
  });
});
