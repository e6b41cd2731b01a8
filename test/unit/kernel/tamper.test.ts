// Tampering with the witness chain or stored intentions is detected and names the seq; re-projection reproduces
// the projection records and state hash exactly.
import { describe, expect, it } from 'vitest';
import { COUNTER_STORE_TYPE, encodeCounterOp, encodeSystemOp, type Store } from '../../../host/kernel/index.js';
import { encodeAppOps, isLatticeError, toHex, type StoreId } from '../../../host/model/index.js';
import { seqKey } from '../../../host/storage/index.js';
import { createKernelNode, type KernelNode } from '../../helpers/kernel-node.js';

async function writes(store: Store, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await store.submit(encodeAppOps(encodeCounterOp(`k${i % 3}`, i + 1)));
}

async function build(): Promise<{ node: KernelNode; storeId: StoreId }> {
  const node = await createKernelNode();
  const store = await node.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
  await writes(store, 9); // seqs 1-10
  await node.manager.closeStore(store.meta.storeId);
  await writes(await node.manager.open(store.meta.storeId), 10); // checkpoint at 10; seqs 11-20 after it
  await node.manager.closeStore(store.meta.storeId);
  return { node, storeId: store.meta.storeId };
}

function flip(node: KernelNode, table: 'witnessLog' | 'intentions', key: Uint8Array, at: number): void {
  const t = node.env.tables[table];
  const v = new Uint8Array(t.get(key)!);
  v[at]! ^= 0x01;
  node.env.transaction(() => t.putSync(key, v));
}

async function tamperCode(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; seq: unknown }> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (isLatticeError(e)) return { code: e.code, seq: e.details.seq };
    throw e;
  }
  return { code: 'none', seq: undefined };
}

describe('witness chain tampering', () => {
  it('a byte flipped in a record after the last checkpoint refuses open, naming the seq', async () => {
    for (const [seq, byte] of [[15, 3], [11, 50], [20, 35]] as const) {
      const { node, storeId } = await build();
      flip(node, 'witnessLog', seqKey(storeId, seq), byte);
      expect(await tamperCode(node.manager.open(storeId))).toEqual({ code: 'E_TAMPERED', seq });
    }
  });

  it('a byte flipped in an older record or in an intention fails verify(), naming the seq', async () => {
    const { node, storeId } = await build();
    flip(node, 'witnessLog', seqKey(storeId, 4), 40);
    const store = await node.manager.open(storeId); // before the checkpoint: open does not re-hash it
    expect(await tamperCode(() => store.verify())).toEqual({ code: 'E_TAMPERED', seq: 4 });

    const other = await build();
    const s2 = await other.node.manager.open(other.storeId);
    const hash = s2.history({ from: 7, to: 7 })[0]!.hash;
    expect(s2.verify().records).toBe(20);
    flip(other.node, 'intentions', Buffer.from(hash), 120);
    expect(await tamperCode(() => s2.verify())).toEqual({ code: 'E_TAMPERED', seq: 7 });
  });

  it('a tampered state row fails verify(); rebuild restores it', async () => {
    const { node, storeId } = await build();
    const store = await node.manager.open(storeId);
    const good = toHex(store.stateHash);
    const t = node.env.tables.state;
    const [first] = t.getRange({ start: Buffer.from(storeId), limit: 1 });
    node.env.transaction(() => t.putSync(Buffer.from(first!.key as Uint8Array), new Uint8Array(8).fill(9)));
    expect((await tamperCode(() => store.verify())).code).toBe('E_TAMPERED');
    const r = await store.rebuild();
    expect(toHex(r.stateHash)).toBe(good);
    expect(store.verify().records).toBe(20);
  });
});

describe('re-projection', () => {
  it('rebuild reproduces every projection record and the state hash', async () => {
    const node = await createKernelNode();
    const store = await node.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
    await writes(store, 30);
    await store.submit(encodeSystemOp({ op: 'SetName', name: 'n' }));
    await store.submit(encodeSystemOp({ op: 'Bogus' })); // a rejection is a record too
    await store.submit(encodeSystemOp({ op: 'ModuleUpgrade', cid: new Uint8Array(32).fill(4) }));
    await writes(store, 5);
    const before = store.history({ limit: 1e6 }).map((e) => [e.seq, toHex(e.cid!), e.result, toHex(e.stateHash!)]);
    const hash = toHex(store.stateHash);
    const dry = await store.rebuild({ dryRun: true });
    expect(dry.differences).toBe(0);
    expect(toHex(dry.stateHash)).toBe(hash);
    const r = await store.rebuild();
    expect(r).toMatchObject({ records: before.length, differences: 0 });
    expect(toHex(store.stateHash)).toBe(hash);
    expect(store.history({ limit: 1e6 }).map((e) => [e.seq, toHex(e.cid!), e.result, toHex(e.stateHash!)])).toEqual(before);
    // The upgrade took effect for later writes: their records name the new cid.
    expect(toHex(store.history().at(-1)!.cid!)).toBe('04'.repeat(32));
  });
});
