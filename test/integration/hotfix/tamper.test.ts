// The replay re-hashes each intention it applies against its witness record: stored intention bytes changed after
// ingest stop the replay with E_TAMPERED naming the seq (never a silent skip, never a verdict), and nothing is written.
import { beforeAll, expect, it } from 'vitest';
import { fromHex, isLatticeError, type StoreId } from '../../../host/model/index.js';
import { createNode, variant } from './helpers.js';

let fast: Uint8Array;
beforeAll(async () => {
  fast = await variant('counter-fast');
}, 120_000);

it('a byte flipped in a stored intention stops the replay with E_TAMPERED at its seq', { timeout: 60_000 }, async () => {
  const { node } = await createNode();
  const { storeId } = await node.storeCreate('demo:counter', 'clicks');
  const store = await node.store(fromHex(storeId, 16) as StoreId);
  for (let i = 0; i < 12; i++) await node.storeExec('clicks', 'increment', [`k${i % 3}`, String(i + 1)]);
  expect((await node.moduleReplay('clicks', fast)).equivalent).toBe(true);

  const seq = store.seq - 4;
  const [entry] = store.history({ from: seq, to: seq });
  const key = Buffer.from(entry!.hash);
  const t = node.env.tables.intentions;
  const bytes = new Uint8Array(t.get(key)!);
  bytes[bytes.length - 64 - 1]! ^= 0x01; // the last byte of the encoding (its ops), before the signature
  node.env.transaction(() => t.putSync(key, bytes));
  const before = store.info();

  const err = await node.moduleReplay('clicks', fast).then(() => null, (e: unknown) => e);
  expect(isLatticeError(err) && { code: err.code, seq: err.details.seq }).toEqual({ code: 'E_TAMPERED', seq });
  expect(store.info()).toEqual(before);
});
