// Held intentions: beyond the clock skew (DESIGN §2) or floated by the authorization hook (§6) they are stored and
// count as "already have it", are not witnessed, never drag the clock forward, and are released on re-check.
import { describe, expect, it } from 'vitest';
import { COUNTER_STORE_TYPE, encodeCounterOp, NativeCounter, type AuthorizeVerdict } from '../../../host/kernel/index.js';
import { bytesEqual, encodeAppOps, encodeSigned, MAX_CLOCK_SKEW_MS, NodeKey, signIntention, ZERO_HASH, type Cid } from '../../../host/model/index.js';
import { createKernelNode } from '../../helpers/kernel-node.js';

describe('held intentions', () => {
  it('holds an intention stamped beyond the skew until the clock catches up', async () => {
    let now = 1_800_000_000_000;
    const node = await createKernelNode({ now: () => now });
    const store = await node.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
    const bob = NodeKey.generate();
    const ahead = signIntention(bob, {
      author: bob.publicKey, timestamp: { wallMs: now + MAX_CLOCK_SKEW_MS + 60_000, counter: 0 }, storeId: store.meta.storeId,
      storePrev: ZERO_HASH, condition: [store.info().genesis!], ops: encodeAppOps(encodeCounterOp('a', 1)),
    });
    const r = await store.ingest([encodeSigned(ahead)]);
    expect(r.held).toBe(1);
    expect(store.has(ahead.hash)).toBe(true);
    expect(store.isWitnessed(ahead.hash)).toBe(false);
    const local = await store.submit(encodeAppOps(encodeCounterOp('b', 1)));
    expect(local.intention.timestamp.wallMs).toBe(now); // the held stamp did not drag the clock forward
    expect(await store.recheckHeld()).toBe(0);
    now += 2 * 60_000;
    expect(await store.recheckHeld()).toBe(1);
    expect(store.isWitnessed(ahead.hash)).toBe(true);
  });

  it('floats what the authorization hook holds, rejects what it refuses', async () => {
    const allowed = new Set<string>();
    const mallory = NodeKey.generate();
    const bob = NodeKey.generate();
    const authorize = (s: { intention: { author: Uint8Array } }): AuthorizeVerdict =>
      bytesEqual(s.intention.author, mallory.publicKey) ? 'reject' : allowed.has(Buffer.from(s.intention.author).toString('hex')) ? 'ok' : 'float';
    const node = await createKernelNode({ openers: { t: () => ({ machineFor: (cid: Cid) => new NativeCounter(cid), authorize }) } });
    allowed.add(Buffer.from(node.key.publicKey).toString('hex'));
    const store = await node.manager.create({ storeType: 't', genesis: {} });
    const make = (k: NodeKey) => signIntention(k, {
      author: k.publicKey, timestamp: { wallMs: Date.now() + 1, counter: 0 }, storeId: store.meta.storeId, storePrev: ZERO_HASH,
      condition: [store.info().genesis!], ops: encodeAppOps(encodeCounterOp('a', 1)),
    });
    const r = await store.ingest([encodeSigned(make(bob)), encodeSigned(make(mallory))]);
    expect(r.held).toBe(1);
    expect(r.errors.map((e) => e.error.code)).toEqual(['E_UNAUTHORIZED']);
    expect(await store.recheckHeld()).toBe(0);
    allowed.add(Buffer.from(bob.publicKey).toString('hex'));
    expect(await store.recheckHeld()).toBe(1);
    expect(store.info().seq).toBe(2);
  });
});
