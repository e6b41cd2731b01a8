import type { ModuleInfo } from '../../../host/node/api.js';
import { LatticeCommand, meshFlag } from '../../base.js';

export default class ModuleList extends LatticeCommand<typeof ModuleList> {
  static override summary = 'list the modules this node holds and the store types they are registered for';
  static override flags = { mesh: meshFlag };
  static override examples = ['<%= config.bin %> module list --json'];

  async run(): Promise<{ modules: ModuleInfo[] }> {
    return this.withNode(async (node) => {
      await this.checkMesh(node, this.flags.mesh);
      return { modules: await node.moduleList(this.flags.mesh) };
    });
  }
}
