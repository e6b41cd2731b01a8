// Small steps the multi-node tests share: a mesh of n nodes with a kv store, writes, and convergence checks.
import { expect } from 'vitest';
import type { Node } from '../../host/node/node.js';
import type { TestNet } from './node-mesh.js';

/** `a` creates a kv store named `name`; every other node joins a's mesh by invite and sees the store. */
export async function meshWithStore(net: TestNet, count: number, name = 'kv'): Promise<Node[]> {
  const nodes = await Promise.all(Array.from({ length: count }, (_, i) => net.node(`n${i}`)));
  const a = nodes[0]!;
  await a.storeCreate('core:kvstore', name);
  for (const n of nodes.slice(1)) {
    const { token } = await a.peerInvite({ expiresInSec: 600 });
    const joined = await n.peerJoin(token);
    expect(joined.stores).toBe(1);
  }
  return nodes;
}

export async function stateHash(node: Node, store = 'kv'): Promise<string> {
  return (await node.storeInfo(store)).stateHash;
}

export async function hashes(nodes: Node[], store = 'kv'): Promise<string[]> {
  return Promise.all(nodes.map((n) => stateHash(n, store)));
}

/** `count` kv puts of distinct keys `${prefix}${i}` on `node`. */
export async function puts(node: Node, prefix: string, count: number, store = 'kv'): Promise<void> {
  for (let i = 0; i < count; i++) await node.storeExec(store, 'put', [`${prefix}${i}`, `${prefix}-v${i}`]);
}

/** A kv get: [] when absent, else [value, contested]. */
export async function get(node: Node, key: string, store = 'kv'): Promise<unknown[]> {
  return (await node.storeQuery(store, 'get', [key])).result as unknown[];
}
