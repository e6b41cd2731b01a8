// base32 has one spelling per byte string: non-zero padding bits and impossible lengths are refused.
import { describe, expect, it } from 'vitest';
import { fromBase32, toBase32 } from '../../../host/model/index.js';

describe('fromBase32 is canonical', () => {
  it('refuses non-zero padding bits and impossible lengths', () => {
    expect(toBase32(Uint8Array.of(0x66))).toBe('my');
    expect(fromBase32('my')).toEqual(Uint8Array.of(0x66));
    for (const bad of ['mz', 'mzx', 'm']) expect(() => fromBase32(bad)).toThrow(/canonical/);
  });
  it('round-trips every length up to 40 bytes', () => {
    for (let n = 0; n <= 40; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(fromBase32(toBase32(b))).toEqual(b);
    }
  });
});
