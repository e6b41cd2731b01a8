// `Store.reauthorize` follows the authorization verdict both ways (docs/kernel.md "Unauthorized intentions"):
// membership is not monotone, so a later root op can make a marked intention valid again. Marks set by one
// re-authorization are cleared by the next once the verdict is 'ok', and the store ends with the projection records
// and state hash of a node that never marked them; every intention of the named authors is asked, not only the run
// back from the head; floating and held intentions are covered too.
import { describe, expect, it } from 'vitest';
import { decodeProjection, encodeCounterOp, NativeCounter, type AuthorizeVerdict, type Store } from '../../../host/kernel/index.js';
import { bytesEqual, encodeAppOps, encodeSigned, NodeKey, REJECTION, signIntention, toHex, ZERO_HASH, type Cid, type Hash, type SignedIntention } from '../../../host/model/index.js';
import { seqKey } from '../../../host/storage/index.js';
import { createKernelNode, type KernelNode } from '../../helpers/kernel-node.js';

const mallory = NodeKey.fromSeed(new Uint8Array(32).fill(7));
const bob = NodeKey.fromSeed(new Uint8Array(32).fill(8));
const TYPE = 'test:counter';

/** A hook the test steers: by hash first ('reject-witness' or 'float'), then by author; 'ok' otherwise. */
interface Verdicts {
  hashes: Map<string, AuthorizeVerdict>;
  authors: Map<string, AuthorizeVerdict>;
}
const verdicts = (): Verdicts => ({ hashes: new Map(), authors: new Map() });

async function nodeWith(v: Verdicts): Promise<KernelNode> {
  const authorize = (s: SignedIntention): AuthorizeVerdict => v.hashes.get(toHex(s.hash)) ?? v.authors.get(toHex(s.intention.author)) ?? 'ok';
  return createKernelNode({ openers: { [TYPE]: () => ({ machineFor: (cid: Cid) => new NativeCounter(cid), authorize }) } });
}

function write(store: Store, key: NodeKey, storePrev: Hash, condition: Hash[], wallMs: number, n: number): SignedIntention {
  return signIntention(key, {
    author: key.publicKey, timestamp: { wallMs, counter: 0 }, storeId: store.meta.storeId, storePrev,
    condition: [...condition].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))), ops: encodeAppOps(encodeCounterOp('a', n)),
  });
}

const resultOf = (store: Store, hash: Hash) => store.history({ limit: 100_000 }).find((e) => bytesEqual(e.hash, hash))?.result;
const records = (node: KernelNode, store: Store) =>
  store.history({ limit: 100_000 }).map((e) => {
    const r = decodeProjection(node.env.tables.projection.get(seqKey(store.meta.storeId, e.seq))!);
    return [toHex(e.hash), toHex(r.cid), r.result, toHex(r.writesDigest), toHex(r.stateHash)];
  });

/** A store with genesis on `node` and a replica of it on `other` (same store id). */
async function pair(v1: Verdicts, v2: Verdicts) {
  const n1 = await nodeWith(v1);
  const n2 = await nodeWith(v2);
  const a = await n1.manager.create({ storeType: TYPE, genesis: {} });
  const b = await n2.manager.create({ storeId: a.meta.storeId, storeType: TYPE });
  const genesis = a.info().genesis!;
  await b.ingest([a.getSigned(genesis)!]);
  return { n1, n2, a, b, genesis, t0: a.history()[0]!.hlc.wallMs };
}

describe('Store.reauthorize follows the verdict both ways', () => {
  it('marks set by one re-authorization are cleared by the next: the records and state of a node that never marked them; idempotent; kept by a rebuild', async () => {
    const vb = verdicts();
    const { n1, n2, a, b, genesis, t0 } = await pair(verdicts(), vb);
    const m1 = write(a, mallory, ZERO_HASH, [genesis], t0 + 1, 5);
    const m2 = write(a, mallory, m1.hash, [], t0 + 2, 7);
    const b1 = write(a, bob, ZERO_HASH, [genesis, m2.hash], t0 + 3, 1);
    const items = [m1, m2, b1].map(encodeSigned);
    await a.ingest(items); // never marks anything
    await b.ingest(items);
    expect(toHex(b.stateHash)).toBe(toHex(a.stateHash));

    // A revoke lands on b: mallory's writes are marked and b re-projects.
    vb.authors.set(toHex(mallory.publicKey), 'reject-witness');
    expect(await b.reauthorize([mallory.publicKey])).toBe(2);
    for (const h of [m1.hash, m2.hash]) expect(resultOf(b, h)).toBe(REJECTION.E_UNAUTHORIZED);
    expect(resultOf(b, b1.hash)).toBe(0);
    expect(toHex(b.stateHash)).not.toBe(toHex(a.stateHash));
    expect(b.markedAuthors().map(toHex)).toEqual([toHex(mallory.publicKey)]);

    // A later root op makes them valid again: the second re-authorization clears both marks.
    vb.authors.clear();
    expect(await b.reauthorize([mallory.publicKey, bob.publicKey])).toBe(2);
    expect(records(n2, b)).toEqual(records(n1, a));
    expect(toHex(b.stateHash)).toBe(toHex(a.stateHash));
    expect(b.markedAuthors()).toEqual([]);

    // Idempotent, and a replay (which never asks the hook) keeps it.
    expect(await b.reauthorize([mallory.publicKey])).toBe(0);
    vb.authors.set(toHex(mallory.publicKey), 'reject-witness'); // the hook is not asked by a rebuild
    const rebuilt = await b.rebuild();
    expect(rebuilt.differences).toBe(0);
    expect(records(n2, b)).toEqual(records(n1, a));
    expect(b.verify().records).toBe(b.seq);
  });

  it('a rebuild keeps marks set and cleared in turn, and an undecided verdict leaves a mark as it is', async () => {
    const va = verdicts();
    const vb = verdicts();
    const { a, b, genesis, t0 } = await pair(va, vb);
    const m1 = write(a, mallory, ZERO_HASH, [genesis], t0 + 1, 5);
    const m2 = write(a, mallory, m1.hash, [], t0 + 2, 7);
    va.hashes.set(toHex(m2.hash), 'reject-witness'); // a: m2 rejected from the start
    const items = [m1, m2].map(encodeSigned);
    await a.ingest(items);
    await b.ingest(items);
    vb.authors.set(toHex(mallory.publicKey), 'reject-witness');
    expect(await b.reauthorize([mallory.publicKey])).toBe(2);
    vb.authors.set(toHex(mallory.publicKey), 'float'); // undecided: neither marks nor clears
    expect(await b.reauthorize([mallory.publicKey])).toBe(0);
    expect(resultOf(b, m1.hash)).toBe(REJECTION.E_UNAUTHORIZED);
    vb.authors.clear();
    vb.hashes.set(toHex(m2.hash), 'reject-witness');
    expect(await b.reauthorize([mallory.publicKey])).toBe(1); // m1 cleared, m2 stays
    expect(resultOf(b, m1.hash)).toBe(0);
    expect(resultOf(b, m2.hash)).toBe(REJECTION.E_UNAUTHORIZED);
    expect(toHex(b.stateHash)).toBe(toHex(a.stateHash));
    expect((await b.rebuild()).differences).toBe(0);
    expect(toHex(b.stateHash)).toBe(toHex(a.stateHash));
  });

  it('asks about every intention of the author, not only the run back from its head: a rejected one behind valid ones is marked', async () => {
    const va = verdicts();
    const vb = verdicts();
    const { a, b, genesis, t0 } = await pair(va, vb);
    const m1 = write(a, mallory, ZERO_HASH, [genesis], t0 + 1, 5);
    const m2 = write(a, mallory, m1.hash, [], t0 + 2, 7);
    const m3 = write(a, mallory, m2.hash, [], t0 + 3, 11);
    va.hashes.set(toHex(m2.hash), 'reject-witness'); // say a revoke that lost, behind valid ops of its author
    const items = [m1, m2, m3].map(encodeSigned);
    await a.ingest(items);
    await b.ingest(items);
    expect(resultOf(b, m2.hash)).toBe(0);
    vb.hashes.set(toHex(m2.hash), 'reject-witness');
    expect(await b.reauthorize([mallory.publicKey])).toBe(1);
    expect(resultOf(b, m2.hash)).toBe(REJECTION.E_UNAUTHORIZED);
    expect(resultOf(b, m3.hash)).toBe(0);
    expect(toHex(b.stateHash)).toBe(toHex(a.stateHash));
  });

  it('floating and held intentions: a mark set while floating is cleared before it is witnessed; a held one released as ok is unmarked', async () => {
    const va = verdicts();
    const vb = verdicts();
    const { a, b, genesis, t0 } = await pair(va, vb);
    const m1 = write(a, mallory, ZERO_HASH, [genesis], t0 + 1, 5);
    const m2 = write(a, mallory, m1.hash, [], t0 + 2, 7);
    const p1 = write(a, bob, ZERO_HASH, [genesis], t0 + 3, 1);
    await a.ingest([m1, m2, p1].map(encodeSigned));

    // b: m2 floats on m1 and is marked at ingest; bob is held ('float'), then marked by a re-authorization.
    vb.authors.set(toHex(mallory.publicKey), 'reject-witness');
    vb.authors.set(toHex(bob.publicKey), 'float');
    const r = await b.ingest([m2, p1].map(encodeSigned));
    expect([r.floated, r.held]).toEqual([1, 1]);
    vb.authors.set(toHex(bob.publicKey), 'reject-witness');
    expect(await b.reauthorize([bob.publicKey])).toBe(1); // held, now marked

    // The verdicts turn 'ok': the floating mark is cleared by a re-authorization, the held one by recheckHeld.
    vb.authors.clear();
    expect(await b.reauthorize([mallory.publicKey])).toBe(1);
    expect(await b.recheckHeld()).toBe(1);
    await b.ingest([encodeSigned(m1)]);
    for (const h of [m1.hash, m2.hash, p1.hash]) expect(resultOf(b, h)).toBe(0);
    expect(b.markedAuthors()).toEqual([]);
    expect(toHex(b.stateHash)).toBe(toHex(a.stateHash));
  });
});
