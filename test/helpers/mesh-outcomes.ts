// What the mesh-ordering tests compare across nodes: each node's witness log of the kv and root stores, split into
// accepted and rejected intentions, its state hashes, and who it holds active or revoked. Shared by
// test/integration/mesh/{revoke-race,membership-order,membership-reversal}.test.ts.
import { expect } from 'vitest';
import type { Store } from '../../host/kernel/index.js';
import { fromHex, toHex, type Hash, type NodeId } from '../../host/model/index.js';
import type { Node } from '../../host/node/node.js';
import type { testNet } from './node-mesh.js';

export const kv = (n: Node): Store => n.openedStore(n.resolveStore('kv').storeId)!;
export const root = (n: Node): Store => n.openedStore(n.meshId())!;
export const resultOf = (s: Store, hash: Hash): number | undefined =>
  s.history({ limit: 100_000 }).find((e) => toHex(e.hash) === toHex(hash))?.result;
export const hashesOf = (s: Store, keep: (result: number | undefined) => boolean = () => true): string[] =>
  s.history({ limit: 100_000 }).filter((e) => keep(e.result)).map((e) => toHex(e.hash)).sort();
export const accepted = (r: number | undefined): boolean => r === 0;
export const rejected = (r: number | undefined): boolean => r !== undefined && r !== 0;
/** A kv put through the node; the hash of the intention it wrote. */
export const writeOf = async (n: Node, key: string, value: string): Promise<Hash> =>
  fromHex((await n.storeExec('kv', 'put', [key, value])).intentions[0]!, 32) as Hash;
/** Ingests one item at a time, in the given order. */
export const ingestEach = async (s: Store, items: Uint8Array[]): Promise<void> => {
  for (const item of items) await s.ingest([item]);
};
export const statuses = (n: Node, of: Node[]) => of.map((p) => n.mesh(n.meshId()).status(p.key.publicKey as NodeId));
/** Cuts every node off from every other. */
export const isolate = (net: ReturnType<typeof testNet>, nodes: Node[]): void => {
  const keys = nodes.map((n) => n.key.publicKey);
  for (let i = 0; i < keys.length - 1; i++) net.network.partition([keys[i]!], keys.slice(i + 1));
};

/** Every node holds the same logs, outcomes and states in the root store and the kv store, and nothing floats. */
export function expectSame(nodes: Node[]): void {
  const [first, ...rest] = nodes as [Node, ...Node[]];
  for (const s of [kv, root]) {
    for (const n of rest) {
      expect(hashesOf(s(n))).toEqual(hashesOf(s(first)));
      expect(hashesOf(s(n), accepted)).toEqual(hashesOf(s(first), accepted));
      expect(hashesOf(s(n), rejected)).toEqual(hashesOf(s(first), rejected));
      expect(toHex(s(n).stateHash)).toBe(toHex(s(first).stateHash));
    }
    for (const n of nodes) expect(s(n).floatingCount()).toBe(0);
  }
}
