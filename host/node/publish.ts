// `lattice module publish` (DESIGN §4.3, §4.4): lint and store the module, then register it in the mesh's root
// store. A new CID for a type that already has stores is a hot-fix: every store of the type is replayed with it
// first, and the ModuleUpgrades are written only if all are equivalent (all or nothing); else E_HOTFIX_DIVERGES
// with the first divergence. The replays only read the stores; nothing is written before every store has passed, so a
// refusal, or a node stopped mid-replay, leaves every store and the registry on the old module.
import { encodeSystemOp } from '../kernel/index.js';
import { cidToString, DEFAULT_LIMITS, LatticeError, toHex } from '../model/index.js';
import type { PublishResult } from './api.js';
import { replayCheck, type ReplayOptions } from './hotfix.js';
import { checkStoreType } from './module-scaffold.js';
import type { Node } from './node.js';

export interface PublishOptions {
  /** Progress of each store's replay: the store (hex id), seqs replayed, the store's projected seq. */
  onProgress?: (storeId: string, done: number, total: number) => void;
  signal?: AbortSignal;
  /** Seqs per replay batch (hotfix.ts's default unless given). */
  batchSize?: number;
}

export async function publishModule(node: Node, wasm: Uint8Array, storeType: string, mesh?: string, options: PublishOptions = {}): Promise<PublishResult> {
  checkStoreType(storeType);
  const meshId = node.meshId(mesh);
  const { cid } = await node.runtime.publish(wasm, DEFAULT_LIMITS);
  const machine = await node.machines.load(cid);
  node.registerType(storeType);
  const root = await node.store(meshId);
  const current = node.mesh(meshId).module(storeType);
  if (current?.cid === toHex(cid)) return { cid: cidToString(cid), storeType, hotfix: false, verified: true, stores: 0 };

  const stores = [];
  for (const meta of node.manager.list()) {
    if (meta.storeType !== storeType || toHex(meta.meshId) !== toHex(meshId)) continue;
    const store = await node.store(meta.storeId);
    // A replica whose Genesis has not arrived has no history to check and cannot take an upgrade yet; it gets the
    // upgrade by sync, and its node verifies it then (DESIGN §4.4).
    if (store.info().genesis !== null) stores.push(store);
  }
  let intentions = 0;
  const verdicts: Awaited<ReturnType<typeof replayCheck>>[] = [];
  for (const store of stores) {
    const id = toHex(store.meta.storeId);
    const replay: ReplayOptions = {
      ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress!(id, done, total) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    };
    const checked = await replayCheck(node, store, machine, replay);
    const report = checked.report;
    intentions += report.intentions;
    if (!report.equivalent) {
      throw new LatticeError('E_HOTFIX_DIVERGES', `the new module diverges from store ${toHex(store.meta.storeId)}'s history at seq ${String(report.firstDivergence?.['seq'])}: make a new store type and migrate`, {
        cid: cidToString(cid), storeType, storeId: toHex(store.meta.storeId), intentions, firstDivergence: report.firstDivergence,
      });
    }
    verdicts.push(checked);
  }
  // Each store's verdict is cached and attested: this node never replays its own upgrade again (upgrade-gate.ts).
  for (const [k, store] of stores.entries()) await node.upgrades.record(store, cid, verdicts[k]!, 'publish', null);
  for (const store of stores) await store.submit(encodeSystemOp({ op: 'ModuleUpgrade', cid, limits: { ...DEFAULT_LIMITS } }));
  await root.submit(encodeSystemOp({ op: 'ModulePublish', storeType, cid, size: wasm.length }));
  return { cid: cidToString(cid), storeType, hotfix: stores.length > 0, verified: true, stores: stores.length, intentions };
}
