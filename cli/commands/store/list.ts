import type { StoreSummary } from '../../../host/node/api.js';
import { LatticeCommand, meshFlag } from '../../base.js';

export default class StoreList extends LatticeCommand<typeof StoreList> {
  static override summary = 'list the stores on this node';
  static override flags = { mesh: meshFlag };
  static override examples = ['<%= config.bin %> store list --json'];

  async run(): Promise<{ stores: StoreSummary[] }> {
    return this.withNode(async (node) => {
      await this.checkMesh(node, this.flags.mesh);
      return { stores: await node.storeList(this.flags.mesh) };
    });
  }
}
