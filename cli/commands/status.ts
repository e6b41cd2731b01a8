import type { StatusInfo } from '../../host/node/api.js';
import { LatticeCommand } from '../base.js';

export default class Status extends LatticeCommand<typeof Status> {
  static override summary = 'show the node, whether a daemon serves it, its addresses, meshes, stores and peers';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];

  async run(): Promise<StatusInfo> {
    return this.withNode((node) => node.status());
  }
}
