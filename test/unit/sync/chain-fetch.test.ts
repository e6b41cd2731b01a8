// FetchChain core: which hashes a receiver asks for, and how a responder walks back (bounded, ancestors first).
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../host/model/bytes.js';
import { isLatticeError } from '../../../host/model/errors.js';
import { ZERO_HASH, type Hash } from '../../../host/model/ids.js';
import { hashesToRequest, walkChain, type ChainLink } from '../../../host/sync/chain-fetch.js';

const h = (n: number): Hash => {
  const b = new Uint8Array(32);
  new DataView(b.buffer).setUint32(28, n + 1);
  return b as Hash;
};
const name = (x: Hash): number => new DataView(x.buffer, x.byteOffset).getUint32(28) - 1;
const link = (n: number, prev: number | null, deps: number[] = []): ChainLink => ({
  hash: h(n),
  storePrev: prev === null ? ZERO_HASH : h(prev),
  condition: deps.map(h),
});

function store(links: ChainLink[]): (x: Hash) => ChainLink | undefined {
  const m = new Map(links.map((l) => [toHex(l.hash), l]));
  return (x) => m.get(toHex(x));
}
const set = (ns: number[]): ((x: Hash) => boolean) => (x) => ns.includes(name(x));

/** Every link's predecessors that are in the result come before it. */
function expectAncestorsFirst(links: ChainLink[]): void {
  const pos = new Map(links.map((l, i) => [toHex(l.hash), i]));
  links.forEach((l, i) => {
    for (const p of [l.storePrev, ...l.condition]) {
      const j = pos.get(toHex(p));
      if (j !== undefined) expect(j).toBeLessThan(i);
    }
  });
}

// chain 0 <- 1 <- ... <- 9 (storePrev); 10 and 11 branch from 3 and 5; 12 depends on 9, 10, 11
const dag = [
  ...Array.from({ length: 10 }, (_, i) => link(i, i === 0 ? null : i - 1)),
  link(10, 3),
  link(11, 5, [10]),
  link(12, 9, [10, 11]),
];

describe('hashesToRequest (receiver)', () => {
  const table: { title: string; received: ChainLink[]; known: number[]; asked?: number[]; max?: number; want: number[] }[] = [
    { title: 'storePrev unknown', received: [link(4, 3)], known: [0, 1, 2], want: [3] },
    { title: 'storePrev known', received: [link(4, 3)], known: [3], want: [] },
    { title: 'first intention of an author (ZERO_HASH) asks nothing', received: [link(0, null)], known: [], want: [] },
    { title: 'deps too, in order of mention, deduplicated', received: [link(12, 9, [10, 11]), link(13, 9, [11])], known: [], want: [9, 10, 11] },
    { title: 'predecessors inside the batch are not asked', received: [link(5, 4), link(4, 3)], known: [], want: [3] },
    { title: 'hashes asked before are not asked again', received: [link(12, 9, [10, 11])], known: [], asked: [9, 11], want: [10] },
    { title: 'bounded by max', received: [link(12, 9, [10, 11])], known: [], max: 2, want: [9, 10] },
  ];
  for (const c of table) {
    it(c.title, () => {
      const asked = c.asked ? new Set(c.asked.map((n) => toHex(h(n)))) : undefined;
      expect(hashesToRequest(c.received, set(c.known), { asked, max: c.max }).map(name)).toEqual(c.want);
    });
  }
});

describe('walkChain (responder)', () => {
  const lookup = store(dag);
  const table: { title: string; requested: number[]; stopAt?: number[]; limit?: number; links: number[]; frontier?: number[]; unknown?: number[] }[] = [
    { title: 'walks a storePrev chain back to the receiver\'s known hash', requested: [8], stopAt: [5], links: [6, 7, 8] },
    { title: 'walks to the author\'s first intention without a stop', requested: [2], links: [0, 1, 2] },
    { title: 'follows deps: a diamond arrives ancestors first', requested: [12], stopAt: [3, 4], links: [10, 5, 6, 7, 8, 9, 11, 12].sort((a, b) => a - b) },
    { title: 'bounded: the nearest links, the rest as frontier', requested: [9], limit: 3, links: [7, 8, 9], frontier: [6] },
    { title: 'a hash this side does not hold is reported unknown', requested: [99, 2], stopAt: [1], links: [2], unknown: [99] },
    { title: 'limit 0 walks nothing', requested: [9], limit: 0, links: [], frontier: [9] },
  ];
  for (const c of table) {
    it(c.title, () => {
      const r = walkChain(c.requested.map(h), lookup, { limit: c.limit, stopAt: c.stopAt ? set(c.stopAt) : undefined });
      expect(r.links.map((l) => name(l.hash)).sort((a, b) => a - b)).toEqual(c.links);
      expectAncestorsFirst(r.links);
      expect(r.frontier.map(name)).toEqual(c.frontier ?? []);
      expect(r.unknown.map(name)).toEqual(c.unknown ?? []);
    });
  }

  it('receiver and responder together recover a whole gap in bounded rounds', () => {
    const known = new Set([0, 1, 2, 3].map((n) => toHex(h(n))));
    const isKnown = (x: Hash): boolean => known.has(toHex(x));
    const asked = new Set<string>();
    let want = hashesToRequest([dag[12]!], isKnown, { asked });
    let rounds = 0;
    while (want.length > 0) {
      for (const x of want) asked.add(toHex(x));
      const r = walkChain(want, lookup, { limit: 2, stopAt: isKnown });
      for (const l of r.links) known.add(toHex(l.hash));
      want = [...r.frontier.filter((x) => !isKnown(x)), ...hashesToRequest(r.links, isKnown, { asked })];
      want = want.filter((x, i) => want.findIndex((y) => toHex(y) === toHex(x)) === i);
      expect(++rounds).toBeLessThan(20);
    }
    for (let n = 0; n < 12; n++) expect(known.has(toHex(h(n))), `has ${n}`).toBe(true);
  });

  it('a 20,000-link chain needs no recursion', () => {
    const long = Array.from({ length: 20_000 }, (_, i) => link(i, i === 0 ? null : i - 1));
    const r = walkChain([h(19_999)], store(long), { limit: 20_000 });
    expect(r.links.length).toBe(20_000);
    expect(name(r.links[0]!.hash)).toBe(0);
    expect(name(r.links[19_999]!.hash)).toBe(19_999);
  });

  it('typed errors for a bad limit and a lookup that returns the wrong link', () => {
    expect(() => walkChain([h(1)], lookup, { limit: -1 })).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
    try {
      walkChain([h(1)], () => dag[5]);
      expect.unreachable();
    } catch (e) {
      expect(isLatticeError(e, 'E_HOST_FAULT')).toBe(true);
    }
  });
});
