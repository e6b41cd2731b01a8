import { Args } from '@oclif/core';
import type { ExecResult } from '../../../host/node/api.js';
import { LatticeCommand } from '../../base.js';
import { storeArg } from '../../store-arg.js';

export default class StoreExec extends LatticeCommand<typeof StoreExec> {
  static override summary = 'run a command method of a store: signs and applies the intentions it appends';
  static override description = 'Arguments are converted by the method\'s declared types (the module\'s describe()). An argument that looks like a flag goes after --, with the flags before it.';
  static override strict = false;
  static override usage = 'store exec STORE METHOD [ARGS...]';
  static override args = {
    store: storeArg,
    method: Args.string({ description: 'the command method', required: true }),
    args: Args.string({ description: 'the method\'s arguments…' }),
  };
  static override examples = ['<%= config.bin %> store exec clicks increment hits 5', '<%= config.bin %> store exec notes put alpha one --json'];

  async run(): Promise<ExecResult> {
    const rest = this.positional.slice(2);
    return this.withNode((node) => node.storeExec(this.args.store, this.args.method, rest));
  }
}
