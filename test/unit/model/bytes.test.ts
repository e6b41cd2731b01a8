// Byte helpers: hex and base32 (RFC 4648, lowercase, unpadded) round trips, comparison, concatenation.
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  compareBytes,
  concatBytes,
  copyBytes,
  fromBase32,
  fromHex,
  fromUtf8,
  toBase32,
  toHex,
  u32le,
  utf8,
} from '../../../host/model/index.js';
import { latticeError, prng } from './raw.js';

describe('hex', () => {
  it('round-trips random bytes of every length 0..300 (seeded) and agrees with Buffer', () => {
    const rand = prng(101);
    for (let n = 0; n <= 300; n++) {
      const b = rand.bytes(n);
      const hex = toHex(b);
      expect(hex).toBe(Buffer.from(b).toString('hex'));
      expect(hex).toMatch(/^[0-9a-f]*$/);
      expect(fromHex(hex)).toEqual(b);
    }
  });

  it('covers every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromHex(toHex(all))).toEqual(all);
    expect(toHex(new Uint8Array([0, 0x0f, 0xf0, 0xff]))).toBe('000ff0ff');
  });

  it('reads upper case', () => {
    expect(fromHex('DEADbeef')).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
  });

  it('an odd length is E_BAD_ARGUMENT', () => {
    latticeError(() => fromHex('abc'), 'E_BAD_ARGUMENT');
  });

  it('a non-hex character is E_BAD_ARGUMENT (Buffer would silently stop there)', () => {
    for (const s of ['zz', '0g', 'ab cd', '0x00', 'éé']) latticeError(() => fromHex(s), 'E_BAD_ARGUMENT');
  });

  it('checks the expected length', () => {
    expect(fromHex('00'.repeat(32), 32)).toHaveLength(32);
    latticeError(() => fromHex('00'.repeat(31), 32), 'E_BAD_ARGUMENT');
    latticeError(() => fromHex('00'.repeat(33), 32), 'E_BAD_ARGUMENT');
  });
});

describe('base32', () => {
  it('RFC 4648 vectors, lower case, unpadded', () => {
    const cases: [string, string][] = [['', ''], ['f', 'my'], ['fo', 'mzxq'], ['foo', 'mzxw6'], ['foob', 'mzxw6yq'], ['fooba', 'mzxw6ytb'], ['foobar', 'mzxw6ytboi']];
    for (const [plain, b32] of cases) {
      expect(toBase32(utf8(plain))).toBe(b32);
      expect(fromUtf8(fromBase32(b32))).toBe(plain);
    }
  });

  it('round-trips random bytes of every length 0..300 (seeded)', () => {
    const rand = prng(103);
    for (let n = 0; n <= 300; n++) {
      const b = rand.bytes(n);
      const text = toBase32(b);
      expect(text).toMatch(/^[a-z2-7]*$/);
      expect(text.length).toBe(Math.ceil((n * 8) / 5));
      expect(fromBase32(text)).toEqual(b);
    }
  });

  it('covers all-zero and all-ones bytes (no sign or carry trouble in long inputs)', () => {
    for (const fill of [0x00, 0xff, 0x80]) {
      const b = new Uint8Array(1000).fill(fill);
      expect(fromBase32(toBase32(b))).toEqual(b);
    }
  });

  it('is case-insensitive', () => {
    const b = prng(107).bytes(40);
    expect(fromBase32(toBase32(b).toUpperCase())).toEqual(b);
  });

  it('a character outside the alphabet is E_BAD_ARGUMENT', () => {
    for (const s of ['my=', 'm1', 'm0', 'm8', 'm y', 'mé']) latticeError(() => fromBase32(s), 'E_BAD_ARGUMENT');
  });
});

describe('compareBytes', () => {
  const cases: [number[], number[], number][] = [
    [[], [], 0],
    [[], [0], -1],
    [[0], [], 1],
    [[1, 2, 3], [1, 2, 3], 0],
    [[1, 2, 3], [1, 2, 4], -1],
    [[1, 2, 4], [1, 2, 3], 1],
    [[1, 2], [1, 2, 0], -1], // a prefix sorts first
    [[0xff], [0x00, 0xff], 1], // unsigned, first byte decides
    [[0x7f], [0x80], -1], // unsigned, not signed bytes
  ];
  for (const [a, b, want] of cases) {
    it(`[${a}] vs [${b}] is ${want}`, () => {
      expect(compareBytes(new Uint8Array(a), new Uint8Array(b))).toBe(want);
    });
  }

  it('agrees with Buffer.compare on random pairs with shared prefixes (seeded)', () => {
    const rand = prng(109);
    for (let k = 0; k < 5000; k++) {
      const a = rand.bytes(rand.int(8));
      const b = rand.int(2) ? concatBytes(a.subarray(0, rand.int(a.length + 1)), rand.bytes(rand.int(4))) : rand.bytes(rand.int(8));
      expect(compareBytes(a, b)).toBe(Buffer.compare(a, b));
      expect(bytesEqual(a, b)).toBe(Buffer.compare(a, b) === 0);
    }
  });
});

describe('other helpers', () => {
  it('concatBytes joins in order', () => {
    expect(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(concatBytes()).toEqual(new Uint8Array(0));
  });

  it('u32le writes little-endian and wraps to u32', () => {
    expect(u32le(0x01020304)).toEqual(new Uint8Array([4, 3, 2, 1]));
    expect(u32le(0xffffffff)).toEqual(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  });

  it('copyBytes owns its buffer', () => {
    const big = new Uint8Array([9, 1, 2, 9]);
    const c = copyBytes(big.subarray(1, 3));
    big.fill(0);
    expect(c).toEqual(new Uint8Array([1, 2]));
    expect(c.buffer.byteLength).toBe(2);
  });

  it('utf8 round-trips', () => {
    expect(fromUtf8(utf8('lattice ✓ 格子'))).toBe('lattice ✓ 格子');
  });
});
