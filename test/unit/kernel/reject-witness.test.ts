// The authorization verdict 'reject-witness' (DESIGN §6, a revoke racing a revoked author's write): the kernel
// stores and witnesses the intention, projects it as rejected(E_UNAUTHORIZED) with no writes, keeps its author's
// chain going and releases what floats on it; `reauthorize` gives a node that applied the write first the same log
// records and state.
import { describe, expect, it } from 'vitest';
import {
  decodeProjection, encodeCounterOp, NativeCounter, writesDigest, type AuthorizeVerdict, type Store,
} from '../../../host/kernel/index.js';
import { bytesEqual, encodeAppOps, encodeSigned, NodeKey, REJECTION, signIntention, toHex, ZERO_HASH, type Cid, type Hash, type SignedIntention } from '../../../host/model/index.js';
import { seqKey } from '../../../host/storage/index.js';
import { createKernelNode, type KernelNode } from '../../helpers/kernel-node.js';

const mallory = NodeKey.fromSeed(new Uint8Array(32).fill(7));
const bob = NodeKey.fromSeed(new Uint8Array(32).fill(8));
const TYPE = 'test:counter';

/** A node whose authorization hook says 'reject-witness' for the authors in `revoked`, 'ok' for everyone else. */
async function nodeWith(revoked: Set<string>, held = new Set<string>()): Promise<KernelNode> {
  const authorize = (s: SignedIntention): AuthorizeVerdict => {
    const a = toHex(s.intention.author);
    return held.has(a) ? 'float' : revoked.has(a) ? 'reject-witness' : 'ok';
  };
  return createKernelNode({ openers: { [TYPE]: () => ({ machineFor: (cid: Cid) => new NativeCounter(cid), authorize }) } });
}

function write(store: Store, key: NodeKey, storePrev: Hash, condition: Hash[], wallMs: number, n = 1): SignedIntention {
  return signIntention(key, {
    author: key.publicKey, timestamp: { wallMs, counter: 0 }, storeId: store.meta.storeId, storePrev,
    condition: [...condition].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))), ops: encodeAppOps(encodeCounterOp('a', n)),
  });
}

const resultOf = (store: Store, hash: Hash) => store.history({ limit: 100_000 }).find((e) => bytesEqual(e.hash, hash))?.result;
const setOf = (store: Store, pick: (result: number | undefined) => boolean) =>
  store.history({ limit: 100_000 }).filter((e) => pick(e.result)).map((e) => toHex(e.hash)).sort();

describe("authorization verdict 'reject-witness'", () => {
  it('witnesses the intention as rejected(E_UNAUTHORIZED), keeps the chain, releases dependents, is idempotent and survives rebuild', async () => {
    const revoked = new Set([toHex(mallory.publicKey)]);
    const node = await nodeWith(revoked);
    const store = await node.manager.create({ storeType: TYPE, genesis: {} });
    const genesis = store.info().genesis!;
    const t0 = store.history()[0]!.hlc.wallMs;
    const m1 = write(store, mallory, ZERO_HASH, [genesis], t0 + 1, 5);
    const m2 = write(store, mallory, m1.hash, [], t0 + 2, 7); // chained on the rejected one
    const b1 = write(store, bob, ZERO_HASH, [genesis, m2.hash], t0 + 3, 1); // a third author's write conditioned on it
    const before = toHex(store.stateHash);

    // Dependents first: b1 and m2 float on what is missing; m2 is marked while it floats.
    const early = await store.ingest([encodeSigned(b1), encodeSigned(m2)]);
    expect(early.floated).toBe(2);
    expect(early.errors.map((e) => [toHex(e.hash!), e.error.code])).toEqual([[toHex(m2.hash), 'E_UNAUTHORIZED']]);
    expect(store.floatingCount()).toBe(2);

    const r = await store.ingest([encodeSigned(m1)]);
    expect(r.witnessed).toBe(3); // m1, and the m2 and b1 it released
    expect(r.rejected).toBe(1);
    expect(r.errors[0]!.error.code).toBe('E_UNAUTHORIZED');
    expect(store.floatingCount()).toBe(0);
    for (const h of [m1.hash, m2.hash, b1.hash]) expect(store.isWitnessed(h)).toBe(true);
    expect(resultOf(store, m1.hash)).toBe(REJECTION.E_UNAUTHORIZED);
    expect(resultOf(store, m2.hash)).toBe(REJECTION.E_UNAUTHORIZED);
    expect(resultOf(store, b1.hash)).toBe(0);
    // The same record a machine's rejection gives: the module in force, no writes.
    const rec = decodeProjection(node.env.tables.projection.get(seqKey(store.meta.storeId, store.seqOf(m1.hash)!))!);
    expect(toHex(rec.cid)).toBe(toHex(store.info().cid));
    expect(toHex(rec.writesDigest)).toBe(toHex(writesDigest([], REJECTION.E_UNAUTHORIZED)));
    // The author's chain is unbroken: m2 is its tip.
    expect(toHex(store.heads().find((h) => bytesEqual(h.author, mallory.publicKey))!.hash)).toBe(toHex(m2.hash));
    // Only bob's +1 moved the state.
    const raw = store.stateReader().get(new TextEncoder().encode('a'))!;
    expect(new DataView(raw.buffer, raw.byteOffset, 8).getBigInt64(0, true)).toBe(1n);
    expect(toHex(store.stateHash)).not.toBe(before);

    // A duplicate changes nothing.
    const seq = store.seq;
    const hash = toHex(store.stateHash);
    const dup = await store.ingest([encodeSigned(m1), encodeSigned(m2)]);
    expect(dup.duplicates).toBe(2);
    expect(dup.rejected).toBe(0);
    expect(store.seq).toBe(seq);
    expect(toHex(store.stateHash)).toBe(hash);

    // A replay gives the same records; it does not consult the hook (the mark is a kernel row).
    revoked.clear();
    const rebuilt = await store.rebuild();
    expect(rebuilt.differences).toBe(0);
    expect(toHex(rebuilt.stateHash)).toBe(hash);
    expect(resultOf(store, m1.hash)).toBe(REJECTION.E_UNAUTHORIZED);
    expect(store.verify().records).toBe(seq);
  });

  it('a node that applied the write first, then re-authorizes, ends with the same log results and state', async () => {
    const revoked = new Set<string>();
    const first = await nodeWith(new Set([toHex(mallory.publicKey)])); // got the revoke first
    const other = await nodeWith(revoked); // got the write first
    const a = await first.manager.create({ storeType: TYPE, genesis: {} });
    const b = await other.manager.create({ storeId: a.meta.storeId, storeType: TYPE });
    const genesis = a.info().genesis!;
    const t0 = a.history()[0]!.hlc.wallMs;
    const m1 = write(a, mallory, ZERO_HASH, [genesis], t0 + 1, 5);
    const m2 = write(a, mallory, m1.hash, [], t0 + 2, 7);
    const b1 = write(a, bob, ZERO_HASH, [genesis, m1.hash], t0 + 3, 1);
    const items = [a.getSigned(genesis)!, ...[m1, m2, b1].map(encodeSigned)];

    await a.ingest(items.slice(1));
    await b.ingest(items);
    expect(resultOf(b, m1.hash)).toBe(0); // applied: the hook said ok then
    expect(toHex(b.stateHash)).not.toBe(toHex(a.stateHash));

    revoked.add(toHex(mallory.publicKey)); // the revoke lands
    expect(await b.reauthorize([mallory.publicKey])).toBe(2);
    expect(toHex(b.stateHash)).toBe(toHex(a.stateHash));
    const rejected = (r: number | undefined) => r !== 0;
    expect(setOf(b, () => true)).toEqual(setOf(a, () => true));
    expect(setOf(b, rejected)).toEqual([m1, m2].map((s) => toHex(s.hash)).sort());
    expect(setOf(b, rejected)).toEqual(setOf(a, rejected));
    expect(setOf(b, (r) => r === 0)).toEqual(setOf(a, (r) => r === 0));
    for (const s of [m1, m2, b1]) {
      const rec = (n: KernelNode, st: Store) => decodeProjection(n.env.tables.projection.get(seqKey(st.meta.storeId, st.seqOf(s.hash)!))!);
      const [ra, rb] = [rec(first, a), rec(other, b)];
      expect([toHex(rb.cid), rb.result, toHex(rb.writesDigest)]).toEqual([toHex(ra.cid), ra.result, toHex(ra.writesDigest)]);
    }
    // Idempotent: nothing new to mark, and a replay keeps it.
    expect(await b.reauthorize([mallory.publicKey])).toBe(0);
    expect((await b.rebuild()).differences).toBe(0);
    expect(toHex(b.stateHash)).toBe(toHex(a.stateHash));
  });

  it('releases a held intention whose verdict became reject-witness, marked', async () => {
    const revoked = new Set<string>();
    const held = new Set([toHex(mallory.publicKey)]);
    const node = await nodeWith(revoked, held);
    const store = await node.manager.create({ storeType: TYPE, genesis: {} });
    const m1 = write(store, mallory, ZERO_HASH, [store.info().genesis!], store.history()[0]!.hlc.wallMs + 1, 5);
    expect((await store.ingest([encodeSigned(m1)])).held).toBe(1);
    const hash = toHex(store.stateHash);
    held.clear();
    revoked.add(toHex(mallory.publicKey));
    expect(await store.recheckHeld()).toBe(1);
    expect(store.isWitnessed(m1.hash)).toBe(true);
    expect(resultOf(store, m1.hash)).toBe(REJECTION.E_UNAUTHORIZED);
    expect(toHex(store.stateHash)).toBe(hash);
  });
});
