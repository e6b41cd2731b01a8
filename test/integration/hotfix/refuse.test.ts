// Modules that are not equivalent are refused (DESIGN §4.4): publishing them is E_HOTFIX_DIVERGES with the exact
// first diverging seq, nothing is written, and `moduleReplay` reports the same divergence without publishing. The
// gate compares each intention's result and writesDigest, so a module whose state is always equal but whose write
// set is not (counter-junk) is refused too, and so is a kv whose ties break the other way (kv-reverse-tiebreak): apply
// writes each key's winner, so the first apply that leaves two heads tied at a key's latest HLC writes another one.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, fromHex, LatticeError, parseCid, toHex, type Hash, type Hlc, type StoreId } from '../../../host/model/index.js';
import { readable } from '../../../host/node/hotfix.js';
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

  it('kv-reverse-tiebreak is refused at the first intention whose apply leaves two heads tied at the latest HLC', { timeout: 90_000 }, async () => {
    const { node } = await createNode();
    const { storeId } = await node.storeCreate('core:kvstore', 'kv');
    const store = await node.store(fromHex(storeId, 16) as StoreId);
    // Authors 0-2 write most of the history; 3 and 4 write only the intentions that copy another's HLC (their first
    // write, so their chains' clocks never go back).
    const authors = new Authors(store, 5, 3);
    await addMembers(node, authors.keys);

    // The history, with what the test's own model of the kv needs: each put's key, hash, HLC, author and condition.
    interface Put { key: string; hash: string; hlc: Hlc; author: Uint8Array; condition: string[] }
    const puts: Put[] = [];
    const items: Uint8Array[] = [];
    const heads = new Map<string, Put[]>(); // the heads each writer sees (everything is delivered in this order)
    const put = (a: number, key: string, value: string, o: { supersede?: boolean; sameTime?: Hlc } = {}): Put => {
      const seen = o.supersede === false ? [] : (heads.get(key) ?? []);
      const w = authors.write(store, a, kvPut(key, value), seen.map((h) => ({ hash: fromHex(h.hash, 32) as Hash, hlc: h.hlc })), o.sameTime);
      const p: Put = { key, hash: toHex(w.hash), hlc: w.hlc, author: authors.keys[a]!.publicKey, condition: seen.map((h) => h.hash) };
      heads.set(key, [...(heads.get(key) ?? []).filter((h) => !p.condition.includes(h.hash)), p]);
      puts.push(p);
      items.push(w.bytes);
      return p;
    };
    for (let i = 0; i < 60; i++) put(i % 3, `k${i % 7}`, `v${i}`, { supersede: i % 5 !== 0 }); // some concurrent heads, no HLC ties
    // A tie below the latest HLC: "decoy" has heads at t, t (authors 0 and 3) and a later one; both rules pick the later.
    const decoy = put(0, 'decoy', 'd0', { supersede: false });
    put(1, 'decoy', 'd1', { supersede: false });
    put(3, 'decoy', 'd3', { supersede: false, sameTime: decoy.hlc });
    for (let i = 60; i < 100; i++) put(i % 3, `k${i % 7}`, `v${i}`, { supersede: i % 4 !== 0 });
    // The tie at the latest HLC: "tied" has two heads at t (authors 2 and 4); the rules pick different ones.
    const tied = put(2, 'tied', 't2', { supersede: false });
    const tie = put(4, 'tied', 't4', { supersede: false, sameTime: tied.hlc });
    for (let i = 100; i < 140; i++) put(i % 3, `k${i % 7}`, `v${i}`, { supersede: i % 3 !== 0 });
    // A later write that sees both tied heads resolves the key: the rules agree again.
    put(0, 'tied', 'resolved');
    await ingestAll(store, items);

    // The expected first divergence, from the history alone: replay the heads in seq order and compare the winner of
    // (hlc, author, hash) with the larger author and hash winning (core:kvstore) and with the smaller (the variant).
    const seqOf = (p: Put): number => store.seqOf(fromHex(p.hash, 32) as Hash)!;
    const hlcCmp = (x: Put, y: Put): number => x.hlc.wallMs - y.hlc.wallMs || x.hlc.counter - y.hlc.counter;
    const idCmp = (x: Put, y: Put): number => Buffer.compare(x.author, y.author) || Buffer.compare(Buffer.from(x.hash, 'hex'), Buffer.from(y.hash, 'hex'));
    const winner = (hs: Put[], reversed: boolean): Put =>
      hs.reduce((w, h) => { const c = hlcCmp(h, w) || (reversed ? -idCmp(h, w) : idCmp(h, w)); return c > 0 ? h : w; });
    const model = new Map<string, Put[]>();
    let expected: { seq: number; put: Put; old: Put; new: Put } | null = null;
    for (const p of [...puts].sort((x, y) => seqOf(x) - seqOf(y))) {
      const hs = [...(model.get(p.key) ?? []).filter((h) => !p.condition.includes(h.hash)), p];
      model.set(p.key, hs);
      const [w, r] = [winner(hs, false), winner(hs, true)];
      if (w.hash !== r.hash) {
        expected = { seq: seqOf(p), put: p, old: w, new: r };
        break;
      }
    }
    // The history is deterministic in what matters: the divergence is the "tied" tie, not the decoy.
    expect(expected).not.toBeNull();
    expect(expected!.put.hash).toBe(tie.hash);
    expect(new Set([expected!.old.hash, expected!.new.hash])).toEqual(new Set([tied.hash, tie.hash]));
    expect(expected!.seq).toBeGreaterThan(seqOf(decoy));
    expect(expected!.seq).toBeGreaterThan(100);
    const larger = Buffer.compare(Buffer.from(authors.keys[2]!.publicKey), Buffer.from(authors.keys[4]!.publicKey)) > 0 ? 't2' : 't4';
    expect((await node.storeQuery('kv', 'get', ['tied'])).result).toEqual(['resolved', false]);

    const info = await node.storeInfo('kv');
    const registry = (await node.moduleList()).find((m) => m.storeType === 'core:kvstore')!.cid;
    const refused = await refusal(node, built['kv-reverse-tiebreak']!, 'core:kvstore');
    // Only the winner entry of "tied" differs: both wrote the same head, and name different winning heads.
    const shown = (hash: string): string | null => readable(fromHex(hash, 32)); // how the report shows a winner entry
    expect(refused.firstDivergence).toMatchObject({
      seq: expected!.seq, intention: tie.hash, author: toHex(authors.keys[4]!.publicKey),
      keys: [{ key: 'tied', old: shown(expected!.old.hash), new: shown(expected!.new.hash) }],
      writtenByOneOnly: [],
      result: { old: 'applied', new: 'applied' },
      oldCid: registry,
    });
    expect(expected!.old.hash).toBe(larger === 't2' ? tied.hash : tie.hash);
    expect(refused.intentions).toBe(expected!.seq - 1); // every app intention up to it (seq 1 is the Genesis)
    const replay = await node.moduleReplay('kv', built['kv-reverse-tiebreak']!);
    expect(replay.equivalent).toBe(false);
    expect(replay.firstDivergence).toEqual(refused.firstDivergence);

    // Nothing was written.
    expect(await node.storeInfo('kv')).toMatchObject({ seq: info.seq, stateHash: info.stateHash, cid: info.cid, paused: false });
    expect((await node.moduleList()).find((m) => m.storeType === 'core:kvstore')!.cid).toBe(registry);
  });
});
