import { LatticeCommand, meshFlag } from '../../base.js';

type Peer = { nodeId: string; status: string; addrs?: string[]; connected: boolean };

export default class PeerList extends LatticeCommand<typeof PeerList> {
  static override summary = 'list the mesh\'s peers and whether they are connected';
  static override flags = { mesh: meshFlag };
  static override examples = ['<%= config.bin %> peer list --json'];

  async run(): Promise<{ peers: Peer[] }> {
    return this.withNode(async (node) => {
      await this.checkMesh(node, this.flags.mesh);
      return { peers: await node.peerList(this.flags.mesh) };
    });
  }
}
