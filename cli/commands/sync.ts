import { Args } from '@oclif/core';
import { LatticeCommand, meshFlag } from '../base.js';

export default class Sync extends LatticeCommand<typeof Sync> {
  static override summary = 'reconcile stores with connected peers now';
  static override description = 'Runs a symmetric sync session with every reachable peer, for one store or for all of them.';
  static override args = { store: Args.string({ description: 'store id, id prefix or name (default: every store)' }) };
  static override flags = { mesh: meshFlag };
  static override examples = ['<%= config.bin %> sync', '<%= config.bin %> sync notes --json'];

  async run(): Promise<{ peers: number; sent: number; received: number }> {
    return this.withNode(async (node) => {
      await this.checkMesh(node, this.flags.mesh);
      this.progress('syncing…');
      return node.sync(this.args.store, this.flags.mesh);
    });
  }
}
