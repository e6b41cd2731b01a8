import { LatticeCommand } from '../base.js';
import { loadNode } from '../lazy.js';

export default class Init extends LatticeCommand<typeof Init> {
  static override summary = 'create the data dir, the node key and a new mesh';
  static override description = 'Creates the data dir (mode 0700) with a new node key (node.key, mode 0600) and a new mesh whose root store this node holds. Fails with E_ALREADY_INITIALIZED if the data dir already has a node.';
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --data-dir ./node-a --json'];

  async run(): Promise<{ nodeId: string; dataDir: string; meshId: string }> {
    const { initNode } = await loadNode();
    return initNode(this.dataDir);
  }
}
