// Admission runs describe() once under the limits: a module whose describe() can never succeed (it loops until the
// fuel runs out, allocates past the memory limit, writes no description, returns non-zero, aborts) is refused with
// E_MODULE_INVALID naming why, and its bytes never enter the CAS; every shipped module, variant and the scaffold
// still pass, under the CIDs they had.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asCid, blake3, cidToString, DEFAULT_LIMITS, LatticeError } from '../../../host/model/index.js';
import { buildModule } from '../../../host/node/module-build.js';
import { scaffoldModule } from '../../../host/node/module-scaffold.js';
import { createMemoryCasTable, createRuntime, ModuleCas } from '../../../host/runtime/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'lattice-admit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A module that is valid in every other way, with the given describe() body. */
function source(describeBody: string): string {
  return `import { Schema, OK } from "lattice-guest-sdk";
let n: i32 = 0;
export function describe(): i32 {
  ${describeBody}
}
export function apply(): i32 { return OK; }
export function command(): i32 { return OK; }
export function query(): i32 { return OK; }
`;
}

const hostile: Record<string, string> = {
  loops: 'while (n >= 0) n = (n + 1) & 0x7fffffff;\n  return OK;',
  allocates: 'const big = new Uint8Array(100 << 20);\n  return big[n];',
  silent: 'return OK;',
  returns: 'return 3;',
  aborts: 'abort("no schema yet");\n  return OK;',
  fine: 'return new Schema("test:fine", "1.0.0").query("get", [], "i64", "").output();',
};

const built: Record<string, Uint8Array> = {};
beforeAll(async () => {
  for (const [name, body] of Object.entries(hostile)) {
    mkdirSync(join(tmp, name, 'assembly'), { recursive: true });
    writeFileSync(join(tmp, name, 'assembly', 'index.ts'), source(body));
    built[name] = (await buildModule(join(tmp, name), { write: false })).bytes;
  }
}, 180_000);

async function refusal(p: Promise<unknown>): Promise<LatticeError> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (e instanceof LatticeError) return e;
  throw new Error(`expected a LatticeError, got ${String(e)}`);
}

describe('admission runs describe() once', () => {
  const cases: [name: string, describeCode: string, message: RegExp][] = [
    ['loops', 'E_FUEL_EXHAUSTED', /describe\(\) ran out of fuel \(the limit is 50000000\)/],
    ['allocates', 'E_MEMORY_LIMIT', /describe\(\) went past the memory limit/],
    ['silent', 'E_MODULE_INVALID', /describe\(\) output is not a module description: no output/],
    ['returns', 'E_GUEST_REJECTED', /describe\(\) returned 3, not 0/],
    ['aborts', 'E_GUEST_ABORT', /no schema yet/],
  ];
  for (const [name, describeCode, message] of cases) {
    it(`a describe() that ${name} is refused with E_MODULE_INVALID, and nothing is stored`, async () => {
      const cas = new ModuleCas(createMemoryCasTable());
      const runtime = createRuntime({ cas });
      const e = await refusal(runtime.publish(built[name]!, DEFAULT_LIMITS));
      expect(e.code).toBe('E_MODULE_INVALID');
      expect(e.message).toMatch(/^the module is refused: /);
      expect(e.message).toMatch(message);
      const cid = asCid(blake3(built[name]!));
      expect(e.details).toMatchObject({ cid: cidToString(cid), describe: describeCode });
      expect(cas.hasModule(cid)).toBe(false);
    });
  }

  it('a module whose describe() succeeds is stored and loads from the artifact publish made', async () => {
    const cas = new ModuleCas(createMemoryCasTable());
    const runtime = createRuntime({ cas });
    const { cid, report } = await runtime.publish(built['fine']!, DEFAULT_LIMITS);
    expect(cid).toEqual(asCid(blake3(built['fine']!)));
    expect(report.imports.length).toBeGreaterThan(0);
    expect(cas.hasModule(cid)).toBe(true);
    const sm = await runtime.load(cid, DEFAULT_LIMITS);
    expect(sm.describe().name).toBe('test:fine');
    expect(runtime.stats).toEqual({ instrumented: 1, compiled: 1 });
    // another runtime on the same CAS finds the artifact: no binaryen
    const again = createRuntime({ cas });
    await again.load(cid, DEFAULT_LIMITS);
    expect(again.stats.instrumented).toBe(0);
  });

  it('the shipped modules, the variants and the scaffold pass under their CIDs', async () => {
    const shipped = JSON.parse(readFileSync(join(ROOT, 'modules', 'cids.json'), 'utf8')) as Record<string, string>;
    const dirs: [dir: string, expected?: string][] = [
      [join(ROOT, 'modules', 'counter'), shipped['demo:counter']],
      [join(ROOT, 'modules', 'kv'), shipped['core:kvstore']],
      ...['counter-double', 'counter-fast', 'counter-junk', 'counter-rare', 'kv-reverse-tiebreak'].map((v): [string] => [join(ROOT, 'modules', 'variants', v)]),
    ];
    const scaffold = scaffoldModule(join(tmp, 'tally')).dir;
    dirs.push([scaffold]);
    const runtime = createRuntime({ cas: new ModuleCas(createMemoryCasTable()) });
    for (const [dir, expected] of dirs) {
      const b = await buildModule(dir, { write: false });
      if (expected) expect(b.cidText).toBe(expected);
      const { cid } = await runtime.publish(b.bytes, DEFAULT_LIMITS);
      expect(cidToString(cid)).toBe(b.cidText);
    }
  }, 180_000);
});
