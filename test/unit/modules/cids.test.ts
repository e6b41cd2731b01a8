// The shipped modules rebuild to the committed CIDs (modules/cids.json, DESIGN §4.3), and two builds give the same
// bytes: every node of a release starts from the same modules.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBLAKE3 } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { buildModule, verifyModule } from '../../../host/node/module-build.js';
import { built, ROOT } from './built.js';

const cids = JSON.parse(readFileSync(join(ROOT, 'modules', 'cids.json'), 'utf8')) as Record<string, string>;
const DIRS: Record<string, string> = { 'demo:counter': 'counter', 'core:kvstore': 'kv' };

describe('modules/cids.json', () => {
  it('names exactly the shipped store types', () => {
    expect(Object.keys(cids).sort()).toEqual(Object.keys(DIRS).sort());
  });

  for (const [storeType, dir] of Object.entries(DIRS)) {
    it(`${storeType} rebuilds to its committed CID, twice`, async () => {
      const first = await built(join(ROOT, 'modules', dir));
      const second = await buildModule(join(ROOT, 'modules', dir), { write: false });
      expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
      const hasher = await createBLAKE3();
      expect(`b3:${hasher.init().update(first.bytes).digest('hex')}`).toBe(first.cidText);
      expect(first.cidText).toBe(cids[storeType]);
    });

    it(`lattice module verify: ${storeType} against its CID and against another`, async () => {
      const good = await verifyModule(join(ROOT, 'modules', dir), cids[storeType]!);
      expect(good.ok).toBe(true);
      const other = Object.values(cids).find((c) => c !== cids[storeType])!;
      expect((await verifyModule(join(ROOT, 'modules', dir), other)).ok).toBe(false);
    });
  }

  it('the CID does not depend on where the source lies or what its directory is called', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'lattice-cid-'));
    try {
      const copy = join(tmp, 'some', 'where', 'my-counter');
      cpSync(join(ROOT, 'modules', 'counter', 'assembly'), join(copy, 'assembly'), { recursive: true });
      const r = await verifyModule(copy, cids['demo:counter']!);
      expect(r.built.cidText).toBe(cids['demo:counter']);
      expect(r.ok).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
