// Heavy parts of the host load only in the commands that need them (DESIGN §8: the CLI starts fast: binaryen, asc,
// iroh and lmdb are never imported by a command that does not use them).
import { LatticeError } from '../host/model/errors.js';

export const loadNode = (): Promise<typeof import('../host/node/node.js')> => import('../host/node/node.js');
export const loadScaffold = (): Promise<typeof import('../host/node/module-scaffold.js')> => import('../host/node/module-scaffold.js');
export const loadModuleHarness = (): Promise<typeof import('../host/node/module-harness.js')> => import('../host/node/module-harness.js');
export const loadModuleBuild = (): Promise<typeof import('../host/node/module-build.js')> => import('../host/node/module-build.js');

export interface DemoResult {
  nodes: number;
  converged: boolean;
  stateHash: string;
  hotfix: { accepted: unknown; refused: { firstDivergence: unknown } };
}
export interface DemoModule {
  runDemo(opts: { json: boolean; log: (line: string) => void }): Promise<DemoResult>;
}

// host/node/demo.ts is being written alongside the CLI: the specifier is held in a variable so that tsc compiles
// the CLI without it, and DemoModule is the shape the CLI relies on.
const DEMO = '../host/node/demo.js';

export async function loadDemo(): Promise<DemoModule> {
  try {
    return (await import(DEMO)) as DemoModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes('host/node/demo.js')) {
      throw new LatticeError('E_HOST_FAULT', 'this build of lattice has no demo (host/node/demo.js is missing)', { module: 'host/node/demo.js' });
    }
    throw e;
  }
}
