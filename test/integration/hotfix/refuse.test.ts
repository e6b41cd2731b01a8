// Modules that are not equivalent are refused (DESIGN §4.4): publishing them is E_HOTFIX_DIVERGES with the exact
// first diverging seq, nothing is written, and `moduleReplay` reports the same divergence without publishing. The
// gate compares each intention's result and writesDigest, so a module whose state is always equal but whose write
// set is not (counter-junk) is refused too; a change that apply never shows (kv-reverse-tiebreak) is beyond it.
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeArgs, val } from '../../../abi/values.js';
import { DEFAULT_LIMITS, fromHex, LatticeError, parseCid, toHex, type StoreId } from '../../../host/model/index.js';
import type { Node } from '../../../host/node/node.js';
import { addMembers, Authors, counterOp, createNode, ingestAll, kvPut, variant } from './helpers.js';

const built: Record<string, Uint8Array> = {};
beforeAll(async () => {
  for (const name of ['counter-double', 'counter-rare', 'counter-junk', 'kv-reverse-tiebreak']) built[name] = await variant(name);
}, 180_000);

const COUNT = 1200;
const RARE_AT = 1000;

/** A counter store of COUNT intentions from 3 remote authors and the node itself; op RARE_AT is on "zzz-rare". */
async function counterStore(node: Node) {
  const { storeId } = await node.storeCreate('demo:counter', 'clicks');
  const store = await node.store(fromHex(storeId, 16) as StoreId);
  const authors = new Authors(store, 3);
  await addMembers(node, authors.keys);
  await node.storeExec('clicks', 'increment', ['first', '3']);
  const items: Uint8Array[] = [];
  const hashes: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const w = authors.write(store, i % 3, counterOp(i === RARE_AT ? 'zzz-rare' : `k${i % 25}`, 1 + (i % 4)));
    items.push(w.bytes);
    hashes.push(toHex(w.hash));
  }
  await ingestAll(store, items, 600);
  const seqOf = (i: number): number => store.seqOf(fromHex(hashes[i]!, 32) as never)!;
  return { store, authors, seqOf, hashes, info: await node.storeInfo('clicks') };
}

async function refusal(node: Node, wasm: Uint8Array, storeType: string): Promise<Record<string, unknown>> {
  const e = await node.modulePublish(wasm, storeType).then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(LatticeError);
  expect((e as LatticeError).code).toBe('E_HOTFIX_DIVERGES');
  return (e as LatticeError).details as Record<string, unknown>;
}

describe('refused hot-fixes', () => {
  it('counter-double, counter-junk and counter-rare are refused at their exact first diverging seq; nothing changes in any store', { timeout: 90_000 }, async () => {
    const { node } = await createNode();
    const { store, seqOf, hashes, info, authors } = await counterStore(node);
    const registry = (await node.moduleList()).find((m) => m.storeType === 'demo:counter')!.cid;
    const firstApp = 2; // seq 1 is the Genesis; seq 2 the node's own increment of "first" by 3

    // counts by 2: diverges at the first increment, "first" 3 → 6.
    const double = await refusal(node, built['counter-double']!, 'demo:counter');
    expect(double.firstDivergence).toMatchObject({
      seq: firstApp, author: toHex(node.key.publicKey),
      keys: [{ key: 'first', old: '<0300000000000000> (i64 3)', new: '<0600000000000000> (i64 6)' }],
      result: { old: 'applied', new: 'applied' },
      oldCid: registry,
    });
    const fuel = (double.firstDivergence as { fuel: { old: number; new: number } }).fuel;
    expect(fuel.old).toBeGreaterThan(0);
    expect(fuel.new).toBeGreaterThan(0);
    expect(double.intentions).toBe(1);

    // Same values everywhere, different write set: the only difference is a delete of "~junk" that only it wrote.
    const junk = await refusal(node, built['counter-junk']!, 'demo:counter');
    expect(junk.firstDivergence).toMatchObject({
      seq: firstApp, keys: [], writtenByOneOnly: [{ key: '~junk', by: 'new', value: null }],
      result: { old: 'applied', new: 'applied' },
      writes: { old: [{ key: 'first', value: '<0300000000000000> (i64 3)' }], new: [{ key: 'first', value: '<0300000000000000> (i64 3)' }, { key: '~junk', value: 'deleted' }] },
    });

    // A second store of the type, listed first (its id sorts first) and clean of "zzz-rare": it replays equal, and
    // is still not upgraded when the next store refuses (all or nothing).
    const clean = await node.manager.create({
      storeId: new Uint8Array(16) as StoreId, storeType: 'demo:counter', meshId: node.meshId(), genesis: { cid: parseCid(registry), limits: DEFAULT_LIMITS },
    });
    const cleanAuthors = new Authors(clean, 2, 11);
    await addMembers(node, cleanAuthors.keys);
    await ingestAll(clean, Array.from({ length: 30 }, (_, i) => cleanAuthors.write(clean, i % 2, counterOp(`c${i % 3}`, 1)).bytes));
    const cleanBefore = clean.info();
    expect(node.manager.list().filter((m) => m.storeType === 'demo:counter').map((m) => toHex(m.storeId))[0]).toBe(toHex(clean.meta.storeId));

    // differs only on key "zzz-rare", deep in the history.
    const rare = await refusal(node, built['counter-rare']!, 'demo:counter');
    const rareSeq = seqOf(RARE_AT);
    expect(rareSeq).toBeGreaterThan(1000);
    expect(rare.firstDivergence).toMatchObject({
      seq: rareSeq, intention: hashes[RARE_AT], author: toHex(authors.keys[RARE_AT % 3]!.publicKey),
      keys: [{ key: 'zzz-rare', old: expect.stringContaining(`(i64 ${1 + (RARE_AT % 4)})`), new: expect.stringContaining(`(i64 ${2 + (RARE_AT % 4)})`) }],
      result: { old: 'applied', new: 'applied' },
    });
    expect(rare.storeId).toBe(toHex(store.meta.storeId));
    expect(rare.intentions).toBe(30 + rareSeq - 1); // the clean store's, then every app intention before it
    expect(clean.info()).toMatchObject({ seq: cleanBefore.seq, cid: cleanBefore.cid });
    expect(clean.stateHash).toEqual(cleanBefore.stateHash);
    // The same check without publishing gives the same first divergence.
    const replay = await node.moduleReplay('clicks', built['counter-rare']!);
    expect(replay.equivalent).toBe(false);
    expect(replay.firstDivergence).toEqual(rare.firstDivergence);

    // Nothing was written: the store, its module and the registry are as before.
    const after = await node.storeInfo('clicks');
    expect(after).toMatchObject({ seq: info.seq, stateHash: info.stateHash, cid: info.cid, paused: false });
    expect((await node.moduleList()).find((m) => m.storeType === 'demo:counter')!.cid).toBe(registry);
  });

  it('the gate sees only apply: a kv whose ties break the other way at read time passes it, though get answers differently', { timeout: 60_000 }, async () => {
    const { node } = await createNode();
    const { storeId } = await node.storeCreate('core:kvstore', 'kv');
    const store = await node.store(fromHex(storeId, 16) as StoreId);
    const authors = new Authors(store, 2, 3);
    await addMembers(node, authors.keys);
    // Two concurrent puts of "x" with the same HLC: the winner is decided by author alone.
    const first = authors.write(store, 0, kvPut('x', 'from-0'));
    const tie = authors.write(store, 1, kvPut('x', 'from-1'), [], first.hlc);
    await ingestAll(store, [first.bytes, tie.bytes, authors.write(store, 0, kvPut('y', 'plain')).bytes]);
    const larger = Buffer.compare(Buffer.from(authors.keys[0]!.publicKey), Buffer.from(authors.keys[1]!.publicKey)) > 0 ? 'from-0' : 'from-1';
    const smaller = larger === 'from-0' ? 'from-1' : 'from-0';
    expect((await node.storeQuery('kv', 'get', ['x'])).result).toEqual([larger, true]);

    const wasm = built['kv-reverse-tiebreak']!;
    expect(await node.moduleReplay('kv', wasm)).toEqual({ equivalent: true, intentions: 3, firstDivergence: null });
    const { cid } = await node.runtime.publish(wasm, DEFAULT_LIMITS);
    const reverse = await node.machines.load(cid);
    const out = reverse.query({ method: 'get', args: encodeArgs([val.string('x')]) }, store.stateReader()).output!;
    expect(Buffer.from(out).includes(Buffer.from(smaller))).toBe(true);
    expect(Buffer.from(out).includes(Buffer.from(larger))).toBe(false);
  });
});
