import { LatticeCommand } from '../../base.js';
import { storeArg } from '../../store-arg.js';

export default class StoreResume extends LatticeCommand<typeof StoreResume> {
  static override summary = 'resume a store whose projection a host fault paused';
  static override args = { store: storeArg };
  static override examples = ['<%= config.bin %> store resume notes'];

  async run(): Promise<{ ok: boolean }> {
    return this.withNode((node) => node.storeResume(this.args.store));
  }
}
