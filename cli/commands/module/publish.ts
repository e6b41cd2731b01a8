import { Args, Flags } from '@oclif/core';
import type { PublishResult } from '../../../host/node/api.js';
import { LatticeCommand, meshFlag } from '../../base.js';
import { loadScaffold } from '../../lazy.js';
import { readModuleInput } from '../../module-input.js';

export default class ModulePublish extends LatticeCommand<typeof ModulePublish> {
  static override summary = 'lint, store and register a module for a store type (a hot-fix when the type exists)';
  static override description = 'A directory is built first. Publishing a new CID for an existing store type replays every store of the type with it; if any intention gives a different result or write set, nothing is published and the command exits 1 with E_HOTFIX_DIVERGES and the firstDivergence.';
  static override args = { module: Args.string({ description: 'a .wasm file or a module directory', required: true }) };
  static override flags = {
    type: Flags.string({ description: 'the store type to register it for: <namespace>:<name> in lower case (e.g. acme:notes)', required: true, helpValue: '<storeType>' }),
    mesh: meshFlag,
  };
  static override examples = ['<%= config.bin %> module publish ./mymod --type acme:mymod', '<%= config.bin %> module publish build/counter.wasm --type demo:counter --json'];

  async run(): Promise<PublishResult> {
    // the rule `module init` applies, checked before a directory is built or a node opened
    (await loadScaffold()).checkStoreType(this.flags.type);
    const input = await readModuleInput(this.args.module);
    return this.withNode(async (node) => {
      await this.checkMesh(node, this.flags.mesh);
      this.progress('publishing (a hot-fix replays every store of the type)…');
      return node.modulePublish(input.bytes, this.flags.type, this.flags.mesh);
    });
  }
}
