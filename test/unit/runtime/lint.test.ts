// Publish-time lint and load-time validation: each refusal is a LatticeError naming its cause, and load refuses
// exactly what lint refuses.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, isLatticeError, LatticeError, MAX_MODULE_SIZE, type ErrorCode } from '../../../host/model/index.js';
import { createMemoryCasTable, createRuntime, lintModule, ModuleCas } from '../../../host/runtime/index.js';
import { fixture, STUB_EXPORTS, wat } from './wat.js';

async function refusal(p: Promise<unknown>): Promise<LatticeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LatticeError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const refused: [name: string, code: ErrorCode, message: RegExp, details?: Record<string, unknown>][] = [
  ['forbidden-import', 'E_FORBIDDEN_IMPORT', /imports env\.seed.*non-deterministic/, { import: 'env.seed' }],
  ['date-now', 'E_FORBIDDEN_IMPORT', /imports Date\.now.*non-deterministic/, { import: 'Date.now' }],
  ['simd', 'E_FORBIDDEN_FEATURE', /'simd'/, { feature: 'simd' }],
  ['threads', 'E_FORBIDDEN_FEATURE', /'threads \(shared memory\)'/],
  ['no-memory-max', 'E_NO_MEMORY_MAXIMUM', /declares no maximum/],
  ['missing-export', 'E_MODULE_INVALID', /does not export the function describe/, { missing: 'describe' }],
];

describe('lintModule', () => {
  for (const [name, code, message, details] of refused) {
    it(`${name} → ${code}, and load refuses it the same way`, async () => {
      const bytes = await fixture(name);
      const e = await refusal(lintModule(bytes, DEFAULT_LIMITS));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
      if (details) expect(e.details).toMatchObject(details);
      const cas = new ModuleCas(createMemoryCasTable());
      const cid = await cas.putModule(bytes);
      const l = await refusal(createRuntime({ cas }).load(cid, DEFAULT_LIMITS));
      expect({ code: l.code, message: l.message }).toEqual({ code: e.code, message: e.message });
    });
  }

  it('a memory maximum above the limit → E_NO_MEMORY_MAXIMUM naming both', async () => {
    const bytes = await wat(`(module (memory (export "memory") 1 1000) (func (export "apply") (result i32) (i32.const 0)) ${STUB_EXPORTS})`);
    const e = await refusal(lintModule(bytes, DEFAULT_LIMITS));
    expect(e.code).toBe('E_NO_MEMORY_MAXIMUM');
    expect(e.details).toEqual({ maximum: 1000, limit: DEFAULT_LIMITS.memoryPages });
  });

  it('a module over MAX_MODULE_SIZE → E_MODULE_TOO_LARGE', async () => {
    const e = await refusal(lintModule(new Uint8Array(MAX_MODULE_SIZE + 1), DEFAULT_LIMITS));
    expect(e.code).toBe('E_MODULE_TOO_LARGE');
  });

  it('bytes that are not WebAssembly → E_MODULE_INVALID', async () => {
    expect((await refusal(lintModule(new TextEncoder().encode('\0asm nope'), DEFAULT_LIMITS))).code).toBe('E_MODULE_INVALID');
  });

  it('a lattice_v1 import with the wrong signature, a global import, exceptions, tail calls and reserved names are refused', async () => {
    const cases: [string, ErrorCode, RegExp][] = [
      [`(import "lattice_v1" "kv_get" (func (param i32) (result i32)))`, 'E_FORBIDDEN_IMPORT', /kv_get with the wrong signature/],
      [`(import "env" "g" (global i32))`, 'E_FORBIDDEN_IMPORT', /imports the global env\.g/],
      [`(tag $t) (func $x (throw $t))`, 'E_FORBIDDEN_FEATURE', /'exception-handling'/],
      [`(func $x (result i32) (return_call $y)) (func $y (result i32) (i32.const 0))`, 'E_FORBIDDEN_FEATURE', /'tail-call'/],
      [`(func (export "__lattice_fuel") (result i32) (i32.const 0))`, 'E_MODULE_INVALID', /reserved/],
    ];
    for (const [extra, code, message] of cases) {
      const bytes = await wat(`(module ${extra} (memory (export "memory") 1 1) (func (export "apply") (result i32) (i32.const 0)) ${STUB_EXPORTS})`);
      const e = await refusal(lintModule(bytes, DEFAULT_LIMITS));
      expect([e.code, e.message]).toEqual([code, expect.stringMatching(message)]);
    }
  });

  it('a valid module reports its imports, memory and start function', async () => {
    const report = await lintModule(await fixture('hostile'), DEFAULT_LIMITS);
    expect(report.memory).toEqual({ initialPages: 8, maximumPages: 16 });
    expect(report.imports).toContain('env.abort');
    expect(report.start).toBeNull();
    expect((await lintModule(await fixture('start-loop'), DEFAULT_LIMITS)).start).not.toBeNull();
  });

  it('limits outside their ranges are refused as E_BAD_ARGUMENT', async () => {
    const bytes = await fixture('hostile');
    for (const bad of [{ fuel: 2 ** 31 }, { depth: 0 }, { depth: 1e6 }, { memoryPages: 70_000 }, { fuel: 1.5 }]) {
      const e = await refusal(lintModule(bytes, { ...DEFAULT_LIMITS, ...bad }));
      expect(isLatticeError(e, 'E_BAD_ARGUMENT')).toBe(true);
    }
  });
});
