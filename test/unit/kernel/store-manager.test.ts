// StoreManager: meta written once, peek without opening, unknown store types typed and the store left untouched;
// module in force per intention (DESIGN §4.4); store-type system-op handlers; onWitnessed.
import { describe, expect, it } from 'vitest';
import {
  checkFields, COUNTER_STORE_TYPE, encodeCounterOp, encodeSystemOp, isText, NativeCounter, type StoreOpener, type SystemOpHandler, type WitnessedEvent,
} from '../../../host/kernel/index.js';
import { encodeAppOps, encodeSigned, NodeKey, REJECTION, signIntention, toHex, type Cid } from '../../../host/model/index.js';
import { createKernelNode } from '../../helpers/kernel-node.js';

const counter: StoreOpener = () => ({ machineFor: (cid: Cid) => new NativeCounter(cid) });

describe('StoreManager', () => {
  it('writes meta once, peeks and lists without opening', async () => {
    const node = await createKernelNode();
    const store = await node.manager.create({ storeType: COUNTER_STORE_TYPE, name: 'c', genesis: {} });
    const id = store.meta.storeId;
    expect(node.manager.peek(id)).toMatchObject({ storeType: COUNTER_STORE_TYPE, name: 'c', schemaVersion: 1 });
    expect(toHex(node.manager.peek(id)!.meshId)).toBe(toHex(id));
    expect(node.manager.list().map((m) => toHex(m.storeId))).toEqual([toHex(id)]);
    await expect(node.manager.create({ storeId: id, storeType: COUNTER_STORE_TYPE })).rejects.toMatchObject({ code: 'E_STORE_EXISTS' });
    await expect(node.manager.open(new Uint8Array(16) as never)).rejects.toMatchObject({ code: 'E_UNKNOWN_STORE' });
  });

  it('an unknown store type is a typed error and leaves the store on disk untouched', async () => {
    const node = await createKernelNode({ keep: true });
    const store = await node.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
    await store.submit(encodeAppOps(encodeCounterOp('a', 3)));
    const id = store.meta.storeId;
    const hash = toHex(store.stateHash);
    await node.close();
    const blind = await createKernelNode({ dir: node.dir, key: node.key, openers: {} });
    await expect(blind.manager.create({ storeType: 'nope:x' })).rejects.toMatchObject({ code: 'E_UNKNOWN_STORE_TYPE' });
    expect(blind.manager.list()).toHaveLength(1); // nothing written for the refused create
    await expect(blind.manager.open(id)).rejects.toMatchObject({ code: 'E_UNKNOWN_STORE_TYPE' });
    expect(blind.manager.peek(id)?.storeType).toBe(COUNTER_STORE_TYPE);
    blind.manager.register(COUNTER_STORE_TYPE, counter);
    const again = await blind.manager.open(id);
    expect(toHex(again.stateHash)).toBe(hash);
    expect(again.verify().records).toBe(2);
  });
});

describe('module in force', () => {
  it('applies each intention with the latest ModuleUpgrade among its ancestors', async () => {
    const node = await createKernelNode();
    const store = await node.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: { cid: new Uint8Array(32).fill(1) as Cid } });
    const genesis = store.info().genesis!;
    const bob = NodeKey.generate();
    // Bob writes concurrently with the upgrade, naming only the genesis: the old module applies it.
    const concurrent = signIntention(bob, {
      author: bob.publicKey, timestamp: { wallMs: Date.now() + 5, counter: 0 }, storeId: store.meta.storeId, storePrev: new Uint8Array(32) as never,
      condition: [genesis], ops: encodeAppOps(encodeCounterOp('b', 1)),
    });
    await store.submit(encodeSystemOp({ op: 'ModuleUpgrade', cid: new Uint8Array(32).fill(2), limits: { fuel: 10, memoryPages: 2, depth: 3 } }));
    await store.ingest([encodeSigned(concurrent)]);
    const after = await store.submit(encodeAppOps(encodeCounterOp('a', 1)));
    const cids = store.history().map((e) => toHex(e.cid!).slice(0, 2));
    expect(cids).toEqual(['01', '02', '01', '02']);
    expect(store.info().cid[0]).toBe(2);
    // Bob's next local-style write must name the upgrade: a node's submit adds it when its head is behind.
    expect(after.intention.condition).toEqual([]); // the creator's own chain already has it
  });

  it('a new author conditions its first write on genesis and the latest upgrade', async () => {
    const a = await createKernelNode();
    const store = await a.manager.create({ storeType: COUNTER_STORE_TYPE, genesis: {} });
    await store.submit(encodeSystemOp({ op: 'ModuleUpgrade', cid: new Uint8Array(32).fill(7) }));
    const b = await createKernelNode();
    const replica = await b.manager.create({ storeId: store.meta.storeId, storeType: COUNTER_STORE_TYPE });
    await replica.ingest(store.witnessedFrom(1, 100));
    const s = await replica.submit(encodeAppOps(encodeCounterOp('x', 1)));
    const expected = [store.info().genesis!, store.history()[1]!.hash].map(toHex).sort();
    expect(s.intention.condition.map(toHex)).toEqual(expected);
    expect(replica.history().at(-1)!.cid![0]).toBe(7);
  });
});

describe('system op handlers and events', () => {
  it('routes a store type\'s own ops to its handler, strictly', async () => {
    const handler: SystemOpHandler = {
      ops: ['Tag'],
      apply(op, _input, system) {
        checkFields(op, { label: isText(16) });
        system.set(`tag:${op.label as string}`, { n: 1 });
        return { code: 0 };
      },
    };
    const node = await createKernelNode({ openers: { t: () => ({ machineFor: (cid: Cid) => new NativeCounter(cid), systemHandlers: [handler] }) } });
    const store = await node.manager.create({ storeType: 't', genesis: {} });
    const events: WitnessedEvent[] = [];
    store.onWitnessed((e) => events.push(...e));
    await store.submit(encodeSystemOp({ op: 'Tag', label: 'x' }));
    await store.submit(encodeSystemOp({ op: 'Tag', label: 'x', more: 1 }));
    await store.submit(encodeSystemOp({ op: 'Tag', label: 'way too long a label' }));
    expect(store.history().slice(1).map((e) => e.result)).toEqual([0, REJECTION.E_MALFORMED_SYSTEM_OP, REJECTION.E_MALFORMED_SYSTEM_OP]);
    expect(events.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(events[0]!.projection?.result).toBe(0);
    // System rows are invisible to the module's StateReader.
    expect(store.stateReader().next(undefined)).toBeUndefined();
  });
});
