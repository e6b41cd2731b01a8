// Property tests: random sets with 0-100% overlap, random timestamp shapes and frame limits always reach the exact
// have/need sets, every message within its frame limit, and the tree's shape never changes the bytes.
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../host/model/bytes.js';
import { buildTree, prng, randomId, randomTimestamp, runSession, shuffle, type Item, type TimestampStyle } from './sync-test-utils.js';

interface Split {
  a: Item[];
  b: Item[];
  onlyA: Set<string>;
  onlyB: Set<string>;
}

function randomSplit(seed: number, n: number, overlap: number, style: TimestampStyle): Split {
  const rand = prng(seed);
  const s: Split = { a: [], b: [], onlyA: new Set(), onlyB: new Set() };
  for (let i = 0; i < n; i++) {
    const item = { timestamp: randomTimestamp(rand, style, i), id: randomId(rand) };
    if (rand() < overlap) {
      s.a.push(item);
      s.b.push(item);
    } else if (rand() < 0.5) {
      s.a.push(item);
      s.onlyA.add(toHex(item.id));
    } else {
      s.b.push(item);
      s.onlyB.add(toHex(item.id));
    }
  }
  return s;
}

describe('negentropy reconciliation properties', () => {
  const overlaps = [0, 0.1, 0.5, 0.9, 0.99, 1];
  const styles: TimestampStyle[] = ['hlc', 'u64', 'same'];
  const limits: [number, number][] = [[0, 0], [4096, 4096], [0, 4096], [4096, 0], [10_000, 6000]];
  let seed = 1;
  for (const overlap of overlaps) {
    it(`${overlap * 100}% overlap: exact have/need for random sizes, timestamp styles and frame limits`, () => {
      for (const style of styles) {
        for (const [la, lb] of limits) {
          const n = Math.floor(prng(seed)() * 2500);
          const s = randomSplit(seed++, n, overlap, style);
          const r = runSession(buildTree(s.a), buildTree(s.b), la, lb);
          expect(r.have, `seed ${seed - 1}`).toEqual(s.onlyA);
          expect(r.need, `seed ${seed - 1}`).toEqual(s.onlyB);
        }
      }
    });
  }

  it('handles empty sides and tiny sets', () => {
    for (const [na, nb] of [[0, 0], [0, 1], [1, 0], [31, 0], [32, 0], [0, 33], [1, 1]] as const) {
      const rand = prng(na * 100 + nb);
      const a = Array.from({ length: na }, (_, i) => ({ timestamp: randomTimestamp(rand, 'hlc', i), id: randomId(rand) }));
      const b = Array.from({ length: nb }, (_, i) => ({ timestamp: randomTimestamp(rand, 'hlc', i), id: randomId(rand) }));
      const r = runSession(buildTree(a), buildTree(b));
      expect(r.have).toEqual(new Set(a.map((x) => toHex(x.id))));
      expect(r.need).toEqual(new Set(b.map((x) => toHex(x.id))));
    }
  });

  it('a bulk-built and an incrementally built tree of the same items send the same bytes', () => {
    const s = randomSplit(77, 6000, 0.8, 'hlc');
    const shuffled = shuffle(s.a, 5);
    expect(shuffled.map((x) => toHex(x.id))).not.toEqual(s.a.map((x) => toHex(x.id)));
    const bulk = runSession(buildTree(s.a), buildTree(s.b), 4096, 4096);
    const incremental = runSession(buildTree(shuffled, 'incremental'), buildTree(s.b, 'incremental'), 4096, 4096);
    expect(incremental.messages).toEqual(bulk.messages);
  });

  it('converges in few rounds on a large set with a small difference', () => {
    const s = randomSplit(9, 20_000, 0.999, 'hlc');
    const r = runSession(buildTree(s.a), buildTree(s.b));
    expect(r.have).toEqual(s.onlyA);
    expect(r.need).toEqual(s.onlyB);
    expect(r.rounds).toBeLessThanOrEqual(4);
  });
});
