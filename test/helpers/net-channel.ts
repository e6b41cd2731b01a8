// Test helpers for the in-memory transport: a harness for the conformance suite and a quick way to make nodes.
import { NodeKey, type NodeId } from '../../host/model/index.js';
import { ChannelNetwork, type ChannelNetworkInit } from '../../host/net/channel-network.js';
import { ChannelTransport } from '../../host/net/channel-transport.js';
import { FramedStream } from '../../host/net/frame-stream.js';
import { PeerScores, type PeerScoreInit } from '../../host/net/peer-score.js';
import type { FrameStream } from '../../host/net/transport.js';
import type { TransportHarness } from '../conformance/transport.js';

export function sendRaw(stream: FrameStream, bytes: Uint8Array): Promise<void> {
  if (!(stream instanceof FramedStream)) throw new Error('sendRaw needs a FramedStream');
  return stream.writeRaw(bytes);
}

export function channelHarness(init: ChannelNetworkInit = {}, connectTimeoutMs = 300): TransportHarness {
  const network = new ChannelNetwork(init);
  return {
    connectTimeoutMs,
    async create(key = NodeKey.generate()) {
      const scores = new PeerScores();
      return { transport: new ChannelTransport({ key, network, scores }, { connectTimeoutMs }), scores };
    },
    async unreachable() {
      return { nodeId: NodeKey.generate().publicKey, addrs: [] };
    },
    sendRaw,
    async teardown() {},
  };
}

/** n ChannelTransports on one network, closed by the returned function. */
export function channelNodes(n: number, init: ChannelNetworkInit = {}, scoreInit?: PeerScoreInit): {
  network: ChannelNetwork;
  nodes: ChannelTransport[];
  ids: NodeId[];
  close(): Promise<void>;
} {
  const network = new ChannelNetwork(init);
  const nodes = Array.from({ length: n }, () => new ChannelTransport({ key: NodeKey.generate(), network, scores: new PeerScores(scoreInit) }, { connectTimeoutMs: 300 }));
  return { network, nodes, ids: nodes.map((t) => t.nodeId), close: async () => void (await Promise.all(nodes.map((t) => t.close()))) };
}
