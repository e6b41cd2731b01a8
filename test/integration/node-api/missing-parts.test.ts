// A data dir with a part of its node missing is refused, never made anew or opened empty: a deleted node.key (init
// would make a new identity and orphan the stores), a deleted lmdb/data.mdb (the node would look empty).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { initNode, openNode } from '../../../host/node/node.js';
import { tempDir } from '../../helpers/cli-run.js';
import { typedError } from '../../helpers/embedded-node.js';

async function nodeWithStore(dir: string): Promise<void> {
  await initNode(dir);
  const node = await openNode({ dataDir: dir });
  await node.storeCreate('demo:counter', 'clicks');
  await node.close();
}

it('node.key deleted: opening and init are E_DATA_DIR_CORRUPT naming it, and init writes nothing', async (t) => {
  const dir = join(tempDir(t), 'n');
  await nodeWithStore(dir);
  const config = readFileSync(join(dir, 'config.json'), 'utf8');
  rmSync(join(dir, 'node.key'));
  const open = await typedError(openNode({ dataDir: dir }));
  expect(open.code).toBe('E_DATA_DIR_CORRUPT');
  expect(open.details['file']).toBe(join(dir, 'node.key'));
  expect((await typedError(initNode(dir))).code).toBe('E_DATA_DIR_CORRUPT');
  expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(config);
});

it('lmdb/data.mdb deleted: opening is E_STORAGE_CORRUPT naming it, not an empty node', async (t) => {
  const dir = join(tempDir(t), 'n');
  await nodeWithStore(dir);
  rmSync(join(dir, 'lmdb', 'data.mdb'));
  const e = await typedError(openNode({ dataDir: dir }));
  expect(e.code).toBe('E_STORAGE_CORRUPT');
  expect(e.details['file']).toBe(join(dir, 'lmdb', 'data.mdb'));
});

it('an empty dir is still E_NOT_INITIALIZED, and init makes a node there', async (t) => {
  const dir = join(tempDir(t), 'n');
  expect((await typedError(openNode({ dataDir: dir }))).code).toBe('E_NOT_INITIALIZED');
  await nodeWithStore(dir);
});
