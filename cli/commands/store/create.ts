import { Flags } from '@oclif/core';
import { LatticeCommand, meshFlag } from '../../base.js';

export default class StoreCreate extends LatticeCommand<typeof StoreCreate> {
  static override summary = 'create a store of a registered store type';
  static override flags = {
    type: Flags.string({ description: 'the store type (e.g. demo:counter, core:kvstore, or one you published)', required: true, helpValue: '<storeType>' }),
    name: Flags.string({ description: 'a name to refer to the store by', helpValue: '<name>' }),
    mesh: meshFlag,
  };
  static override examples = ['<%= config.bin %> store create --type demo:counter --name clicks'];

  async run(): Promise<{ storeId: string; storeType: string; cid: string; name?: string }> {
    return this.withNode(async (node) => {
      await this.checkMesh(node, this.flags.mesh);
      return node.storeCreate(this.flags.type, this.flags.name, this.flags.mesh);
    });
  }
}
