// The layer lint rejects upward and sideways imports (DESIGN §1) and accepts the real tree.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const lint = join(import.meta.dirname, '../../../scripts/lint-layers.mjs');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lint-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function run(dir?: string): { ok: boolean; out: string } {
  try {
    const out = execFileSync('node', dir ? [lint, dir] : [lint], { encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, out };
  } catch (e) {
    const err = e as { stdout: string; stderr: string };
    return { ok: false, out: err.stdout + err.stderr };
  }
}

describe('layer lint', () => {
  it('passes on the project tree', () => {
    expect(run().ok).toBe(true);
  });

  it.each([
    ['host/model/planted.ts', "import '../node/node.js';", 'host/model may not import host/node'],
    ['host/storage/planted.ts', "export { x } from '../kernel/store.js';", 'host/storage may not import host/kernel'],
    ['host/net/planted.ts', "const m = await import('../sync/x.js');", 'host/net may not import host/sync'],
    ['host/sync/planted.ts', "import type { A } from '../storage/a.js';", 'host/sync may not import host/storage'],
    ['abi/planted.ts', "import { E } from '../host/model/errors.js';", 'abi may not import host/model'],
    ['host/kernel/planted.ts', "import { r } from '../runtime/r.js';", 'host/kernel may not import host/runtime'],
  ])('refuses %s', (path, text, message) => {
    const r = run(tree({ [path]: text + '\nexport const planted = 1;\n' }));
    expect(r.ok).toBe(false);
    expect(r.out).toContain(path);
    expect(r.out).toContain(message);
  });

  it('allows the downward edges, including runtime → kernel', () => {
    const r = run(
      tree({
        'cli/a.ts': "import '../host/node/n.js';",
        'host/node/n.ts': "import '../runtime/r.js'; import '../net/t.js'; import '../sync/s.js';",
        'host/runtime/r.ts': "import '../kernel/k.js';",
        'host/kernel/k.ts': "import '../storage/s.js';",
        'host/storage/s.ts': "import '../model/m.js';",
        'host/model/m.ts': "import '../../abi/a.js';",
      }),
    );
    expect(r.out).toContain('imports point one way');
    expect(r.ok).toBe(true);
  });
});
