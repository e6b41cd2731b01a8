import { LatticeCommand } from '../../base.js';
import { storeArg } from '../../store-arg.js';

export default class StoreRebuild extends LatticeCommand<typeof StoreRebuild> {
  static override summary = 're-project a store from its witness log into fresh state';
  static override args = { store: storeArg };
  static override examples = ['<%= config.bin %> store rebuild clicks --json'];

  async run(): Promise<{ seq: number; stateHash: string }> {
    this.progress('rebuilding…');
    return this.withNode((node) => node.storeRebuild(this.args.store));
  }
}
