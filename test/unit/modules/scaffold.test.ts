// `lattice module init`: the scaffold builds at once from a directory outside the repo, its own test file passes,
// and the harness catches a module whose apply does not commute (DESIGN §3) and malformed test files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModule } from '../../../host/node/module-build.js';
import { loadMachine, loadTestFiles, parseTestFile, runModuleTest, testModuleDir } from '../../../host/node/module-harness.js';
import { scaffoldModule, tallySource } from '../../../host/node/module-scaffold.js';
import { isLatticeError } from '../../../host/model/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'lattice-scaffold-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('module scaffold', () => {
  it('writes a tally module that builds outside the repo and passes its own test file', async () => {
    const dir = join(tmp, 'My Tally');
    const s = scaffoldModule(dir);
    expect(s.storeType).toBe('app:my-tally');
    expect(s.files).toContain(join('test', 'my-tally.test.json'));
    const built = await buildModule(dir);
    expect(built.file).toBe(join(dir, 'build', 'My Tally.wasm'));
    expect(readFileSync(built.file).length).toBe(built.size);
    const machine = await loadMachine(built.bytes);
    expect(machine().describe().name).toBe('app:my-tally');
    const tests = loadTestFiles(dir);
    expect(tests.length).toBe(1);
    const report = runModuleTest(machine, tests[0]!.test);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.intentions).toBe(2);
    // what `lattice module test <dir>` runs
    const all = await testModuleDir(dir);
    expect(all.ok).toBe(true);
    expect(all.built.cidText).toBe(built.cidText);
    expect(all.files.map((f) => f.report.ok)).toEqual([true]);
    // The harness reports what does not hold: a wrong expectation, an error that does not come, an error that does.
    const failing = runModuleTest(machine, { steps: [
      { exec: 'bump', args: ['k'] },
      { query: 'get', args: ['k'], expect: 2 },
      { exec: 'bump', args: ['k'], expectError: 'E_BAD_ARGUMENT' },
      { query: 'get', args: [] },
      { node: 'b', query: 'get', args: ['k'], expect: 0 },
    ] });
    expect(failing.ok).toBe(false);
    expect(failing.failures.map((f) => f.step)).toEqual([1, 2, 3]);
    expect(failing.failures[0]!.message).toContain('expected 2, got 1');
    expect(failing.failures[2]!.message).toContain('E_BAD_ARGUMENT');
  });

  it('refuses to overwrite a module and refuses a malformed store type', () => {
    const dir = join(tmp, 'twice');
    scaffoldModule(dir, { storeType: 'acme:twice' });
    expect(() => scaffoldModule(dir)).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
    expect(() => scaffoldModule(join(tmp, 'other'), { storeType: 'NoColon' })).toThrow(expect.objectContaining({ code: 'E_BAD_ARGUMENT' }));
  });

  it('reports a compile error as E_BUILD_FAILED with the diagnostics', async () => {
    const dir = join(tmp, 'broken');
    scaffoldModule(dir);
    writeFileSync(join(dir, 'assembly', 'index.ts'), tallySource('app:broken').replace('return OK;\n}\n\nexport function query', 'return nope;\n}\n\nexport function query'));
    const e = await buildModule(dir).catch((x: unknown) => x);
    expect(isLatticeError(e, 'E_BUILD_FAILED')).toBe(true);
    expect((e as Error).message).toContain('nope');
    const missing = await buildModule(join(tmp, 'nothing-here')).catch((x: unknown) => x);
    expect(isLatticeError(missing, 'E_BUILD_FAILED')).toBe(true);
  });

  it('the order check fails a module whose apply does not commute (first claim wins by arrival)', async () => {
    const dir = join(tmp, 'claims');
    scaffoldModule(dir);
    // apply: set the key to the author's first byte only if absent — the result depends on which arrives first.
    const source = tallySource('app:claims').replace(
      'state.set(key, i64Bytes((current != null ? i64Of(current) : 0) + 1));',
      'if (current != null) return 7;\n  state.set(key, i64Bytes(<i64>intention.author[0]));',
    );
    writeFileSync(join(dir, 'assembly', 'index.ts'), source);
    const built = await buildModule(dir, { write: false });
    const report = runModuleTest(await loadMachine(built.bytes), { orders: 16, steps: [
      { node: 'a', exec: 'bump', args: ['k'] },
      { node: 'b', exec: 'bump', args: ['k'] },
      { sync: true },
    ] });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(false);
    expect(report.divergence).not.toBeNull();
    expect(report.divergence!.stateA).not.toBe(report.divergence!.stateB);
  });

  it('parseTestFile names the problem', () => {
    for (const bad of ['{', '{}', '{"steps":[{"exec":"x","query":"y"}]}', '{"steps":[{"exec":"x","args":[1]}]}', '{"steps":[{"exec":"x","oops":1}]}']) {
      expect(() => parseTestFile(bad, 't.test.json')).toThrow(/t\.test\.json/);
    }
    mkdirSync(join(tmp, 'empty'), { recursive: true });
    expect(loadTestFiles(join(tmp, 'empty'))).toEqual([]);
  });
});
