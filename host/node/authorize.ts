// Authorization by mesh membership (DESIGN §6), decided from the root store's history so every node decides the
// same whatever the arrival order: an author with a known PeerAdd is valid; one with no PeerAdd yet floats until
// it arrives (the node rechecks held intentions when the root store changes); a revoked author is valid up to the
// last valid tip its PeerRevoke names for this store, and after it its intentions are witnessed as rejected
// (E_UNAUTHORIZED, the kernel's 'reject-witness'), so every node holds them and releases what depends on them. A
// revoke that lands after this node applied such intentions marks them the same way and re-projects the store
// (`reauthorizeRevoked`, called by network.ts), so both delivery orders end with the same log and the same state.
import type { AuthorizeVerdict, StateMachine, StoreMeta } from '../kernel/index.js';
import { bytesEqual, fromHex, isZero, REJECTION, toHex, type Hash, type NodeId, type SignedIntention, type StoreId } from '../model/index.js';
import type { MeshView } from './mesh.js';
import type { Node } from './node.js';
import { ROOT_STORE_TYPE } from './root-store.js';

const STORE_PREV = 60; // author 32 ‖ wallMs 8 ‖ counter 4 ‖ storeId 16
const MAX_WALK = 1_000_000;

// Mesh views read live tables; once the root store's genesis (its creator) is known a view stays valid, so it is
// built once per mesh instead of per intention (building one reads the root store's info).
const views = new WeakMap<Node, Map<string, MeshView>>();

export function meshViewOf(node: Node, meshId: StoreId): MeshView | undefined {
  let byMesh = views.get(node);
  if (!byMesh) views.set(node, (byMesh = new Map()));
  const cached = byMesh.get(toHex(meshId));
  if (cached) return cached;
  const root = node.openedStore(meshId);
  if (!root || root.seq === 0 || root.info().genesis === null) return undefined;
  const view = node.mesh(meshId);
  byMesh.set(toHex(meshId), view);
  return view;
}

/** 'ok' when `hash` is the tip or on the author's chain behind it, 'beyond' when not, 'unknown' when a link is missing. */
export function onChainOf(node: Node, storeId: StoreId, tipHex: string, hash: Hash): 'ok' | 'beyond' | 'unknown' {
  if (tipHex === toHex(hash)) return 'ok';
  const store = node.openedStore(storeId);
  if (!store) return 'unknown';
  let cur = fromHex(tipHex, 32);
  for (let n = 0; n < MAX_WALK; n++) {
    const s = store.getSigned(cur as Hash);
    if (!s) return 'unknown';
    const prev = s.subarray(STORE_PREV, STORE_PREV + 32);
    if (bytesEqual(prev, hash)) return 'ok';
    if (isZero(prev)) return 'beyond';
    cur = prev;
  }
  return 'beyond';
}

/** Whether `author` is revoked in the store's mesh and `hash` lies beyond its last valid tip there. */
export function beyondRevokedTip(node: Node, meta: StoreMeta, author: NodeId, hash: Hash): boolean {
  const view = meshViewOf(node, meta.meshId);
  const row = view?.peer(author);
  if (!row?.revoked) return false;
  const tip = row.revoked.lastValidTip[toHex(meta.storeId)];
  if (!tip) return true;
  return onChainOf(node, meta.storeId, tip, hash) === 'beyond';
}

export function authorizeIn(node: Node, meta: StoreMeta): (signed: SignedIntention, hash: Hash) => AuthorizeVerdict {
  return (signed, hash) => {
    const view = meshViewOf(node, meta.meshId);
    if (!view) {
      // A root store's first intention is its genesis: its author is the mesh's creator and first member.
      return meta.storeType === ROOT_STORE_TYPE && isZero(signed.intention.storePrev) ? 'ok' : 'float';
    }
    const author = signed.intention.author;
    const status = view.status(author);
    if (status === 'active') return 'ok';
    if (status === 'unknown') return 'float';
    const row = view.peer(author);
    // A revoke naming a node that never was a member (no PeerAdd, not the creator) gives it no room in our log.
    if (!row?.added && !isCreator(node, meta.meshId, author)) return 'reject';
    const tip = row?.revoked?.lastValidTip[toHex(meta.storeId)];
    if (!tip) return 'reject-witness';
    const on = onChainOf(node, meta.storeId, tip, hash);
    return on === 'ok' ? 'ok' : on === 'beyond' ? 'reject-witness' : 'float';
  };
}

/** Whether `author` created the mesh (its root store's genesis author: a member without a PeerAdd). */
function isCreator(node: Node, meshId: StoreId, author: NodeId): boolean {
  const root = node.openedStore(meshId);
  const genesis = root?.info().genesis;
  const signed = genesis ? root!.getSigned(genesis) : undefined;
  return signed !== undefined && bytesEqual(signed.subarray(0, 32), author);
}

/**
 * After a root store change: in every store of the mesh (the root store too) where a revoked author's witnessed
 * head lies beyond the last valid tip its PeerRevoke names, the kernel re-asks `authorizeIn` along that author's
 * chain (`Store.reauthorize`): the intentions beyond the tip, applied because they arrived before the revoke, are
 * marked unauthorized and the store re-projects, as if this node had got the revoke first. `done` remembers
 * (store, head, revoke) triples already handled.
 */
export async function reauthorizeRevoked(node: Node, meshId: StoreId, done: Set<string>): Promise<void> {
  const revoked = node.mesh(meshId).peers().filter((p) => p.row.revoked);
  if (revoked.length === 0) return;
  for (const meta of node.manager.list()) {
    if (!bytesEqual(meta.meshId, meshId)) continue;
    const store = await node.store(meta.storeId);
    for (const { nodeId, row } of revoked) {
      const head = store.heads().find((h) => toHex(h.author) === nodeId);
      if (!head) continue;
      const key = `${toHex(meta.storeId)}/${toHex(head.hash)}/${row.revoked!.hash}`;
      if (done.has(key)) continue;
      const tip = row.revoked!.lastValidTip[toHex(meta.storeId)];
      if (tip && onChainOf(node, meta.storeId, tip, head.hash) !== 'beyond') continue;
      done.add(key);
      await store.reauthorize([fromHex(nodeId, 32) as NodeId]);
    }
  }
}

/**
 * The store's machine, except that an intention of a revoked author beyond its last valid tip is rejected
 * (E_UNAUTHORIZED, no writes), as the kernel projects the intentions it marked unauthorized. The marks decide the
 * kernel's projection; this guard gives the same answer where a machine runs outside it (the hot-fix replay).
 */
export function guardRevoked(node: Node, meta: StoreMeta, machine: StateMachine): StateMachine {
  return {
    get cid() {
      return machine.cid;
    },
    describe: () => machine.describe(),
    apply: (input, state) =>
      beyondRevokedTip(node, meta, input.intention.author, input.hash)
        ? { code: REJECTION.E_UNAUTHORIZED, writes: [], fuel: 0, message: 'the author was revoked before this intention' }
        : machine.apply(input, state),
    command: (call, state, ctx) => machine.command(call, state, ctx),
    query: (call, state) => machine.query(call, state),
  };
}
