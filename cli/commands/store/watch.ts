import { LatticeError } from '../../../host/model/errors.js';
import { LatticeCommand } from '../../base.js';
import { renderEntry } from '../../entry.js';
import { toJson } from '../../output.js';
import { storeArg } from '../../store-arg.js';

export default class StoreWatch extends LatticeCommand<typeof StoreWatch> {
  static override summary = 'print a store\'s entries as they are witnessed, until interrupted';
  static override description = 'With --json, prints one JSON object per line (one per entry) instead of one document. Stops on SIGINT or SIGTERM.';
  static override args = { store: storeArg };
  static override examples = ['<%= config.bin %> store watch notes --json'];

  async run(): Promise<undefined> {
    const ac = new AbortController();
    const stop = (): void => ac.abort(new LatticeError('E_ABORTED', 'interrupted'));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const json = this.jsonEnabled();
    // An embedded node with nothing to do holds no timer or socket; the watch still runs until it is interrupted.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      await this.withNode(async (node) => {
        try {
          for await (const entry of node.storeWatch(this.args.store, ac.signal)) {
            process.stdout.write((json ? toJson(entry, false) : renderEntry(entry)) + '\n');
          }
        } catch (e) {
          // Being interrupted is how a watch ends.
          if (!ac.signal.aborted) throw e;
        }
      });
    } finally {
      clearInterval(keepAlive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return undefined;
  }
}
