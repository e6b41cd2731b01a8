// BLAKE3-256 behind host/model/hash.ts: the reference value, parts = concatenation, fresh output arrays.
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { describe, expect, it } from 'vitest';
import { blake3, concatBytes, toHex } from '../../../host/model/index.js';
import { prng } from './raw.js';

describe('blake3', () => {
  it('BLAKE3("") is the reference value', () => {
    expect(toHex(blake3(new Uint8Array(0)))).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  });

  it('agrees with @noble/hashes on random inputs across chunk boundaries (seeded)', () => {
    const rand = prng(41);
    for (const n of [1, 63, 64, 65, 1023, 1024, 1025, 2048, 4097, 65_536, 131_072 + 131]) {
      const b = rand.bytes(n);
      expect(toHex(blake3(b))).toBe(toHex(nobleBlake3(b)));
    }
  });

  it('hashing parts equals hashing their concatenation', () => {
    const rand = prng(43);
    const parts = [rand.bytes(10), new Uint8Array(0), rand.bytes(1000), rand.bytes(3)];
    expect(blake3(...parts)).toEqual(blake3(concatBytes(...parts)));
  });

  it('returns a fresh 32-byte array each call (a later hash does not overwrite an earlier one)', () => {
    const a = blake3(new Uint8Array([1]));
    const copy = a.slice();
    const b = blake3(new Uint8Array([2]));
    expect(a).toEqual(copy);
    expect(a).toHaveLength(32);
    expect(b).not.toEqual(a);
  });
});
