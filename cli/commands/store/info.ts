import type { StoreInfo } from '../../../host/node/api.js';
import { LatticeCommand } from '../../base.js';
import { storeInfoText } from '../../output.js';
import { storeArg } from '../../store-arg.js';

export default class StoreInfoCommand extends LatticeCommand<typeof StoreInfoCommand> {
  static override summary = 'show a store: type, module, seq, state hash, heads, floating, paused';
  static override args = { store: storeArg };
  static override examples = ['<%= config.bin %> store info clicks --json'];

  async run(): Promise<StoreInfo> {
    return this.withNode((node) => node.storeInfo(this.args.store));
  }

  protected override renderText(info: StoreInfo): string {
    return storeInfoText(info);
  }
}
