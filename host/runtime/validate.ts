// Module validation and the publish-time lint (DESIGN §4.1): size, well-formedness, the import allowlist
// (lattice_v1.* and env.abort), a declared memory maximum within the limit, the required exports and the feature
// allowlist. Every refusal is a LatticeError naming the cause; the same checks gate instrumentation.
import { ABORT_IMPORT, EXPORTS, IMPORT_MODULE, IMPORTS } from '../../abi/lattice_v1.js';
import { LatticeError, MAX_MODULE_SIZE, type ConsensusLimits } from '../model/index.js';
import { loadBinaryen, type Binaryen, type BinaryenModule } from './binaryen-loader.js';
import { createExpressionWalker, forbidden, type ExpressionWalker } from './expression-walk.js';
import { checkLimits, frameWeight, MAX_FRAME_WEIGHT } from './limits-hash.js';
import { Wasm } from './wasm-api.js';

/** What the runtime needs to know about a valid module. */
export interface ModuleReport {
  readonly size: number;
  /** Imports the module uses, as `module.name`. */
  readonly imports: readonly string[];
  readonly memory: { readonly initialPages: number; readonly maximumPages: number };
  /** Internal name of the start function, run under the call's fuel budget at every instantiation. */
  readonly start: string | null;
  readonly functions: number;
}

/** Names every instrumented artifact reserves; a module may not export or define them. */
export const RESERVED_PREFIX = '__lattice_';

/** Reads the bytes with binaryen (all features on, so that a rejected feature is named rather than unparsable). */
export async function readModule(bytes: Uint8Array): Promise<{ b: Binaryen; m: BinaryenModule }> {
  if (bytes.length > MAX_MODULE_SIZE) {
    throw new LatticeError('E_MODULE_TOO_LARGE', `the module is ${bytes.length} bytes, the limit is ${MAX_MODULE_SIZE}`, { size: bytes.length, limit: MAX_MODULE_SIZE });
  }
  // V8 first: binaryen aborts on some malformed input, V8 never does
  if (!Wasm.validate(bytes)) throw new LatticeError('E_MODULE_INVALID', 'the bytes are not a valid WebAssembly module');
  const b = await loadBinaryen();
  try {
    return { b, m: b.readBinary(bytes) };
  } catch (e) {
    throw new LatticeError('E_MODULE_INVALID', `binaryen could not read the module: ${(e as Error).message}`, {}, { cause: e });
  }
}

const sig = (b: Binaryen, params: readonly number[], result: number): [number, number] => [b.createType(params as number[]), result];

function checkImports(b: Binaryen, m: BinaryenModule): string[] {
  const allowed = new Map<string, [number, number]>();
  for (const spec of IMPORTS) allowed.set(`${IMPORT_MODULE}.${spec.name}`, sig(b, spec.params.map(([, t]) => (t === 'i32' ? b.i32 : b.i64)), spec.result === 'i32' ? b.i32 : b.i64));
  allowed.set(`${ABORT_IMPORT.module}.${ABORT_IMPORT.name}`, sig(b, ABORT_IMPORT.params.map(() => b.i32), b.none));
  const used: string[] = [];
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (!f.module) continue;
    const name = `${f.module}.${f.base}`;
    const want = allowed.get(name);
    if (want === undefined) {
      throw new LatticeError(
        'E_FORBIDDEN_IMPORT',
        `the module imports ${name}, which is outside the ${IMPORT_MODULE} ABI: a store's logic must compute the same result on every node, and an import the host does not define (randomness, clocks, I/O) would make it non-deterministic`,
        { import: name },
      );
    }
    if (f.params !== want[0] || f.results !== want[1]) {
      throw new LatticeError('E_FORBIDDEN_IMPORT', `the module imports ${name} with the wrong signature`, { import: name });
    }
    used.push(name);
  }
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const g = b.getGlobalInfo(m.getGlobalByIndex(i));
    if (g.module) throw new LatticeError('E_FORBIDDEN_IMPORT', `the module imports the global ${g.module}.${g.base}: only functions of ${IMPORT_MODULE} and env.abort may be imported (a host global would make the module non-deterministic)`, { import: `${g.module}.${g.base}` });
  }
  for (let i = 0; i < m.getNumTables(); i++) {
    const t = b.getTableInfo(m.getTableByIndex(i));
    if (t.module) throw new LatticeError('E_FORBIDDEN_IMPORT', `the module imports the table ${t.module}.${t.base}: only functions may be imported`, { import: `${t.module}.${t.base}` });
    if (i > 0) throw forbidden('reference-types', 'more than one table');
  }
  return used;
}

function checkMemory(m: BinaryenModule, limits: ConsensusLimits): { initialPages: number; maximumPages: number } {
  if (!m.hasMemory()) throw new LatticeError('E_MODULE_INVALID', 'the module defines no memory (it must export one as "memory")', { missing: 'memory' });
  const mem = m.getMemoryInfo();
  if (mem.module) throw new LatticeError('E_FORBIDDEN_IMPORT', `the module imports its memory (${mem.module}.${mem.base}); it must define its own`, { import: `${mem.module}.${mem.base}` });
  if (mem.shared) throw forbidden('threads (shared memory)');
  if (mem.is64) throw forbidden('memory64');
  if (mem.max === undefined) {
    throw new LatticeError('E_NO_MEMORY_MAXIMUM', `the module memory declares no maximum; declare one of at most ${limits.memoryPages} pages (asc --maximumMemory)`, { limit: limits.memoryPages });
  }
  if (mem.max > limits.memoryPages || mem.initial > mem.max) {
    throw new LatticeError('E_NO_MEMORY_MAXIMUM', `the module memory maximum is ${mem.max} pages, the limit is ${limits.memoryPages}`, { maximum: mem.max, limit: limits.memoryPages });
  }
  return { initialPages: mem.initial, maximumPages: mem.max };
}

function checkExports(b: Binaryen, m: BinaryenModule): void {
  const seen = new Map<string, { kind: number; value: string }>();
  for (let i = 0; i < m.getNumExports(); i++) {
    const e = b.getExportInfo(m.getExportByIndex(i));
    if (e.name.startsWith(RESERVED_PREFIX)) throw new LatticeError('E_MODULE_INVALID', `the export name ${e.name} is reserved by the runtime`, { export: e.name });
    seen.set(e.name, e);
  }
  for (const name of EXPORTS) {
    const e = seen.get(name);
    const kind = name === 'memory' ? b.ExternalMemory : b.ExternalFunction;
    if (e === undefined || e.kind !== kind) {
      throw new LatticeError('E_MODULE_INVALID', `the module does not export ${name === 'memory' ? 'its memory as "memory"' : `the function ${name}() → i32`}; required: ${EXPORTS.join(', ')}`, { missing: name });
    }
    if (kind === b.ExternalFunction) {
      const f = b.getFunctionInfo(m.getFunction(e.value));
      if (f.params !== b.none || f.results !== b.i32) throw new LatticeError('E_MODULE_INVALID', `the export ${name} must have the type () → i32`, { export: name });
    }
  }
}

const PLAIN = (b: Binaryen): Set<number> => new Set([b.none, b.i32, b.i64, b.f32, b.f64]);

function checkType(b: Binaryen, plain: Set<number>, t: number, where: string): void {
  for (const x of b.expandType(t)) {
    if (plain.has(x)) continue;
    throw x === b.v128 ? forbidden('simd', `a v128 value in ${where}`) : forbidden('reference-types', `a reference type in ${where}`);
  }
}

/** Walks every function body and signature; throws E_FORBIDDEN_FEATURE naming the first feature outside the list. */
export function checkFeatures(b: Binaryen, m: BinaryenModule, walker: ExpressionWalker = createExpressionWalker(b)): void {
  const plain = PLAIN(b);
  for (let i = 0; i < m.getNumGlobals(); i++) {
    const g = b.getGlobalInfo(m.getGlobalByIndex(i));
    checkType(b, plain, g.type, `the global ${g.name}`);
  }
  let nest = 0;
  let maxNest = 0;
  const visit = (e: number): number => {
    if (++nest > maxNest) maxNest = nest;
    walker.children(e, visit);
    nest--;
    return e;
  };
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = b.getFunctionInfo(m.getFunctionByIndex(i));
    checkType(b, plain, f.params, `the function ${f.name}`);
    checkType(b, plain, f.results, `the function ${f.name}`);
    for (const v of f.vars) checkType(b, plain, v, `the function ${f.name}`);
    if (f.module) continue;
    nest = maxNest = 0;
    guardDepth(() => visit(f.body));
    const locals = b.expandType(f.params).length + f.vars.reduce((n, v) => n + b.expandType(v).length, 0);
    if (frameWeight(locals, maxNest) > MAX_FRAME_WEIGHT) {
      throw new LatticeError('E_MODULE_INVALID', `the function ${f.name} has a frame too large for the call-depth accounting (${locals} locals, nesting ${maxNest}); split it`, { function: f.name, locals });
    }
  }
}

/** Hostile nesting could exhaust the host's stack in a recursive walk: that is the module's fault, typed. */
export function guardDepth<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof RangeError) throw new LatticeError('E_MODULE_INVALID', 'the module nests expressions too deeply', {}, { cause: e });
    throw e;
  }
}

/** Every check of §4.1 on a parsed module; returns what instrumentation needs. */
export function checkModule(b: Binaryen, m: BinaryenModule, size: number, limits: ConsensusLimits, walker?: ExpressionWalker): ModuleReport {
  checkLimits(limits);
  const imports = checkImports(b, m);
  const memory = checkMemory(m, limits);
  checkExports(b, m);
  checkFeatures(b, m, walker);
  const start = m.getStart();
  return { size, imports, memory, start: start ? b.getFunctionInfo(start).name : null, functions: m.getNumFunctions() };
}

/**
 * Publish-time lint: throws a LatticeError naming the cause (E_MODULE_TOO_LARGE, E_MODULE_INVALID,
 * E_FORBIDDEN_IMPORT, E_NO_MEMORY_MAXIMUM, E_FORBIDDEN_FEATURE), else reports what the module uses.
 */
export async function lintModule(bytes: Uint8Array, limits: ConsensusLimits): Promise<ModuleReport> {
  const { b, m } = await readModule(bytes);
  try {
    return checkModule(b, m, bytes.length, limits);
  } finally {
    m.dispose();
  }
}
