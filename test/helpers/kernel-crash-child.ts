// The crash-trial child: opens (or creates) one counter store in a data dir and ingests in a loop, local submits
// and batches of remote intentions side by side, printing each hash once its commit has returned (durable). The
// parent kills it with SIGKILL at a random moment and checks the store (kernel-crash.ts).
import { COUNTER_STORE_TYPE, encodeCounterOp, nativeCounterOpener, StoreManager } from '../../host/kernel/index.js';
import { bytesEqual, decodeSigned, encodeAppOps, encodeSigned, fromHex, NodeKey, signIntention, toHex, ZERO_HASH, type Hash, type StoreId } from '../../host/model/index.js';
import { openStorage } from '../../host/storage/index.js';

const [dir, nodeSeedHex, storeIdHex, remoteSeedHex, seedText] = process.argv.slice(2) as [string, string, string, string, string];
const nodeKey = NodeKey.fromSeed(fromHex(nodeSeedHex, 32));
const remote = NodeKey.fromSeed(fromHex(remoteSeedHex, 32));
const storeId = fromHex(storeIdHex, 16) as StoreId;
let state = Number(seedText) >>> 0;
const random = (): number => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 4294967296;
};

const env = openStorage(dir, { mapSize: 1024 ** 3 });
const manager = new StoreManager({ env, nodeKey, openers: { [COUNTER_STORE_TYPE]: nativeCounterOpener } });
const store = manager.peek(storeId)
  ? await manager.open(storeId)
  : await manager.create({ storeId, storeType: COUNTER_STORE_TYPE, genesis: {} });
const genesis = store.info().genesis!;
const out = (line: string): boolean => process.stdout.write(line + '\n');
out('ready');

function remoteBatch(): Uint8Array[] {
  const tip = store.heads().find((h) => bytesEqual(h.author, remote.publicKey));
  let prev: Hash = tip?.hash ?? ZERO_HASH;
  let wall = tip ? decodeSigned(store.getSigned(tip.hash)!, { verify: false }).intention.timestamp.wallMs : 0;
  const n = 1 + Math.floor(random() * (random() < 0.2 ? 200 : 20));
  const batch: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    wall = Math.max(Date.now(), wall + 1);
    const s = signIntention(remote, {
      author: remote.publicKey, timestamp: { wallMs: wall, counter: 0 }, storeId, storePrev: prev,
      condition: prev === ZERO_HASH ? [genesis] : [], ops: encodeAppOps(encodeCounterOp(`r${i % 5}`, 1)),
    });
    prev = s.hash;
    batch.push(encodeSigned(s));
  }
  return random() < 0.5 ? batch.reverse() : batch; // backwards: floats, then cascades in the same batch
}

for (;;) {
  const local = (async () => {
    const s = await store.submit(encodeAppOps(encodeCounterOp(`l${Math.floor(random() * 5)}`, 1 + Math.floor(random() * 9))));
    out(`L ${toHex(s.hash)} ${toHex(s.intention.storePrev)}`);
  })();
  const batch = remoteBatch();
  const ingest = store.ingest(batch).then((r) => {
    if (r.errors.length > 0) throw r.errors[0]!.error;
    for (const b of batch) out(`R ${toHex(decodeSigned(b, { verify: false }).hash)}`);
  });
  await Promise.all([local, ingest]);
}
