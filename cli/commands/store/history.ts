import { Flags } from '@oclif/core';
import type { HistoryEntry } from '../../../host/node/api.js';
import { LatticeCommand } from '../../base.js';
import { renderEntry } from '../../entry.js';
import { storeArg } from '../../store-arg.js';

export default class StoreHistory extends LatticeCommand<typeof StoreHistory> {
  static override summary = 'list a store\'s witnessed intentions in witness order';
  static override args = { store: storeArg };
  static override flags = {
    from: Flags.integer({ description: 'first seq to show', min: 0, helpValue: '<seq>' }),
    to: Flags.integer({ description: 'last seq to show', min: 0, helpValue: '<seq>' }),
    author: Flags.string({ description: 'only intentions of this author (node id, or an unambiguous prefix of it, hex)', helpValue: '<nodeId>' }),
  };
  static override examples = ['<%= config.bin %> store history notes', '<%= config.bin %> store history notes --from 10 --to 20 --json'];

  async run(): Promise<{ entries: HistoryEntry[] }> {
    const { from, to, author } = this.flags;
    const entries = await this.withNode((node) => node.storeHistory(this.args.store, { from, to, author: author?.toLowerCase() }));
    return { entries };
  }

  protected override renderText(answer: { entries: HistoryEntry[] }): string {
    return answer.entries.length === 0 ? '(no entries)' : answer.entries.map(renderEntry).join('\n');
  }
}
