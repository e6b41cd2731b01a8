// Throughput of IrohTransport on loopback (DESIGN §7 measured 4–5 MiB/s for one stream through the binding's
// Array<number> bytes). Prints the figures; asserts only a floor far below them, so a broken path fails.
import { afterEach, expect, it } from 'vitest';
import { MAX_FRAME, NodeKey } from '../../../host/model/index.js';
import { createIrohTransport, type IrohTransport } from '../../../host/net/iroh-transport.js';
import type { Connection } from '../../../host/net/transport.js';

const open: IrohTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function pair(): Promise<[Connection, Connection]> {
  const a = await createIrohTransport({ key: NodeKey.generate() }, { bindAddr: '127.0.0.1:0' });
  const b = await createIrohTransport({ key: NodeKey.generate() }, { bindAddr: '127.0.0.1:0' });
  open.push(a, b);
  const next = b.incoming()[Symbol.asyncIterator]().next();
  const ab = await a.connect(b.nodeId, b.addrs());
  return [ab, (await next).value as Connection];
}

/** MiB/s moving `total` bytes in frames of `frameSize` over each of `streams` streams at once. */
async function measure(ab: Connection, ba: Connection, frameSize: number, total: number, streams: number): Promise<number> {
  const frame = new Uint8Array(frameSize).fill(0xa5);
  const started = performance.now();
  const receivers = Array.from({ length: streams }, async () => {
    const s = await ba.acceptStream();
    let got = 0;
    for await (const f of s) got += f.length;
    return got;
  });
  await Promise.all(Array.from({ length: streams }, async () => {
    const s = await ab.openStream();
    for (let sent = 0; sent < total / streams; sent += frameSize) await s.send(frame);
    await s.close();
  }));
  const got = (await Promise.all(receivers)).reduce((x, y) => x + y, 0);
  expect(got).toBeGreaterThanOrEqual(total);
  return got / 1048576 / ((performance.now() - started) / 1000);
}

it('moves MiB/s on one stream and on four', { timeout: 60_000 }, async () => {
  const [ab, ba] = await pair();
  const figures = {
    oneStream256KiB: await measure(ab, ba, MAX_FRAME, 8 * 1048576, 1),
    oneStream16KiB: await measure(ab, ba, 16 * 1024, 2 * 1048576, 1),
    fourStreams256KiB: await measure(ab, ba, MAX_FRAME, 8 * 1048576, 4),
  };
  console.log('iroh loopback throughput (MiB/s):', JSON.stringify(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v * 100) / 100]))));
  for (const v of Object.values(figures)) expect(v).toBeGreaterThan(0.25);
});
