import { Args } from '@oclif/core';
import { LatticeCommand } from '../../base.js';
import { loadModuleBuild } from '../../lazy.js';

export default class ModuleBuild extends LatticeCommand<typeof ModuleBuild> {
  static override summary = 'compile a module directory with the pinned AssemblyScript compiler';
  static override description = 'Writes <dir>/build/<dir name>.wasm and prints its CID (b3:<BLAKE3 hex>). The same source always gives the same CID.';
  static override args = { dir: Args.string({ description: 'the module directory', default: '.' }) };
  static override examples = ['<%= config.bin %> module build ./mymod --json'];

  async run(): Promise<{ file: string; cid: string; size: number }> {
    this.progress('compiling…');
    const { buildModule } = await loadModuleBuild();
    const built = await buildModule(this.args.dir);
    return { file: built.file, cid: built.cidText, size: built.size };
  }
}
