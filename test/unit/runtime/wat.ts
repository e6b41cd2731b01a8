// Test helper: WAT text (test/fixtures/wasm/*.wat) to module bytes with binaryen's text parser.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBinaryen } from '../../../host/runtime/binaryen-loader.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/wasm');

/** The five exports every module needs, for fixtures that only care about one of them. */
export const STUB_EXPORTS = `
  (func (export "command") (result i32) (i32.const 0))
  (func (export "query") (result i32) (i32.const 0))
  (func (export "describe") (result i32) (i32.const 0))`;

export async function wat(text: string): Promise<Uint8Array> {
  const b = await loadBinaryen();
  const m = b.parseText(text);
  try {
    // what V8 in Node 20 reads: the allowlist plus the rejected features the fixtures exercise
    const F = b.Features;
    m.setFeatures(F.MutableGlobals | F.SignExt | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt | F.Multivalue | F.SIMD128 | F.Atomics | F.ExceptionHandling | F.ReferenceTypes);
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/** A fixture file's module bytes; `{{STUB_EXPORTS}}` in the file stands for the exports it does not exercise. */
export async function fixture(name: string): Promise<Uint8Array> {
  return wat(readFileSync(join(FIXTURES, `${name}.wat`), 'utf8').replace('{{STUB_EXPORTS}}', STUB_EXPORTS));
}
