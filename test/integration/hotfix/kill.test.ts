// A node killed during a hot-fix verification (DESIGN §4.4: the replay never touches live state) restarts on the old
// module with its state intact: a child process publishes an equivalent module over a store of 2000 intentions and
// is killed with SIGKILL after its first replay batch; reopened, the registry and the store still name the old CID,
// the state hash and the chain are as before, and the next replay removes the dead child's scratch environment.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { fromHex, type StoreId } from '../../../host/model/index.js';
import { openNode } from '../../../host/node/node.js';
import { addMembers, Authors, counterHistory, createNode, ingestAll, killMidReplay, ROOT, variant } from './helpers.js';

let fast: Uint8Array;
beforeAll(async () => {
  fast = await variant('counter-fast');
}, 120_000);

const COUNT = 2000;
const CHILD = join(ROOT, 'test', 'integration', 'hotfix', 'publish-child.ts');


it('a node killed mid-verification restarts on the old module with its state intact', { timeout: 120_000 }, async () => {
  const { node, dataDir } = await createNode();
  const { storeId: id } = await node.storeCreate('demo:counter', 'clicks');
  const store = await node.store(fromHex(id, 16) as StoreId);
  const authors = new Authors(store, 4, 7);
  await addMembers(node, authors.keys);
  await ingestAll(store, counterHistory(store, authors, COUNT, (i) => `k${i % 100}`), 1000);
  const before = await node.storeInfo('clicks');
  const registry = (await node.moduleList()).find((m) => m.storeType === 'demo:counter')!.cid;
  await node.close();

  const { scratch, wasmFile } = await killMidReplay(CHILD, dataDir, fast, ['demo:counter', 'hold']);

  const reopened = await openNode({ dataDir });
  try {
    const after = await reopened.storeInfo('clicks');
    expect(after).toMatchObject({ seq: before.seq, stateHash: before.stateHash, cid: before.cid, paused: false });
    expect((await reopened.moduleList()).find((m) => m.storeType === 'demo:counter')!.cid).toBe(registry);
    expect((await reopened.storeVerify('clicks')).ok).toBe(true);
    expect((await reopened.storeHistory('clicks', { from: before.seq })).map((e) => e.seq)).toEqual([before.seq]);
    // The node works on: the next check sweeps the dead child's scratch env and passes.
    expect(await reopened.moduleReplay('clicks', fast)).toEqual({ equivalent: true, intentions: COUNT, firstDivergence: null });
    expect(scratch()).toEqual([]);
    expect(existsSync(wasmFile)).toBe(true);
  } finally {
    await reopened.close();
  }
});
