// Large transfers over IrohTransport on loopback: frames of the maximum size on one and on four concurrent streams
// all arrive, intact and in order. (Throughput figures are a benchmark: bench/net.ts.)
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

/** Sends `frames` numbered frames of `size` bytes on each of `streams` streams; checks every byte on arrival. */
async function transfer(ab: Connection, ba: Connection, size: number, frames: number, streams: number): Promise<void> {
  const receivers = Array.from({ length: streams }, async () => {
    const s = await ba.acceptStream();
    let n = 0;
    for await (const f of s) {
      expect(f.length).toBe(size);
      const stream = f[0]!;
      expect(f[1]).toBe(n & 0xff);
      expect(f[size - 1]).toBe((stream + n) & 0xff);
      n++;
    }
    return n;
  });
  await Promise.all(Array.from({ length: streams }, async (_, k) => {
    const s = await ab.openStream();
    for (let n = 0; n < frames; n++) {
      const f = new Uint8Array(size).fill(0xa5);
      f[0] = k;
      f[1] = n & 0xff;
      f[size - 1] = (k + n) & 0xff;
      await s.send(f);
    }
    await s.close();
  }));
  expect(await Promise.all(receivers)).toEqual(Array.from({ length: streams }, () => frames));
}

it('carries maximum-size frames intact on one stream and on four at once', { timeout: 60_000 }, async () => {
  const [ab, ba] = await pair();
  await transfer(ab, ba, MAX_FRAME, 8, 1);
  await transfer(ab, ba, MAX_FRAME, 4, 4);
  await transfer(ab, ba, 100, 200, 2);
});
