import { Args } from '@oclif/core';
import { LatticeError } from '../../../host/model/errors.js';
import { LatticeCommand } from '../../base.js';
import { loadModuleBuild } from '../../lazy.js';

export default class ModuleVerify extends LatticeCommand<typeof ModuleVerify> {
  static override summary = 'rebuild a module from source and check that it has the given CID';
  static override description = 'Exits 0 with {match: true} when the rebuilt bytes have the CID; otherwise exits 1 with E_CID_MISMATCH, naming both CIDs.';
  static override args = {
    dir: Args.string({ description: 'the module directory', required: true }),
    cid: Args.string({ description: 'the expected CID (b3:<hex> or <hex>)', required: true }),
  };
  static override examples = ['<%= config.bin %> module verify ./mymod b3:5e0c…'];

  async run(): Promise<{ match: boolean; cid: string }> {
    if (!/^(b3:)?[0-9a-fA-F]{64}$/.test(this.args.cid)) {
      // refused before the build: a typo in the CID is a bad argument, not a module that builds to something else
      throw new LatticeError('E_BAD_ARGUMENT', `${this.args.cid} is not a CID (b3: and 64 hex characters, as module build prints)`, { cid: this.args.cid });
    }
    this.progress('rebuilding…');
    const { verifyModule } = await loadModuleBuild();
    const { ok, built } = await verifyModule(this.args.dir, this.args.cid);
    if (!ok) {
      throw new LatticeError('E_CID_MISMATCH', `${this.args.dir} builds to ${built.cidText}, not ${this.args.cid}`, {
        match: false, expected: this.args.cid, cid: built.cidText,
      });
    }
    return { match: true, cid: built.cidText };
  }
}
