import type { DemoResult } from '../../host/node/demo.js';
import { signalOnTermination } from '../../host/node/daemon.js';
import { LatticeCommand } from '../base.js';
import { loadDemo } from '../lazy.js';

export default class Demo extends LatticeCommand<typeof Demo> {
  static override summary = 'run several nodes on loopback: a mesh, concurrent writes, convergence, hot-fixes';
  static override description = 'Starts embedded nodes in temporary dirs, joins them into a mesh, makes concurrent increments on a counter store, shows convergence by equal state hashes, accepts an equivalent hot-fix and refuses a diverging one with its first divergence. Leaves nothing behind, also when interrupted.';
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --json'];

  async run(): Promise<DemoResult> {
    const { runDemo } = await loadDemo();
    const json = this.jsonEnabled();
    const termination = signalOnTermination();
    try {
      // The narration is the demo's point on a terminal; with --json only the result goes out, on stdout.
      return await runDemo({ json, signal: termination.signal, log: (line) => { if (!json) process.stdout.write(line + '\n'); } });
    } finally {
      termination.dispose();
    }
  }
}
