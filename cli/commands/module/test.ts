import { Args, Flags } from '@oclif/core';
import { LatticeError } from '../../../host/model/errors.js';
import { LatticeCommand } from '../../base.js';
import { loadModuleHarness } from '../../lazy.js';
import { readModuleInput } from '../../module-input.js';

interface FileResult {
  file: string;
  passed: boolean;
  steps: number;
  intentions: number;
  failures: readonly { step: number; message: string }[];
  divergence: unknown;
}
type Answer =
  | { passed: boolean; cid: string; files: FileResult[] }
  | { equivalent: boolean; intentions: number; firstDivergence: Record<string, unknown> | null };

export default class ModuleTest extends LatticeCommand<typeof ModuleTest> {
  static override summary = 'run a module\'s tests, or check that a new module replays a store\'s history the same';
  static override description = 'Without --replay: builds the module and runs its tests (test/*.json), replaying the intentions they produce in several causal orders. With --replay <store>: replays the store\'s witnessed history with the given module and compares every result and write set, as a hot-fix would, without publishing. A failing test or a diverging replay exits 1 (E_HOTFIX_DIVERGES carries the firstDivergence); so does a module directory with no test/*.test.json (E_BAD_ARGUMENT: no tests is not a pass).';
  static override args = { module: Args.string({ description: 'the module directory (or, with --replay, a .wasm file)', default: '.' }) };
  static override flags = {
    replay: Flags.string({ description: 'the store whose history to replay with the module', helpValue: '<store>' }),
  };
  static override examples = ['<%= config.bin %> module test ./mymod', '<%= config.bin %> module test --replay clicks build/counter-v2.wasm --json'];

  async run(): Promise<Answer> {
    const store = this.flags.replay;
    if (store === undefined) {
      this.progress('building and testing…');
      const { testModuleDir } = await loadModuleHarness();
      const report = await testModuleDir(this.args.module);
      const files: FileResult[] = report.files.map(({ file, report: r }) => ({
        file, passed: r.ok, steps: r.steps, intentions: r.intentions, failures: r.failures, divergence: r.divergence,
      }));
      const answer = { passed: report.ok, cid: report.built.cidText, files };
      if (!report.ok) throw testFailure(this.args.module, answer);
      return answer;
    }
    let path = this.args.module;
    const report = await this.withNode(async (node) => {
      await node.storeInfo(store); // an unknown store is refused before the module is built
      const input = await readModuleInput(this.args.module);
      path = input.path;
      this.progress(`replaying ${store}…`);
      return node.moduleReplay(store, input.bytes);
    });
    if (!report.equivalent) {
      throw new LatticeError('E_HOTFIX_DIVERGES', `replaying ${store} with ${path} diverges`, {
        equivalent: false, intentions: report.intentions, firstDivergence: report.firstDivergence,
      });
    }
    return report;
  }
}

// Two causal orders that end in different states are the replay check's kind of failure (E_HOTFIX_DIVERGES, with the
// orders); a step whose expectation fails is reported with E_MODULE_TEST_FAILED and the failures.
function testFailure(dir: string, answer: { passed: boolean; cid: string; files: FileResult[] }): LatticeError {
  const failed = answer.files.filter((f) => !f.passed);
  const diverging = failed.find((f) => f.divergence !== null);
  const first = failed[0]?.failures[0];
  if (diverging) {
    return new LatticeError('E_HOTFIX_DIVERGES', `${diverging.file}: two causal orders of the same intentions end in different states`, { ...answer, firstDivergence: diverging.divergence });
  }
  const where = first ? `${failed[0]!.file} step ${first.step}: ${first.message}` : `the tests of ${dir} fail`;
  return new LatticeError('E_MODULE_TEST_FAILED', where, answer);
}
