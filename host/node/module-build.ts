// Builds a module directory with the pinned AssemblyScript compiler (DESIGN §4.3): `lattice module build|verify|
// publish` and scripts/build-modules.mjs use this one function, so a CID re-derived from source is the CID that
// was shipped. A module directory holds assembly/index.ts (and may hold an asconfig.json for extra options); the
// pinned options of every Lattice module (top-level asconfig.json: runtime, memory maximum, optimisation) override
// it. `import … from "lattice-guest-sdk"` resolves to this checkout's guest-sdk/assembly from any directory.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { asCid, blake3, cidToString, LatticeError, type Cid } from '../model/index.js';
import { packageRoot } from './package-root.js';

// The package root, whether this runs from source (host/node) or built (dist/host/node).
const ROOT = packageRoot();
/** Where `lattice-guest-sdk` resolves to. */
export const SDK_DIR = join(ROOT, 'guest-sdk', 'assembly');
/** The pinned compiler options of every module. */
export const PINNED_CONFIG = join(ROOT, 'asconfig.json');
export const ENTRY = join('assembly', 'index.ts');
export const SDK_PACKAGE = 'lattice-guest-sdk';

export interface BuiltModule {
  /** The written .wasm file: <dir>/build/<dir name>.wasm. */
  readonly file: string;
  readonly cid: Cid;
  /** The CID in text, `b3:<hex>`. */
  readonly cidText: string;
  readonly size: number;
  readonly bytes: Uint8Array;
}

export interface BuildOptions {
  /** Write the .wasm into <dir>/build (default true). */
  readonly write?: boolean;
}

// asc looks a package up in every node_modules above the module and in --path dirs; any such lookup of the SDK is
// served from SDK_DIR, so the SDK is always the one this host speaks the ABI of.
const SDK_REQUEST = new RegExp(`[\\\\/]node_modules[\\\\/]${SDK_PACKAGE}[\\\\/](.+)$`);

async function readSource(name: string, baseDir: string): Promise<string | null> {
  const path = resolve(baseDir, name);
  const sdk = SDK_REQUEST.exec(path);
  const real = sdk ? join(SDK_DIR, sdk[1]!) : path;
  if (sdk && !real.startsWith(SDK_DIR + sep)) return null;
  try {
    return await readFile(real, 'utf8');
  } catch (e) {
    // asc probes several candidate paths per import: "not there" is an answer (null), anything else is a fault.
    if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) return null;
    throw e;
  }
}

let pinned: Record<string, unknown> | undefined;
function pinnedOptions(): Record<string, unknown> {
  if (!pinned) {
    const json = JSON.parse(readFileSync(PINNED_CONFIG, 'utf8')) as { options?: Record<string, unknown> };
    pinned = json.options ?? {};
  }
  return pinned;
}

// The slice of the asc API used here. Typed locally: asc's own .d.ts declares AssemblyScript's globals (console,
// Math…) into the whole TS program, so it is loaded by a specifier TS does not resolve.
interface MemoryStream { toString(): string }
interface Asc {
  main(argv: string[], api: {
    stdout: MemoryStream;
    stderr: MemoryStream;
    readFile(name: string, baseDir: string): Promise<string | null>;
    writeFile(name: string, contents: Uint8Array | string, baseDir: string): void;
    listFiles(dir: string, baseDir: string): string[];
  }): Promise<{ error: Error | null }>;
  createMemoryStream(): MemoryStream;
  configToArguments(options: Record<string, unknown>): string[];
}
const ASC_SPECIFIER = 'assemblyscript/asc';
let ascPromise: Promise<Asc> | undefined;
const loadAsc = (): Promise<Asc> => (ascPromise ??= import(ASC_SPECIFIER).then((m: { default: Asc }) => m.default));

// asc keeps compiler state in module-level tables, so builds run one at a time.
let queue: Promise<unknown> = Promise.resolve();

/** Compiles `<dir>/assembly/index.ts`; throws E_BUILD_FAILED with the compiler's diagnostics. */
export function buildModule(dir: string, options: BuildOptions = {}): Promise<BuiltModule> {
  const run = queue.then(() => compile(resolve(dir), options.write ?? true));
  queue = run.catch(() => undefined);
  return run;
}

async function compile(dir: string, write: boolean): Promise<BuiltModule> {
  if (!existsSync(join(dir, ENTRY))) {
    throw new LatticeError('E_BUILD_FAILED', `${dir} is not a module directory: ${ENTRY} is missing`, { dir });
  }
  const asc = await loadAsc();
  const name = basename(dir);
  const outName = `build/${name}.wasm`;
  const args = [ENTRY, '--baseDir', dir, '--outFile', outName, ...asc.configToArguments(pinnedOptions())];
  let binary: Uint8Array | undefined;
  const stderr = asc.createMemoryStream();
  const stdout = asc.createMemoryStream();
  let result: { error: Error | null };
  try {
    result = await asc.main(args, {
      stdout,
      stderr,
      readFile: readSource,
      writeFile: (file, contents) => {
        if (file === outName && contents instanceof Uint8Array) binary = contents;
      },
      listFiles: () => [],
    });
  } catch (e) {
    throw new LatticeError('E_BUILD_FAILED', `the compiler failed on ${dir}: ${(e as Error).message}`, { dir }, { cause: e });
  }
  if (result.error || !binary) {
    const diagnostics = stderr.toString().trim();
    throw new LatticeError('E_BUILD_FAILED', `${dir}: ${diagnostics || result.error?.message || 'no output'}`, { dir, diagnostics });
  }
  const bytes = new Uint8Array(binary);
  const cid = asCid(blake3(bytes));
  const file = join(dir, outName);
  if (write) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
  return { file, cid, cidText: cidToString(cid), size: bytes.length, bytes };
}

/** Rebuilds a module and compares its CID (`lattice module verify <dir> <cid>`). */
export async function verifyModule(dir: string, expected: string): Promise<{ ok: boolean; built: BuiltModule }> {
  const built = await buildModule(dir, { write: false });
  const want = expected.startsWith('b3:') ? expected : `b3:${expected}`;
  return { ok: built.cidText === want.toLowerCase(), built };
}
