import { Args } from '@oclif/core';
import { LatticeCommand, meshFlag } from '../../base.js';

export default class PeerRevoke extends LatticeCommand<typeof PeerRevoke> {
  static override summary = 'revoke a peer: its intentions after the tips this node has witnessed are rejected everywhere';
  static override args = { nodeId: Args.string({ description: 'the peer\'s node id (hex), or an unambiguous prefix of it', required: true }) };
  static override flags = { mesh: meshFlag };
  static override examples = ['<%= config.bin %> peer revoke 3f9a…'];

  async run(): Promise<{ ok: boolean }> {
    return this.withNode(async (node) => {
      await this.checkMesh(node, this.flags.mesh);
      return node.peerRevoke(this.args.nodeId.toLowerCase(), this.flags.mesh);
    });
  }
}
