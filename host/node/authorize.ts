// Authorization by mesh membership (DESIGN §6), decided from the root store's history so every node decides the
// same whatever the arrival order: an author with a known PeerAdd is valid; one with no PeerAdd yet floats until
// it arrives (the node rechecks held intentions when the root store changes); a revoked author is valid up to the
// last valid tip its PeerRevoke names for this store, and refused after it.
import type { AuthorizeVerdict, StoreMeta } from '../kernel/index.js';
import { bytesEqual, fromHex, isZero, toHex, type Hash, type SignedIntention } from '../model/index.js';
import type { Node } from './node.js';
import { ROOT_STORE_TYPE } from './root-store.js';

const STORE_PREV = 60; // author 32 ‖ wallMs 8 ‖ counter 4 ‖ storeId 16
const MAX_WALK = 1_000_000;

export function authorizeIn(node: Node, meta: StoreMeta): (signed: SignedIntention, hash: Hash) => AuthorizeVerdict {
  return (signed, hash) => {
    const root = node.openedStore(meta.meshId);
    if (!root || root.info().genesis === null) {
      // A root store's first intention is its genesis: its author is the mesh's creator and first member.
      return meta.storeType === ROOT_STORE_TYPE && isZero(signed.intention.storePrev) ? 'ok' : 'float';
    }
    const view = node.mesh(meta.meshId);
    const author = signed.intention.author;
    const status = view.status(author);
    if (status === 'active') return 'ok';
    if (status === 'unknown') return 'float';
    const tip = view.peer(author)?.revoked?.lastValidTip[toHex(meta.storeId)];
    if (!tip) return 'reject';
    if (tip === toHex(hash)) return 'ok';
    // Valid if it is an ancestor of the last valid tip on the author's chain.
    const store = node.openedStore(meta.storeId);
    if (!store) return 'float';
    let cur = fromHex(tip, 32);
    for (let n = 0; n < MAX_WALK; n++) {
      const s = store.getSigned(cur as Hash);
      if (!s) return 'float';
      const prev = s.subarray(STORE_PREV, STORE_PREV + 32);
      if (bytesEqual(prev, hash)) return 'ok';
      if (isZero(prev)) return 'reject';
      cur = prev;
    }
    return 'reject';
  };
}
