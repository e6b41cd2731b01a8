// Requests a test makes by hand, as a peer could: a sync session for a store id naming any mesh (a node must refuse
// a store of one mesh asked for in the name of another, or by a non-member).
import { NegentropyTree } from '../../host/sync/index.js';
import type { Connection } from '../../host/net/transport.js';
import type { StoreId } from '../../host/model/index.js';
import type { Node } from '../../host/node/node.js';

/** Runs a sync session as `node` for `storeId` in the name of `meshId`, with an empty set of its own. */
export function syncStoreAs(node: Node, conn: Connection, storeId: StoreId, meshId: StoreId): Promise<{ sent: number; received: number }> {
  const tree = new NegentropyTree();
  tree.seal();
  return node.network!.sync.syncStore(conn, {
    storeId, meshId,
    negentropyTree: () => tree,
    getSigned: () => undefined,
    ingest: async () => ({ missing: [], witnessed: 0, rejected: 0 }),
    witnessedFrom: () => [],
  });
}
