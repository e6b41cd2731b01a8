// Heavy parts of the host load only in the commands that need them (DESIGN §8: the CLI starts fast). Each loader
// names the module it imports and the shape the CLI relies on.
import type { NodeApi } from '../host/node/api.js';
import { LatticeError } from '../host/model/errors.js';

export interface NodeModule {
  openNode(opts: { dataDir: string; daemon?: boolean }): Promise<NodeApi>;
  initNode(dataDir: string): Promise<{ nodeId: string; dataDir: string; meshId: string }>;
}

export interface DemoResult {
  nodes: number;
  converged: boolean;
  stateHash: string;
  hotfix: { accepted: unknown; refused: { firstDivergence: unknown } };
}
export interface DemoModule {
  runDemo(opts: { json: boolean; log: (line: string) => void }): Promise<DemoResult>;
}

export interface ScaffoldModule {
  scaffoldModule(dir: string): Promise<unknown> | unknown;
}

export interface ModuleTestReport {
  passed: boolean;
  [k: string]: unknown;
}
export interface ModuleTestModule {
  testModule(dir: string): Promise<ModuleTestReport>;
}

// Specifiers are held in variables so that tsc compiles the CLI while these host files are still being written;
// the interfaces above are what the CLI relies on.
const NODE = '../host/node/node.js';
const DEMO = '../host/node/demo.js';
const SCAFFOLD = '../host/node/module-scaffold.js';
const MODULE_TEST = '../host/node/module-test.js';

async function load<T>(specifier: string, what: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(specifier.replace('../', '').replace('.js', ''))) {
      throw new LatticeError('E_HOST_FAULT', `this build of lattice has no ${what} (${specifier.slice(3)} is missing)`, { module: specifier });
    }
    throw e;
  }
}

export const loadNode = (): Promise<NodeModule> => load<NodeModule>(NODE, 'node');
export const loadDemo = (): Promise<DemoModule> => load<DemoModule>(DEMO, 'demo');
export const loadScaffold = (): Promise<ScaffoldModule> => load<ScaffoldModule>(SCAFFOLD, 'module scaffolding');
export const loadModuleTest = (): Promise<ModuleTestModule> => load<ModuleTestModule>(MODULE_TEST, 'module test runner');
export const loadModuleBuild = (): Promise<typeof import('../host/node/module-build.js')> => import('../host/node/module-build.js');
