// Bad input at the ingest edge: every malformed case is a typed per-item error and changes nothing; duplicates are
// idempotent; an intention for another store is refused; envelope violations are witnessed as rejected and the
// author's chain goes on; malformed or unknown system ops are rejected deterministically; equivocation is evidence.
import { describe, expect, it } from 'vitest';
import { COUNTER_STORE_TYPE, encodeCounterOp, encodeSystemOp, type Store } from '../../../host/kernel/index.js';
import {
  compareBytes, encodeAppOps, encodeIntention, encodeSigned, newStoreId, NodeKey, REJECTION, signIntention, toHex, ZERO_HASH,
  type Hash, type Hlc, type Intention, type SignedIntention,
} from '../../../host/model/index.js';
import { createKernelNode } from '../../helpers/kernel-node.js';

const bob = NodeKey.fromSeed(new Uint8Array(32).fill(9));

async function setup(): Promise<{ store: Store; genesis: { hash: Hash; hlc: Hlc } }> {
  const node = await createKernelNode();
  const store = await node.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
  const g = store.history()[0]!;
  return { store, genesis: { hash: g.hash, hlc: g.hlc } };
}

function intention(store: Store, over: Partial<Intention> & { wallMs?: number }): Intention {
  return {
    author: bob.publicKey, timestamp: { wallMs: over.wallMs ?? Date.now(), counter: 0 }, storeId: store.meta.storeId, storePrev: ZERO_HASH,
    condition: [], ops: encodeAppOps(encodeCounterOp('a', 1)), ...over,
  };
}

function rawSigned(i: Intention, opsOverride?: Uint8Array, depsOverride?: Uint8Array[]): Uint8Array {
  // Hand-built encodings the codec itself would refuse to write (unsorted deps, >1024 deps, oversize ops).
  const deps: readonly Uint8Array[] = depsOverride ?? i.condition;
  const ops = opsOverride ?? i.ops;
  const head = encodeIntention({ ...i, condition: [], ops: new Uint8Array(0) }).subarray(0, 32 + 8 + 4 + 16 + 32 + 1);
  const body = new Uint8Array(head.length + 4 + 32 * deps.length + 4 + ops.length + 64);
  const v = new DataView(body.buffer);
  body.set(head, 0);
  let o = head.length;
  v.setUint32(o, deps.length, true); o += 4;
  for (const d of deps) { body.set(d, o); o += 32; }
  v.setUint32(o, ops.length, true); o += 4;
  body.set(ops, o);
  return body;
}

describe('bad input', () => {
  it('refuses every malformed case with a typed error and changes nothing', async () => {
    const { store, genesis } = await setup();
    const good = encodeSigned(signIntention(bob, intention(store, { condition: [genesis.hash] })));
    const before = store.info();
    const flipSig = new Uint8Array(good); flipSig[flipSig.length - 1]! ^= 1;
    const flipBody = new Uint8Array(good); flipBody[100]! ^= 1;
    const cases: [string, Uint8Array, string][] = [
      ['truncated', good.subarray(0, good.length - 65), 'E_MALFORMED_INTENTION'],
      ['empty', new Uint8Array(0), 'E_MALFORMED_INTENTION'],
      ['trailing bytes', new Uint8Array([...good.subarray(0, good.length - 64), 0, ...good.subarray(good.length - 64)]), 'E_MALFORMED_INTENTION'],
      ['oversize payload', rawSigned(intention(store, {}), new Uint8Array(128 * 1024 + 1)), 'E_PAYLOAD_TOO_LARGE'],
      ['> 1024 deps', rawSigned(intention(store, {}), undefined, Array.from({ length: 1025 }, (_, k) => { const h = new Uint8Array(32); new DataView(h.buffer).setUint32(0, k); return h; })), 'E_TOO_MANY_DEPS'],
      ['unsorted deps', rawSigned(intention(store, {}), undefined, [new Uint8Array(32).fill(2), new Uint8Array(32).fill(1)]), 'E_MALFORMED_INTENTION'],
      ['duplicate deps', rawSigned(intention(store, {}), undefined, [new Uint8Array(32).fill(2), new Uint8Array(32).fill(2)]), 'E_MALFORMED_INTENTION'],
      ['bad signature', flipSig, 'E_BAD_SIGNATURE'],
      ['body flipped under its signature', flipBody, 'E_BAD_SIGNATURE'],
      ['unknown store', encodeSigned(signIntention(bob, { ...intention(store, {}), storeId: newStoreId() })), 'E_UNKNOWN_STORE'],
    ];
    for (const [name, bytes, code] of cases) {
      const r = await store.ingest([bytes]);
      expect(r.errors.map((e) => e.error.code), name).toEqual([code]);
      expect(r.rejected, name).toBe(1);
    }
    // A big batch goes through the worker pool: forgeries are caught there too, each item on its own.
    const batch = Array.from({ length: 100 }, (_, k) => {
      const key = NodeKey.fromSeed(new Uint8Array(32).fill(k + 20));
      return encodeSigned(signIntention(key, { ...intention(store, { condition: [genesis.hash] }), author: key.publicKey }));
    });
    batch[37] = flipSig;
    const r = await store.ingest(batch);
    expect(r.errors.map((e) => [e.index, e.error.code])).toEqual([[37, 'E_BAD_SIGNATURE']]);
    expect(r.witnessed).toBe(99);
    expect(store.info().seq).toBe(before.seq + 99);
    // Duplicates are idempotent.
    const again = await store.ingest([good, good]);
    expect(again.witnessed + again.duplicates).toBe(2);
    expect((await store.ingest([good])).duplicates).toBe(1);
  });

  it('witnesses envelope violations as rejected and keeps the chain going', async () => {
    const { store, genesis } = await setup();
    const first = signIntention(bob, intention(store, { condition: [genesis.hash] }));
    // HLC not above its storePrev's: rejected(E_ENVELOPE), yet it is the author's tip and the next one applies.
    const stale = signIntention(bob, intention(store, { storePrev: first.hash, wallMs: first.intention.timestamp.wallMs }));
    const next = signIntention(bob, intention(store, { storePrev: stale.hash, wallMs: first.intention.timestamp.wallMs + 5 }));
    const r = await store.ingest([first, stale, next].map(encodeSigned));
    expect(r.witnessed).toBe(3);
    const results = store.history().slice(1).map((e) => e.result);
    expect(results).toEqual([0, REJECTION.E_ENVELOPE, 0]);
    // App data without Genesis among its ancestors has no module in force: rejected too, deterministically.
    const carol = NodeKey.generate();
    const orphan = signIntention(carol, { ...intention(store, {}), author: carol.publicKey });
    expect((await store.ingest([encodeSigned(orphan)])).witnessed).toBe(1);
    expect(store.history().at(-1)!.result).toBe(REJECTION.E_ENVELOPE);
  });

  it('rejects malformed and unknown system ops deterministically', async () => {
    const { store } = await setup();
    const bad = [
      encodeSystemOp({ op: 'SetName', name: 'x', extra: 1 }),
      encodeSystemOp({ op: 'SetName' }),
      encodeSystemOp({ op: 'NoSuchOp' }),
      encodeSystemOp({ op: 'Genesis', storeType: COUNTER_STORE_TYPE, cid: new Uint8Array(32), limits: { fuel: 1, memoryPages: 1, depth: 1 } }), // a second genesis
      Uint8Array.of(1, 0x82, 0xa2, 0x6f, 0x70, 0xa1, 0x78, 0xa2, 0x6f, 0x70, 0xa1, 0x79), // {op:'x', op:'y'}: duplicate field
      Uint8Array.of(1, 0xc1),
      Uint8Array.of(1, 0x81, 0xa2, 0x6f, 0x70, 0xa7, ...Buffer.from('SetName'), 0x00), // trailing byte
    ];
    for (const ops of bad) await store.submit(ops);
    expect(store.history().slice(1).map((e) => e.result)).toEqual(bad.map(() => REJECTION.E_MALFORMED_SYSTEM_OP));
    await store.submit(encodeSystemOp({ op: 'SetName', name: 'counter one' }));
    expect(store.history().at(-1)!.result).toBe(0);
    expect(store.info().paused).toBeNull();
  });

  it('pauses on an unknown ops tag, keeps storing, and resumes', async () => {
    const { store, genesis } = await setup();
    const a = signIntention(bob, intention(store, { condition: [genesis.hash], ops: Uint8Array.of(7, 1, 2) }));
    const b = signIntention(bob, intention(store, { storePrev: a.hash, wallMs: a.intention.timestamp.wallMs + 1 }));
    await store.ingest([encodeSigned(a)]);
    expect(store.info().paused?.code).toBe('E_UNSUPPORTED_OP_VERSION');
    await store.ingest([encodeSigned(b)]);
    expect(store.info().seq).toBe(3);
    expect(store.info().projected).toBe(1);
    expect((await store.resume())?.code).toBe('E_UNSUPPORTED_OP_VERSION'); // still unknown to this node
  });

  it('keeps a second intention on one storePrev as evidence and freezes the author at the fork point', async () => {
    const a = await setup();
    const { store, genesis } = a;
    const carol = NodeKey.generate();
    const c1 = signIntention(carol, { ...intention(store, { condition: [genesis.hash] }), author: carol.publicKey });
    const x = signIntention(bob, intention(store, { condition: [genesis.hash] }));
    const x2 = signIntention(bob, intention(store, { storePrev: x.hash, wallMs: x.intention.timestamp.wallMs + 1 }));
    const y = signIntention(bob, intention(store, { condition: [genesis.hash], ops: encodeAppOps(encodeCounterOp('b', 2)) }));
    const r1 = await store.ingest([c1, x, x2].map(encodeSigned));
    expect(r1.witnessed).toBe(3);
    expect(store.history().slice(1).map((e) => e.result)).toEqual([0, 0, 0]);
    const r2 = await store.ingest([encodeSigned(y)]);
    expect(r2.evidence).toBe(1);
    expect(store.has(y.hash)).toBe(true);
    expect(store.isWitnessed(y.hash)).toBe(false);
    expect((await store.ingest([encodeSigned(y)])).duplicates).toBe(1);
    expect([...store.syncItems()].map((i) => toHex(i.hash))).toContain(toHex(y.hash));
    // Bob's intentions after the fork point were re-projected as rejected; carol's write stands.
    expect(store.history().slice(1).map((e) => e.result)).toEqual([0, REJECTION.E_EQUIVOCATION, REJECTION.E_EQUIVOCATION]);
    expect(store.info().equivocators).toEqual([toHex(bob.publicKey)]);
    expect(store.verify().records).toBe(4);
    // Another node that sees the fork the other way round ends with the same state.
    const other = await createKernelNode();
    const replica = await other.manager.create({ storeId: store.meta.storeId, storeType: COUNTER_STORE_TYPE });
    await replica.ingest([store.getSigned(genesis.hash)!, ...[y, x, x2, c1].map(encodeSigned)]);
    expect(toHex(replica.stateHash)).toBe(toHex(store.stateHash));
    expect(replica.info().equivocators).toEqual([toHex(bob.publicKey)]);
  });

  it('refuses local deps that are not witnessed, and sorts the condition', async () => {
    const { store } = await setup();
    await expect(store.submit(encodeAppOps(encodeCounterOp('a', 1)), [new Uint8Array(32).fill(3) as Hash])).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
    const seqBefore = store.info().seq;
    const s: SignedIntention = await store.submit(encodeAppOps(encodeCounterOp('a', 1)), [store.history()[0]!.hash]);
    expect([...s.intention.condition].sort(compareBytes)).toEqual(s.intention.condition);
    expect(store.info().seq).toBe(seqBefore + 1);
  });
});
