import { describe, expect, it } from 'vitest';
import { COUNTER_STORE_TYPE, encodeCounterArgs, encodeCounterOp } from '../../../host/kernel/index.js';
import { encodeAppOps, toHex } from '../../../host/model/index.js';
import { createKernelNode } from '../../helpers/kernel-node.js';

describe('store basics', () => {
  it('creates, submits, queries, reopens', async () => {
    const node = await createKernelNode();
    const store = await node.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
    expect(store.info().seq).toBe(1);
    expect(store.info().genesis).not.toBeNull();
    const a = await store.submit(encodeAppOps(encodeCounterOp('x', 5)));
    expect(a.intention.condition).toEqual([]); // the creator chains on its own Genesis
    expect(toHex(a.intention.storePrev)).toBe(toHex(store.info().genesis!));
    await store.command({ method: 'increment', args: encodeCounterArgs('x', 2n) });
    const q = store.query({ method: 'get', args: encodeCounterArgs('x') });
    expect(Buffer.from(q.output!).readBigInt64LE(5)).toBe(7n);
    const info = store.info();
    expect(info.seq).toBe(3);
    expect(info.projected).toBe(3);
    const h = store.history();
    expect(h.map((e) => e.result)).toEqual([0, 0, 0]);
    expect(store.verify().records).toBe(3);
    const id = store.meta.storeId;
    await node.manager.closeStore(id);
    const again = await node.manager.open(id);
    expect(toHex(again.stateHash)).toBe(toHex(info.stateHash));
    const b = await again.submit(encodeAppOps(encodeCounterOp('x', 1)));
    expect(toHex(b.intention.storePrev)).toBe(toHex(h.at(-1)!.hash));
  });
});
