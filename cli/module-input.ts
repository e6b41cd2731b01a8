// A module given on the command line: a directory is built with the pinned compiler, a file is read as .wasm.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LatticeError } from '../host/model/errors.js';
import { loadModuleBuild } from './lazy.js';

export interface ModuleInput {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** Set when the input was a directory that was built. */
  readonly built: boolean;
}

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export async function readModuleInput(pathArg: string): Promise<ModuleInput> {
  const path = resolve(pathArg);
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (e) {
    throw new LatticeError('E_BAD_ARGUMENT', `${pathArg}: no such file or directory`, { path }, { cause: e });
  }
  if (isDir) {
    const { buildModule } = await loadModuleBuild();
    const built = await buildModule(path);
    return { path: built.file, bytes: built.bytes, built: true };
  }
  const bytes = new Uint8Array(await readFile(path));
  if (!WASM_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new LatticeError('E_MODULE_INVALID', `${pathArg} is not a WebAssembly module (no \\0asm header)`, { path });
  }
  return { path, bytes, built: false };
}
