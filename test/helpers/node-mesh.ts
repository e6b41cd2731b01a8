// Test helpers for multi-node tests: real nodes (own data dir, own key) over one in-memory ChannelNetwork, each
// registered for teardown in the order they must go (nodes before their directories). A test owns what it makes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { fromHex, NodeKey, type NodeId } from '../../host/model/index.js';
import { ChannelNetwork, type ChannelNetworkInit } from '../../host/net/channel-network.js';
import { ChannelTransport } from '../../host/net/channel-transport.js';
import { initNode, openNode, type Node } from '../../host/node/node.js';
import { waitFor } from './node-wait.js';

export { waitFor };

export interface TestNet {
  network: ChannelNetwork;
  /** A new node on this network (its own data dir and key, a mesh of its own from init). */
  node(name?: string): Promise<Node>;
  /** Reopens a closed node's data dir on this network (same key); `daemon` syncs on connect and on a timer. */
  reopen(dataDir: string, options?: { daemon?: boolean }): Promise<Node>;
  nodes: Node[];
}

/** A ChannelNetwork for this test; every node made through it is closed and removed when the test ends. */
export function testNet(init: ChannelNetworkInit = {}): TestNet {
  const network = new ChannelNetwork(init);
  const root = mkdtempSync(join(tmpdir(), 'lattice-mesh-'));
  const nodes: Node[] = [];
  onTestFinished(async () => {
    await Promise.all(nodes.map((n) => n.close().catch(() => undefined)));
    rmSync(root, { recursive: true, force: true });
  });
  let count = 0;
  const open = async (dataDir: string, nodeId: NodeId, daemon = false): Promise<Node> => {
    const transport = new ChannelTransport({ key: { publicKey: nodeId }, network }, { connectTimeoutMs: 300 });
    const node = await openNode({ dataDir, transport, daemon }).catch(async (e: unknown) => {
      await transport.close();
      throw e;
    });
    nodes.push(node);
    return node;
  };
  return {
    network,
    nodes,
    async node(name = `n${count}`) {
      count++;
      const init = await initNode(join(root, name));
      return open(init.dataDir, fromHex(init.nodeId, 32) as NodeId);
    },
    async reopen(dataDir: string, options: { daemon?: boolean } = {}) {
      const key = NodeKey.fromSeed(fromHex(readFileSync(join(dataDir, 'node.key'), 'utf8').trim(), 32));
      return open(dataDir, key.publicKey, options.daemon);
    },
  };
}
