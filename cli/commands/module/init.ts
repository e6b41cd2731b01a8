import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { LatticeCommand } from '../../base.js';
import { loadScaffold } from '../../lazy.js';

export default class ModuleInit extends LatticeCommand<typeof ModuleInit> {
  static override summary = 'scaffold a working AssemblyScript module in a new directory';
  static override description = 'Writes a tally module (assembly/index.ts, asconfig.json, a test file under test/) that builds, tests and publishes as it is.';
  static override args = { dir: Args.string({ description: 'the directory to create', required: true }) };
  static override flags = {
    type: Flags.string({ description: 'the store type the module describes itself as [default: app:<dir name>]', helpValue: '<storeType>' }),
  };
  static override examples = ['<%= config.bin %> module init ./mymod', '<%= config.bin %> module init ./notes --type acme:notes'];

  async run(): Promise<{ dir: string; storeType: string; files: readonly string[] }> {
    const dir = resolve(this.args.dir);
    const { scaffoldModule } = await loadScaffold();
    const made = scaffoldModule(dir, { storeType: this.flags.type });
    return { dir: made.dir, storeType: made.storeType, files: made.files };
  }
}
