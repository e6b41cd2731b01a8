import { Args } from '@oclif/core';
import { LatticeCommand } from '../../base.js';
import { toJson } from '../../output.js';
import { storeArg } from '../../store-arg.js';

export default class StoreQuery extends LatticeCommand<typeof StoreQuery> {
  static override summary = 'run a query method of a store (reads only)';
  static override description = 'Arguments are converted by the method\'s declared types. An argument that looks like a flag goes after --, with the flags before it.';
  static override strict = false;
  static override usage = 'store query STORE METHOD [ARGS...]';
  static override args = {
    store: storeArg,
    method: Args.string({ description: 'the query method', required: true }),
    args: Args.string({ description: 'the method\'s arguments…' }),
  };
  static override examples = ['<%= config.bin %> store query clicks get hits', '<%= config.bin %> store query notes list --json'];

  async run(): Promise<{ result: unknown }> {
    const rest = this.positional.slice(2);
    return this.withNode((node) => node.storeQuery(this.args.store, this.args.method, rest));
  }

  protected override renderText(answer: { result: unknown }): string {
    return typeof answer.result === 'string' ? answer.result : toJson(answer.result);
  }
}
