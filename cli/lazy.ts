// Heavy parts of the host load only in the commands that need them (DESIGN §8: the CLI starts fast: binaryen, asc,
// iroh and lmdb are never imported by a command that does not use them).
export const loadNode = (): Promise<typeof import('../host/node/node.js')> => import('../host/node/node.js');
export const loadScaffold = (): Promise<typeof import('../host/node/module-scaffold.js')> => import('../host/node/module-scaffold.js');
export const loadModuleHarness = (): Promise<typeof import('../host/node/module-harness.js')> => import('../host/node/module-harness.js');
export const loadModuleBuild = (): Promise<typeof import('../host/node/module-build.js')> => import('../host/node/module-build.js');

export const loadDemo = (): Promise<typeof import('../host/node/demo.js')> => import('../host/node/demo.js');
