// Builds a module directory once per test process (real asc, STYLE 17) and gives a machine factory over it.
import { join } from 'node:path';
import { buildModule, type BuiltModule } from '../../../host/node/module-build.js';
import { DirectMachine } from './direct-machine.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
const cache = new Map<string, Promise<BuiltModule>>();

export function built(dir: string): Promise<BuiltModule> {
  let p = cache.get(dir);
  if (!p) cache.set(dir, (p = buildModule(dir, { write: false })));
  return p;
}

export async function machineFactory(dir: string): Promise<() => DirectMachine> {
  const m = await built(dir);
  return () => new DirectMachine(m.bytes);
}
