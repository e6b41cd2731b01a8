// Floating resolution: whatever order a store's intentions arrive in, the same witnessed set and state hash, and
// nothing witnessed before its deps (storePrev and condition).
import { describe, expect, it } from 'vitest';
import { COUNTER_STORE_TYPE, type Store } from '../../../host/kernel/index.js';
import { decodeSigned, encodeSigned, isZero, NodeKey, toHex, type SignedIntention, type StoreId } from '../../../host/model/index.js';
import { createKernelNode, makeDag, rng, shuffle } from '../../helpers/kernel-node.js';

async function origin(count: number, seed: number, authors = 3): Promise<{ storeId: StoreId; all: SignedIntention[]; stateHash: string }> {
  const a = await createKernelNode();
  const store = await a.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
  const genesis = store.history()[0]!;
  const dag = makeDag({
    storeId: store.meta.storeId, genesis: genesis.hash, genesisHlc: genesis.hlc, count, seed,
    authors: Array.from({ length: authors }, (_, i) => NodeKey.fromSeed(new Uint8Array(32).fill(i + 1 + seed))),
  });
  const r = await store.ingest(dag.map(encodeSigned));
  expect(r.witnessed).toBe(count);
  const all = [decode(store.getSigned(genesis.hash)!), ...dag];
  return { storeId: store.meta.storeId, all, stateHash: toHex(store.stateHash) };
}

const decode = (b: Uint8Array): SignedIntention => decodeSigned(b);

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Every witnessed intention's deps were witnessed at a lower seq. */
function assertCausal(store: Store): void {
  const seqs = new Map<string, number>();
  for (const e of store.history({ limit: 1e6 })) {
    const s = decode(store.getSigned(e.hash)!);
    const deps = [...(isZero(s.intention.storePrev) ? [] : [s.intention.storePrev]), ...s.intention.condition];
    for (const d of deps) {
      const ds = seqs.get(toHex(d));
      expect(ds, `dep ${toHex(d)} of seq ${e.seq}`).toBeDefined();
      expect(ds!).toBeLessThan(e.seq);
    }
    seqs.set(toHex(e.hash), e.seq);
  }
}

async function replica(storeId: StoreId): Promise<Store> {
  const node = await createKernelNode({ durable: false }); // order, not durability, is under test here
  return node.manager.create({ storeId, storeType: COUNTER_STORE_TYPE });
}

const witnessedSet = (s: Store): string[] => s.history({ limit: 1e6 }).map((e) => toHex(e.hash)).sort();

describe('floating intentions', () => {
  it('every permutation of a small store gives the same state and witnessed set', async () => {
    const o = await origin(4, 7, 2);
    const expected = o.all.map((s) => toHex(s.hash)).sort();
    let n = 0;
    for (const order of permutations(o.all)) {
      const store = await replica(o.storeId);
      for (const s of order) await store.ingest([encodeSigned(s)]);
      expect(store.info().floating).toBe(0);
      expect(witnessedSet(store)).toEqual(expected);
      expect(toHex(store.stateHash)).toBe(o.stateHash);
      assertCausal(store);
      n++;
    }
    expect(n).toBe(120);
  });

  it('random orders of a large store, with the missing deps arriving last, converge', async () => {
    const o = await origin(400, 11, 5);
    const expected = o.all.map((s) => toHex(s.hash)).sort();
    for (const seed of [1, 2, 3, 4]) {
      const random = rng(seed);
      const late = new Set(shuffle(o.all, random).slice(0, 10).map((s) => toHex(s.hash)));
      late.add(toHex(o.all[0]!.hash)); // the genesis comes last of all
      const early = shuffle(o.all.filter((s) => !late.has(toHex(s.hash))), random);
      const lateOnes = shuffle(o.all.filter((s) => late.has(toHex(s.hash))), random);
      const store = await replica(o.storeId);
      let i = 0;
      while (i < early.length) {
        const size = 1 + Math.floor(random() * 64);
        const r = await store.ingest(early.slice(i, i + size).map(encodeSigned));
        expect(r.errors).toEqual([]);
        i += size;
      }
      expect(store.info().seq).toBe(0); // nothing can be witnessed before the genesis
      expect(store.info().floating).toBe(early.length);
      for (const s of lateOnes) await store.ingest([encodeSigned(s)]);
      expect(store.info().floating, `seed ${seed}`).toBe(0);
      expect(witnessedSet(store)).toEqual(expected);
      expect(toHex(store.stateHash), `seed ${seed}`).toBe(o.stateHash);
      assertCausal(store);
      // Duplicates are idempotent: witnessed and floating both count as "already have it".
      const again = await store.ingest(o.all.map(encodeSigned));
      expect(again.duplicates).toBe(o.all.length);
      expect(store.info().seq).toBe(o.all.length);
    }
  });

  it('reports the deps it is missing, and a floating intention counts as already had', async () => {
    const o = await origin(5, 3, 1);
    const store = await replica(o.storeId);
    const last = o.all.at(-1)!;
    const r = await store.ingest([encodeSigned(last)]);
    expect(r.floated).toBe(1);
    expect(r.missing.map(toHex)).toContain(toHex(last.intention.storePrev));
    expect(store.has(last.hash)).toBe(true);
    expect(store.isWitnessed(last.hash)).toBe(false);
    expect((await store.ingest([encodeSigned(last)])).duplicates).toBe(1);
  });
});
