// The daemon's RPC layer on a fake node: calls and results (bytes survive msgpack), typed errors keep their code,
// streaming with cancel, refusal of unknown methods and garbage, and connectDaemon's answer when nobody listens.
import { createServer, connect, type Server } from 'node:net';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { isLatticeError, LatticeError } from '../../../host/model/errors.js';
import { connectDaemon, type DaemonClient } from '../../../host/node/client.js';
import { encodeMessage, errorFromWire, MessageReader, serveConnection } from '../../../host/node/rpc.js';
import { fakeNode, type FakeNode } from '../../helpers/cli-fake-node.js';
import { tempDir } from '../../helpers/cli-run.js';

async function serve(t: TestContext, node: FakeNode = fakeNode()): Promise<{ path: string; server: Server; client: DaemonClient; node: FakeNode }> {
  const path = join(tempDir(t), 's.sock');
  const server = createServer((socket) => serveConnection(socket, node));
  await new Promise<void>((r) => server.listen(path, r));
  t.onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  const client = await connectDaemon(path);
  if (!client) throw new Error('no client');
  t.onTestFinished(() => client.close());
  return { path, server, client, node };
}

async function rejection(p: Promise<unknown>): Promise<LatticeError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LatticeError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('RPC over the Unix socket', () => {
  it('forwards calls and their parameters and answers, bytes as Uint8Array', async (t) => {
    const { client, node } = await serve(t);
    const wasm = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const published = await client.modulePublish(wasm, 'acme:x');
    expect(published).toEqual({ cid: 'b3:0061736d01000000', storeType: 'acme:x', hotfix: false, verified: true });
    const received = node.calls.find((c) => c.method === 'modulePublish')!.params[0];
    expect(received).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(received)).toBe(false);
    expect([...(received as Uint8Array)]).toEqual([...wasm]);
    expect(await client.storeQuery('s', 'get', ['a', 'b', '-3'])).toEqual({ result: 3 });
    expect(node.calls.at(-1)).toEqual({ method: 'storeQuery', params: ['s', 'get', ['a', 'b', '-3']] });
    expect(await client.storeCreate('demo:counter')).toEqual({ storeId: '44'.repeat(16), storeType: 'demo:counter', cid: 'b3:00' });
    expect(await client.storeHistory('s', { from: 1, author: 'cd' })).toHaveLength(2);
    expect(node.calls.at(-1)).toEqual({ method: 'storeHistory', params: ['s', { from: 1, author: 'cd' }] });
  });

  it('answers concurrent calls by id', async (t) => {
    const { client } = await serve(t);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => client.storeQuery('s', 'get', Array(i).fill('x'))));
    expect(answers.map((a) => a.result)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('marks status as served by a daemon', async (t) => {
    const { client } = await serve(t);
    expect((await client.status()).daemon).toBe(true);
  });

  it('re-throws typed errors with their code and details', async (t) => {
    const { client } = await serve(t);
    const e = await rejection(client.moduleShow('b3:ff'));
    expect(e.code).toBe('E_MODULE_NOT_FOUND');
    expect(e.message).toBe('no module b3:ff');
    expect(e.details).toEqual({ cid: 'b3:ff', sizes: [1, 2] });
    expect((await rejection(client.storeCreate('nope:missing'))).code).toBe('E_UNKNOWN_STORE_TYPE');
    // An untyped failure inside the node is a host fault, not a crash of the daemon.
    const fault = await rejection(client.storeInfo('s'));
    expect(fault.code).toBe('E_HOST_FAULT');
    expect(fault.message).toBe('disk on fire');
    expect(await client.storeResume('s')).toEqual({ ok: true });
  });

  it('maps a code the client does not know to E_DAEMON, keeping the code', () => {
    const e = errorFromWire({ code: 'E_FROM_THE_FUTURE', message: 'new', details: { a: 1 } });
    expect(e.code).toBe('E_DAEMON');
    expect(e.details).toEqual({ a: 1, daemonCode: 'E_FROM_THE_FUTURE' });
  });

  it('streams watch entries until the client aborts, and the node sees the abort', async (t) => {
    const { client, node } = await serve(t);
    const ac = new AbortController();
    const seqs: number[] = [];
    for await (const e of client.storeWatch('s', ac.signal)) {
      seqs.push(e.seq);
      if (seqs.length === 5) ac.abort();
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    const reason = await node.watchAborted;
    expect(isLatticeError(reason, 'E_ABORTED')).toBe(true);
    // The connection goes on serving calls after a cancelled stream.
    expect(await client.storeVerify('s')).toEqual({ ok: true, records: 4 });
  });

  it('ends a stream that the node ends, and fails one that the node fails', async (t) => {
    const { client } = await serve(t, fakeNode({ watchEntries: 3 }));
    const seqs: number[] = [];
    for await (const e of client.storeWatch('s', new AbortController().signal)) seqs.push(e.seq);
    expect(seqs).toEqual([1, 2, 3]);
    const iterate = async (): Promise<void> => { for await (const _ of client.storeWatch('missing', new AbortController().signal)) { /* none */ } };
    expect((await rejection(iterate())).code).toBe('E_UNKNOWN_STORE');
  });

  it('a consumer that breaks out of a watch cancels it', async (t) => {
    const { client, node } = await serve(t);
    for await (const e of client.storeWatch('s', new AbortController().signal)) if (e.seq === 2) break;
    expect(isLatticeError(await node.watchAborted, 'E_ABORTED')).toBe(true);
  });

  it('fails pending calls with E_DAEMON when the daemon goes away', async (t) => {
    const path = join(tempDir(t), 'hang.sock');
    const server = createServer((socket) => socket.on('data', () => socket.destroy()));
    await new Promise<void>((r) => server.listen(path, r));
    t.onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    const client = (await connectDaemon(path))!;
    expect((await rejection(client.status())).code).toBe('E_DAEMON');
    expect((await rejection(client.sync())).code).toBe('E_DAEMON');
  });

  it('refuses unknown methods (close included) and garbage without stopping', async (t) => {
    const { path, client, node } = await serve(t);
    const raw = connect(path);
    const reader = new MessageReader();
    const answers: Record<string, unknown>[] = [];
    raw.on('data', (d: Buffer) => answers.push(...reader.push(d)));
    raw.write(encodeMessage({ id: 7, method: 'close', params: [] }));
    raw.write(encodeMessage({ id: 8, method: 'status', params: 'nope' as unknown as unknown[] }));
    await new Promise((r) => setTimeout(r, 100));
    raw.write(Buffer.from([0, 0, 0, 3, 0xc1, 0xc1, 0xc1])); // 0xc1 is never valid msgpack
    await new Promise<void>((r) => raw.on('close', () => r()));
    expect(answers.map((a) => [a['id'], (a['error'] as { code: string }).code])).toEqual([[7, 'E_BAD_ARGUMENT'], [8, 'E_BAD_FRAME'], [0, 'E_BAD_FRAME']]);
    expect(node.closed).toBe(0);
    expect(await client.storeRebuild('s')).toEqual({ seq: 4, stateHash: '66'.repeat(32) });
  });

  it('connectDaemon answers null when no socket exists or nobody listens on it', async (t) => {
    const dir = tempDir(t);
    expect(await connectDaemon(join(dir, 'none.sock'))).toBeNull();
    // A socket file with no listener: what kill -9 leaves behind.
    const path = join(dir, 'stale.sock');
    const child = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(child.signal).toBe('SIGKILL');
    expect(existsSync(path)).toBe(true);
    expect(await connectDaemon(path)).toBeNull();
    writeFileSync(join(dir, 'plain'), 'x');
    await expect(connectDaemon(join(dir, 'plain'))).resolves.toBeNull();
  });
});
