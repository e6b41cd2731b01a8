// The replication scenarios once over real Iroh on loopback (STYLE §17): two nodes in one process (join, writes
// on both sides while one is offline, one symmetric sync, equal state), and two processes (a child node spawned
// with `node --import tsx`: join, concurrent writes, sync, equal state hashes, clean exit).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it, onTestFinished } from 'vitest';
import { initNode, openNode, type Node } from '../../../host/node/node.js';
import { get, puts } from '../../helpers/node-ops.js';
import { addWriter } from '../../helpers/node-writer.js';

const child = fileURLToPath(new URL('../../helpers/node-iroh-child.ts', import.meta.url));

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'lattice-iroh-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

async function irohNode(dataDir: string): Promise<Node> {
  const node = await openNode({ dataDir, network: true });
  onTestFinished(() => node.close());
  return node;
}

it('two nodes in one process: join, writes on both while one is offline, one sync, equal state', { timeout: 90_000 }, async () => {
  const root = tempRoot();
  const [ia, ib] = await Promise.all([initNode(join(root, 'a')), initNode(join(root, 'b'))]);
  const a = await irohNode(ia.dataDir);
  let b = await irohNode(ib.dataDir);
  await a.storeCreate('core:kvstore', 'kv');
  await a.storeExec('kv', 'put', ['hello', 'iroh']);
  await b.peerJoin((await a.peerInvite({})).token);
  expect(await get(b, 'hello')).toEqual(['iroh', false]);

  await b.close();
  const writer = await addWriter(a);
  await a.openedStore(a.resolveStore('kv').storeId)!.ingest(writer.next(2000));
  b = await irohNode(ib.dataDir);
  await puts(b, 'b', 5); // not connected yet: nothing is pushed
  const r = await b.sync();
  expect(r).toMatchObject({ peers: 1, sent: 5 });
  expect(r.received).toBeGreaterThanOrEqual(2001);
  expect(await get(a, 'b4')).toEqual(['b-v4', false]);
  expect(await get(b, 'w000001999')).toEqual(['v', false]);
  expect((await b.storeInfo('kv')).stateHash).toBe((await a.storeInfo('kv')).stateHash);
});

it('two processes: a child node joins, both write, one sync, equal state hashes, the child exits cleanly', { timeout: 90_000 }, async () => {
  const root = tempRoot();
  const [ia, ic] = await Promise.all([initNode(join(root, 'a')), initNode(join(root, 'child'))]);
  const a = await irohNode(ia.dataDir);
  await a.storeCreate('core:kvstore', 'kv');
  const proc = spawn(process.execPath, ['--import', 'tsx', child], { env: { ...process.env, NODE_DIR: ic.dataDir, LATTICE_LOG: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  onTestFinished(() => void proc.kill('SIGKILL'));
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const l = await lines.next();
    if (l.done) throw new Error(`child ended: ${stderr}`);
    return JSON.parse(l.value as string) as Record<string, unknown>;
  };
  const ask = async (cmd: Record<string, unknown>): Promise<Record<string, unknown>> => {
    proc.stdin.write(JSON.stringify(cmd) + '\n');
    return next();
  };
  expect(await next()).toMatchObject({ ready: true, nodeId: ic.nodeId });

  expect(await ask({ cmd: 'join', token: (await a.peerInvite({})).token })).toMatchObject({ meshId: ia.meshId, stores: 1 });
  const [childPut] = await Promise.all([ask({ cmd: 'put', key: 'c', value: 'child', count: 20 }), puts(a, 'a', 20)]);
  expect(childPut).toEqual({ ok: true });
  expect(await ask({ cmd: 'sync' })).toMatchObject({ peers: 1 });
  const theirs = await ask({ cmd: 'hash' });
  expect(theirs['stateHash']).toBe((await a.storeInfo('kv')).stateHash);
  expect(await get(a, 'c19')).toEqual(['child', false]);
  expect(await ask({ cmd: 'close' })).toEqual({ closed: true });
  proc.stdin.end();
  expect(await exited).toBe(0);
  expect(stderr).not.toMatch(/Error/);
});
