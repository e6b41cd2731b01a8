// Builds a module directory once per test process (real asc, STYLE 17) and loads it on the real runtime
// (validation, binaryen instrumentation, fuel), as the machine factory the module harness drives.
import { join } from 'node:path';
import type { StateMachine } from '../../../host/kernel/state-machine.js';
import { buildModule, type BuiltModule } from '../../../host/node/module-build.js';
import { loadMachine } from '../../../host/node/module-harness.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
const cache = new Map<string, Promise<BuiltModule>>();

export function built(dir: string): Promise<BuiltModule> {
  let p = cache.get(dir);
  if (!p) cache.set(dir, (p = buildModule(dir, { write: false })));
  return p;
}

export async function machineFactory(dir: string): Promise<() => StateMachine> {
  return loadMachine((await built(dir)).bytes);
}
