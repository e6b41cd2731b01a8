// bench/net.ts: IrohTransport throughput on loopback through the binding's Array<number> bytes (DESIGN §7), one
// stream with large and small frames and four streams at once, in MiB/s.
import { MAX_FRAME, NodeKey } from '../host/model/index.js';
import { createIrohTransport } from '../host/net/iroh-transport.js';
import type { Connection } from '../host/net/transport.js';
import { writeResults, type BenchRow } from './lib.js';

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
  return got / 1048576 / ((performance.now() - started) / 1000);
}

const a = await createIrohTransport({ key: NodeKey.generate() }, { bindAddr: '127.0.0.1:0' });
const b = await createIrohTransport({ key: NodeKey.generate() }, { bindAddr: '127.0.0.1:0' });
try {
  const next = b.incoming()[Symbol.asyncIterator]().next();
  const ab = await a.connect(b.nodeId, b.addrs());
  const ba = (await next).value as Connection;
  const rows: BenchRow[] = [
    { name: 'iroh one stream, 256 KiB frames', value: await measure(ab, ba, MAX_FRAME, 16 * 1048576, 1), unit: 'MiB/s' },
    { name: 'iroh one stream, 16 KiB frames', value: await measure(ab, ba, 16 * 1024, 4 * 1048576, 1), unit: 'MiB/s' },
    { name: 'iroh four streams, 256 KiB frames', value: await measure(ab, ba, MAX_FRAME, 16 * 1048576, 4), unit: 'MiB/s' },
  ];
  writeResults('net', rows);
} finally {
  await a.close();
  await b.close();
}
