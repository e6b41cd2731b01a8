// Two processes over Iroh on loopback: frames both ways, ids authenticated, and the child exits on its own.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { bytesEqual, newStoreId, NodeKey, toHex } from '../../../host/model/index.js';
import { createIrohTransport, type IrohTransport } from '../../../host/net/iroh-transport.js';
import { MessageStream } from '../../../host/net/message-stream.js';

const child = fileURLToPath(new URL('../../helpers/net-iroh-child.ts', import.meta.url));
let parent: IrohTransport | undefined;

afterEach(async () => {
  await parent?.close();
});

it('exchanges requests both ways with a child process and lets it exit cleanly', { timeout: 45_000 }, async () => {
  parent = await createIrohTransport({ key: NodeKey.generate() }, { bindAddr: '127.0.0.1:0' });
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, PARENT_ID: toHex(parent.nodeId), PARENT_ADDRS: JSON.stringify(parent.addrs()), LATTICE_LOG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  try {
    const hello = JSON.parse(((await lines.next()).value as string | undefined) ?? 'null') as { nodeId: string; addrs: string[] } | null;
    expect(hello?.addrs.length).toBeGreaterThan(0);

    const incoming = parent.incoming()[Symbol.asyncIterator]();
    const conn = (await incoming.next()).value!;
    expect(toHex(conn.remoteNodeId)).toBe(hello!.nodeId); // authenticated by QUIC, not claimed

    // child → parent
    const served = new MessageStream(await conn.acceptStream(), parent.scores);
    expect(await served.expect('req')).toEqual({ t: 'req', kind: 'ping' });
    const ping = await served.expect('ping');
    await served.send({ t: 'pong', nonce: ping.nonce });
    expect(await served.receive()).toBeNull();
    await served.close();

    // parent → child, with an intention-sized payload
    const storeId = newStoreId();
    const blob = new Uint8Array(100_000).map((_, i) => (i * 13) & 255);
    const ask = new MessageStream(await conn.openStream(), parent.scores);
    await ask.send({ t: 'req', kind: 'push', storeId });
    await ask.send({ t: 'push', storeId, intentions: [blob] });
    const reply = await ask.expect('intentions');
    expect(bytesEqual(reply.intentions[0]!, blob)).toBe(true);
    await ask.close();

    await conn.close('test done');
    expect(JSON.parse(((await lines.next()).value as string | undefined) ?? 'null')).toEqual({ closed: { remote: true, reason: expect.stringContaining('test done') } });
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/DeprecationWarning/);
  } finally {
    proc.kill('SIGKILL');
  }
});
