import { Args } from '@oclif/core';
import type { ModuleInfo } from '../../../host/node/api.js';
import { LatticeCommand } from '../../base.js';

export default class ModuleShow extends LatticeCommand<typeof ModuleShow> {
  static override summary = 'show one module: size, store type, methods';
  static override args = { cid: Args.string({ description: 'the module CID (b3:<hex>)', required: true }) };
  static override examples = ['<%= config.bin %> module show b3:5e0c… --json'];

  async run(): Promise<ModuleInfo> {
    return this.withNode((node) => node.moduleShow(this.args.cid));
  }
}
