// `lattice module test <dir>` on a module with no test files is a typed refusal, not a pass with no files: a
// misspelt test directory or file name must not look like a green run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LatticeError } from '../../../host/model/index.js';
import { testModuleDir } from '../../../host/node/module-harness.js';
import { scaffoldModule } from '../../../host/node/module-scaffold.js';

const tmp = mkdtempSync(join(tmpdir(), 'lattice-notests-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<LatticeError> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (e instanceof LatticeError) return e;
  throw new Error(`expected a LatticeError, got ${JSON.stringify(e)}`);
}

describe('module test with no tests', () => {
  it('no test directory → E_BAD_ARGUMENT naming it', async () => {
    const dir = scaffoldModule(join(tmp, 'bare')).dir;
    rmSync(join(dir, 'test'), { recursive: true });
    const e = await refusal(testModuleDir(dir));
    expect(e.code).toBe('E_BAD_ARGUMENT');
    expect(e.message).toBe(`no test files in ${join(dir, 'test')}: it does not exist (a module's tests are test/<name>.test.json; \`lattice module init\` writes one, docs/module-guide.md describes the format)`);
    expect(e.details).toEqual({ dir, testDir: join(dir, 'test') });
  });

  it('a test directory with no *.test.json (a misspelt name) → E_BAD_ARGUMENT', async () => {
    const dir = scaffoldModule(join(tmp, 'misspelt')).dir;
    rmSync(join(dir, 'test'), { recursive: true });
    mkdirSync(join(dir, 'test'));
    writeFileSync(join(dir, 'test', 'tally.tests.json'), '{"steps": []}');
    const e = await refusal(testModuleDir(dir));
    expect(e.code).toBe('E_BAD_ARGUMENT');
    expect(e.message).toMatch(/: it holds no \*\.test\.json/);
  });

  it('a directory with no module at all is still the build\'s refusal', async () => {
    const e = await refusal(testModuleDir(join(tmp, 'nothing-here')));
    expect(e.code).toBe('E_BUILD_FAILED');
  });
});
