// A node killed with SIGKILL while it verifies a received ModuleUpgrade (DESIGN §4.4: the replay never touches live
// state) restarts on the old module with its state intact and the upgrade still held, then verifies and applies it:
// a child process (verify-child.ts) opens a node holding another member's upgrade, gets the module's bytes, and is
// killed after the first batch of the gate's replay; the parent reopens the data dir.
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { encodeSystemOp } from '../../../host/kernel/index.js';
import { blake3, cidToString, DEFAULT_LIMITS, fromHex, toHex, type Cid, type StoreId } from '../../../host/model/index.js';
import { waitFor } from '../../helpers/node-wait.js';
import { addMembers, Authors, counterHistory, counterOp, createNode, ingestAll, killMidReplay, open, ROOT, variant } from './helpers.js';

let fast: Uint8Array;
beforeAll(async () => {
  fast = await variant('counter-fast');
}, 120_000);

const COUNT = 1000;
const CHILD = join(ROOT, 'test', 'integration', 'hotfix', 'verify-child.ts');


it('a node killed with SIGKILL while verifying a received upgrade restarts on the old module with its state intact, then verifies and applies it', { timeout: 150_000 }, async () => {
  const { node, dataDir } = await createNode();
  const { storeId: id } = await node.storeCreate('demo:counter', 'clicks');
  const storeId = fromHex(id, 16) as StoreId;
  const store = await node.store(storeId);
  const authors = new Authors(store, 3, 29);
  await addMembers(node, authors.keys);
  await ingestAll(store, counterHistory(store, authors, COUNT, (i) => `k${i % 11}`), 500);
  // Another member's upgrade to a module this node does not hold yet, and a write after it: both held.
  const cid = new Uint8Array(blake3(fast)) as Cid;
  const up = authors.write(store, 0, encodeSystemOp({ op: 'ModuleUpgrade', cid, limits: { ...DEFAULT_LIMITS } }));
  const after = authors.write(store, 1, counterOp('k0', 9), [up]);
  expect(await store.ingest([up.bytes, after.bytes])).toMatchObject({ witnessed: 0, held: 1, floated: 1 });
  const before = await node.storeInfo('clicks');
  await node.close();

  const { scratch } = await killMidReplay(CHILD, dataDir, fast);

  const again = await open(dataDir);
  try {
    const reopened = again.openedStore(storeId)!;
    // Old module, same state and chain, no verdict, the upgrade and what follows it still held.
    const info = await again.storeInfo('clicks');
    expect({ cid: info.cid, seq: info.seq, stateHash: info.stateHash, paused: info.paused, floating: info.floating })
      .toEqual({ cid: before.cid, seq: before.seq, stateHash: before.stateHash, paused: false, floating: before.floating });
    expect(reopened.isWitnessed(up.hash)).toBe(false);
    expect(again.upgrades.verdicts.list(storeId)).toEqual([]);
    expect((await again.storeVerify('clicks')).ok).toBe(true);
    // The module's bytes are here (the child stored them): the gate verifies the upgrade and applies what waited on it.
    await waitFor('the upgrade is verified and what waited on it applied', () => reopened.isWitnessed(after.hash));
    expect(again.upgrades.metrics).toMatchObject({ replays: 1, passed: 1, diverged: 0 });
    expect(again.upgrades.verdicts.list(storeId)).toEqual([expect.objectContaining({ equivalent: true, intentions: COUNT, upgrade: up.hash })]);
    const history = await again.storeHistory(id, {});
    expect(history.find((e) => e.hash === toHex(after.hash))?.cid).toBe(cidToString(cid));
    expect(scratch()).toEqual([]); // swept by the replay that completed
  } finally {
    await again.close();
  }
});
