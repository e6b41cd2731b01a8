import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeStrict } from '../../../host/kernel/strict-msgpack.js';
import { decodeKernelOp, decodeSystemOp, encodeSystemOp } from '../../../host/kernel/system-ops.js';

describe('strict msgpack', () => {
  it('round-trips what encodeSystemOp writes', () => {
    const ops = encodeSystemOp({ op: 'Genesis', storeType: 'demo:counter', cid: new Uint8Array(32).fill(3), limits: { fuel: 5_000_000_000, memoryPages: 16, depth: 100 } });
    const k = decodeKernelOp(decodeSystemOp(ops.subarray(1)));
    expect(k).toEqual({ op: 'Genesis', storeType: 'demo:counter', cid: new Uint8Array(32).fill(3), limits: { fuel: 5_000_000_000, memoryPages: 16, depth: 100 } });
  });

  it.each([
    ['float', pack({ op: 'SetName', name: 1.5 })],
    ['duplicate key', Uint8Array.of(0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02)],
    ['non-string key', Uint8Array.of(0x81, 0x01, 0x01)],
    ['trailing', Uint8Array.of(0x01, 0x02)],
    ['truncated string', Uint8Array.of(0xa5, 0x61)],
    ['u64 above 2^53', Uint8Array.of(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)],
    ['ext', Uint8Array.of(0xd4, 0x01, 0x00)],
    ['deep nesting', Uint8Array.from([...Array(20).fill(0x91), 0x01])],
    ['invalid utf-8', Uint8Array.of(0xa1, 0xff)],
  ])('refuses %s', (_name, bytes) => {
    expect(() => decodeStrict(bytes)).toThrow(expect.objectContaining({ code: 'E_MALFORMED_SYSTEM_OP' }));
  });

  it('treats __proto__ as a plain field', () => {
    const v = decodeStrict(Uint8Array.of(0x81, 0xa9, ...Buffer.from('__proto__'), 0x01)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(v['__proto__']).toBe(1);
  });
});
