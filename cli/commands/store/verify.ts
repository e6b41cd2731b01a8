import { LatticeError } from '../../../host/model/errors.js';
import { LatticeCommand } from '../../base.js';
import { storeArg } from '../../store-arg.js';

export default class StoreVerify extends LatticeCommand<typeof StoreVerify> {
  static override summary = 're-hash a store\'s whole witness chain and every intention against its hash';
  static override description = 'Exits 0 with {ok: true, records} when everything verifies; otherwise exits 1 with E_TAMPERED naming what failed.';
  static override args = { store: storeArg };
  static override examples = ['<%= config.bin %> store verify notes --json'];

  async run(): Promise<{ ok: boolean; records: number; intentions?: number; stateHash?: string }> {
    this.progress('verifying…');
    const report = await this.withNode((node) => node.storeVerify(this.args.store));
    if (!report.ok) {
      // A failed check must fail the command, or scripts would take a tampered store for a good one.
      const inner = report.error instanceof Object ? (report.error as Record<string, unknown>) : { error: report.error };
      const message = typeof inner['message'] === 'string' ? inner['message'] : 'the store does not verify';
      throw new LatticeError('E_TAMPERED', message, { ...inner, ok: false, records: report.records, store: this.args.store });
    }
    const { intentions, stateHash } = report;
    return { ok: true, records: report.records, ...(intentions !== undefined ? { intentions } : {}), ...(stateHash !== undefined ? { stateHash } : {}) };
  }
}
