// 256-bit little-endian sums mod 2^256 (state hash accumulator, Negentropy fingerprints), checked against BigInt.
import { describe, expect, it } from 'vitest';
import { addMod256, subMod256 } from '../../../host/model/index.js';
import { prng } from './raw.js';

const MOD = 1n << 256n;
const toBig = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
function fromBig(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = ((n % MOD) + MOD) % MOD;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
const MAX = fromBig(MOD - 1n);
const ONE = fromBig(1n);

describe('u256', () => {
  it('the BigInt helpers are inverse (the reference itself is right)', () => {
    const rand = prng(5);
    for (let k = 0; k < 100; k++) {
      const b = rand.bytes(32);
      expect(fromBig(toBig(b))).toEqual(b);
    }
    expect(toBig(ONE)).toBe(1n);
    expect(toBig(fromBig(256n))).toBe(256n);
  });

  it('add: (2^256 - 1) + 1 wraps to 0', () => {
    const acc = MAX.slice();
    addMod256(acc, ONE);
    expect(acc).toEqual(new Uint8Array(32));
  });

  it('sub: 0 - 1 wraps to 2^256 - 1', () => {
    const acc = new Uint8Array(32);
    subMod256(acc, ONE);
    expect(acc).toEqual(MAX);
  });

  it('add carries through every byte: 0x00ff…ff + 1 = 0x0100…00', () => {
    const acc = fromBig((1n << 248n) - 1n);
    addMod256(acc, ONE);
    expect(toBig(acc)).toBe(1n << 248n);
  });

  it('add matches BigInt mod 2^256 on random operands (and near the top)', () => {
    const rand = prng(17);
    for (let k = 0; k < 3000; k++) {
      const a = k % 3 === 0 ? fromBig(MOD - 1n - BigInt(rand.int(1000))) : rand.bytes(32);
      const b = rand.bytes(32);
      const acc = a.slice();
      addMod256(acc, b);
      expect(toBig(acc)).toBe((toBig(a) + toBig(b)) % MOD);
    }
  });

  it('sub matches BigInt mod 2^256 on random operands (and near zero)', () => {
    const rand = prng(19);
    for (let k = 0; k < 3000; k++) {
      const a = k % 3 === 0 ? fromBig(BigInt(rand.int(1000))) : rand.bytes(32);
      const b = rand.bytes(32);
      const acc = a.slice();
      subMod256(acc, b);
      expect(toBig(acc)).toBe((((toBig(a) - toBig(b)) % MOD) + MOD) % MOD);
    }
  });

  it('sub undoes add, and the sum of a set is the same in any order', () => {
    const rand = prng(23);
    const terms = Array.from({ length: 200 }, () => rand.bytes(32));
    const forward = new Uint8Array(32);
    for (const t of terms) addMod256(forward, t);
    const backward = new Uint8Array(32);
    for (const t of [...terms].reverse()) addMod256(backward, t);
    expect(backward).toEqual(forward);
    expect(toBig(forward)).toBe(terms.reduce((s, t) => (s + toBig(t)) % MOD, 0n));
    for (const t of terms) subMod256(forward, t);
    expect(forward).toEqual(new Uint8Array(32));
  });

  it('leaves the term untouched', () => {
    const term = prng(29).bytes(32);
    const copy = term.slice();
    addMod256(new Uint8Array(32).fill(0xff), term);
    subMod256(new Uint8Array(32), term);
    expect(term).toEqual(copy);
  });
});
