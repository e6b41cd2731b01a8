import { Args, Flags } from '@oclif/core';
import { LatticeError } from '../../../host/model/errors.js';
import { LatticeCommand } from '../../base.js';
import { loadModuleTest } from '../../lazy.js';
import { readModuleInput } from '../../module-input.js';

type Answer = { passed: boolean; [k: string]: unknown } | { equivalent: boolean; intentions: number; firstDivergence: Record<string, unknown> | null };

export default class ModuleTest extends LatticeCommand<typeof ModuleTest> {
  static override summary = 'run a module\'s tests, or check that a new module replays a store\'s history the same';
  static override description = 'Without --replay: builds the module and runs its tests (test/*.json), replaying the intentions they produce in several causal orders. With --replay <store>: replays the store\'s witnessed history with the given module and compares every result and write set, as a hot-fix would, without publishing. A failing test or a diverging replay exits 1 (E_HOTFIX_DIVERGES carries the firstDivergence).';
  static override args = { module: Args.string({ description: 'the module directory (or, with --replay, a .wasm file)', default: '.' }) };
  static override flags = {
    replay: Flags.string({ description: 'the store whose history to replay with the module', helpValue: '<store>' }),
  };
  static override examples = ['<%= config.bin %> module test ./mymod', '<%= config.bin %> module test --replay clicks build/counter-v2.wasm --json'];

  async run(): Promise<Answer> {
    const store = this.flags.replay;
    if (store === undefined) {
      this.progress('testing…');
      const { testModule } = await loadModuleTest();
      const report = await testModule(this.args.module);
      if (!report.passed) {
        const message = typeof report['message'] === 'string' ? report['message'] : `the tests of ${this.args.module} fail`;
        throw new LatticeError('E_GUEST_REJECTED', message, { ...report, passed: false });
      }
      return report;
    }
    const input = await readModuleInput(this.args.module);
    this.progress(`replaying ${store}…`);
    const report = await this.withNode((node) => node.moduleReplay(store, input.bytes));
    if (!report.equivalent) {
      throw new LatticeError('E_HOTFIX_DIVERGES', `replaying ${store} with ${input.path} diverges`, {
        equivalent: false, intentions: report.intentions, firstDivergence: report.firstDivergence,
      });
    }
    return report;
  }
}
