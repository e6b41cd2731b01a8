import { resolve } from 'node:path';
import { Args } from '@oclif/core';
import { LatticeCommand } from '../../base.js';
import { loadScaffold } from '../../lazy.js';

export default class ModuleInit extends LatticeCommand<typeof ModuleInit> {
  static override summary = 'scaffold a working AssemblyScript module in a new directory';
  static override args = { dir: Args.string({ description: 'the directory to create', required: true }) };
  static override examples = ['<%= config.bin %> module init ./mymod'];

  async run(): Promise<{ dir: string }> {
    const dir = resolve(this.args.dir);
    const { scaffoldModule } = await loadScaffold();
    const made = await scaffoldModule(dir);
    return { ...(made !== null && typeof made === 'object' ? made : {}), dir };
  }
}
