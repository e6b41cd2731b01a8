// The accumulator tree against a sorted-array oracle: order, lower bounds and range fingerprints (naive
// mod-2^256 byte sums from host/model's addMod256), for bulk builds, random inserts and appends.
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { compareBytes, concatBytes, toHex } from '../../../host/model/bytes.js';
import { isLatticeError } from '../../../host/model/errors.js';
import { addMod256 } from '../../../host/model/u256.js';
import { Negentropy } from '../../../host/sync/negentropy.js';
import { NegentropyTree } from '../../../host/sync/negentropy-tree.js';
import { ByteWriter } from '../../../host/sync/wire.js';
import { prng, randomId, randomTimestamp, shuffle, type Item } from './sync-test-utils.js';

const cmp = (x: Item, y: Item): number => (x.timestamp !== y.timestamp ? (x.timestamp < y.timestamp ? -1 : 1) : compareBytes(x.id, y.id));

/** The spec's fingerprint, computed the slow way. */
function naiveFingerprint(items: Item[]): string {
  const acc = new Uint8Array(32);
  for (const it of items) addMod256(acc, it.id);
  const w = new ByteWriter();
  w.varint(items.length);
  return toHex(sha256(concatBytes(acc, w.toBytes())).subarray(0, 16));
}

function checkAgainstOracle(tree: NegentropyTree, sorted: Item[], seed: number): void {
  const rand = prng(seed);
  expect(tree.size()).toBe(sorted.length);
  for (let i = 0; i < sorted.length; i += Math.max(1, Math.floor(sorted.length / 500))) {
    const it = tree.itemAt(i);
    expect(it.timestamp).toBe(sorted[i]!.timestamp);
    expect(toHex(it.id)).toBe(toHex(sorted[i]!.id));
  }
  for (let k = 0; k < 60; k++) {
    const a = Math.floor(rand() * (sorted.length + 1));
    const b = a + Math.floor(rand() * (sorted.length + 1 - a));
    expect(toHex(tree.fingerprint(a, b)), `[${a}, ${b})`).toBe(naiveFingerprint(sorted.slice(a, b)));
    // lower bound of an existing item is its index; of a key just past it, the next index
    if (a < sorted.length) {
      const s = sorted[a]!;
      const hi = Number(s.timestamp >> 32n);
      const lo = Number(s.timestamp & 0xffffffffn);
      expect(tree.lowerBound(hi, lo, s.id)).toBe(a);
      const past = s.id.slice();
      let j = 31;
      while (j >= 0 && past[j] === 255) past[j--] = 0;
      if (j >= 0) {
        past[j]!++;
        expect(tree.lowerBound(hi, lo, past)).toBe(a + 1);
      }
    }
  }
}

function items(seed: number, n: number, style: 'hlc' | 'u64' | 'same'): Item[] {
  const rand = prng(seed);
  return Array.from({ length: n }, (_, i) => ({ timestamp: randomTimestamp(rand, style, i), id: randomId(rand) }));
}

describe('NegentropyTree', () => {
  for (const n of [0, 1, 63, 64, 65, 2048, 2049, 70_000]) {
    it(`bulk build of ${n} items matches the oracle`, () => {
      const xs = items(n, n, 'hlc');
      const t = new NegentropyTree();
      for (const x of xs) t.insert(x.timestamp, x.id);
      t.seal();
      checkAgainstOracle(t, [...xs].sort(cmp), n + 1);
    });
  }

  for (const style of ['hlc', 'u64', 'same'] as const) {
    it(`random-order inserts after seal (${style} timestamps) keep order, counts and sums`, () => {
      const xs = items(3, 12_000, style);
      const t = new NegentropyTree().seal();
      for (const x of shuffle(xs, 4)) expect(t.insert(x.timestamp, x.id)).toBe(true);
      checkAgainstOracle(t, [...xs].sort(cmp), 5);
    });
  }

  it('mixes a bulk build with later appends and inserts in the middle; duplicates are refused', () => {
    const xs = items(8, 9000, 'hlc').sort(cmp);
    const t = new NegentropyTree();
    for (const x of xs.slice(0, 6000)) t.insert(x.timestamp, x.id);
    t.insert(xs[0]!.timestamp, xs[0]!.id); // a duplicate before seal is dropped at seal
    t.seal();
    expect(t.size()).toBe(6000);
    for (const x of shuffle(xs.slice(6000), 9)) t.insert(x.timestamp, x.id);
    const extra = items(10, 3000, 'hlc');
    for (const x of extra) t.insert(x.timestamp, x.id);
    expect(t.insert(xs[17]!.timestamp, xs[17]!.id)).toBe(false);
    checkAgainstOracle(t, [...xs, ...extra].sort(cmp), 11);
  });

  it('appends keep leaves packed: about 40 bytes of index per item', () => {
    const t = new NegentropyTree().seal();
    const rand = prng(12);
    for (let i = 0; i < 50_000; i++) t.insert(1_763_900_000_000 + i, randomId(rand));
    expect(t.indexBytes() / t.size()).toBeLessThan(52); // slab growth slack included
    const bulk = new NegentropyTree();
    for (let i = 0; i < 50_000; i++) bulk.insert(1_763_900_000_000 + i, randomId(rand));
    bulk.seal();
    expect(bulk.indexBytes() / bulk.size()).toBeLessThan(42);
  });

  it('rejects bad ids and timestamps with typed errors', () => {
    const t = new NegentropyTree();
    const bad: [unknown, Uint8Array][] = [
      [0, new Uint8Array(31)],
      [-1, new Uint8Array(32)],
      [1.5, new Uint8Array(32)],
      [2 ** 53, new Uint8Array(32)],
      [2n ** 64n - 1n, new Uint8Array(32)],
      [-1n, new Uint8Array(32)],
    ];
    for (const [ts, id] of bad) {
      try {
        t.insert(ts as number, id);
        expect.unreachable(`accepted ${String(ts)}`);
      } catch (e) {
        expect(isLatticeError(e, 'E_BAD_ARGUMENT')).toBe(true);
      }
    }
    expect(() => new Negentropy(t)).toThrow(/sealed/);
    expect(() => t.fingerprint(0, 0)).toThrow(/not sealed/);
    t.seal();
    expect(() => t.fingerprint(0, 1)).toThrow(/bad negentropy range/);
  });
});
