// The commands on the real node, run as a user runs them: embedded on the data dir and through a daemon, with the
// same answers either way; the daemon's lifecycle (lock, stale socket after kill -9, clean stop) from the CLI.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { BIN, ensureCliBuilt, runCli, spawnChild, tempDir, type Child } from '../../helpers/cli-run.js';

beforeAll(ensureCliBuilt, 180_000);

const lat = (dataDir: string, ...args: string[]) => runCli([...args, '--data-dir', dataDir, '--json'], { timeoutMs: 60_000 });

async function startDaemon(t: TestContext, dataDir: string): Promise<Child> {
  const daemon = spawnChild(t, [BIN, 'daemon', '--data-dir', dataDir, '--json']);
  const ready = await daemon.nextLine(60_000);
  expect(ready).toMatchObject({ event: 'serving', socket: join(dataDir, 'lattice.sock'), pid: daemon.proc.pid });
  return daemon;
}

// Each command is a process that opens the node; on a busy 2-core CI machine a dozen of them take a while.
describe('commands on the real node', { timeout: 240_000 }, () => {
  it('init, store create, exec, query, info, history: the same embedded and through a daemon', async (t) => {
    const dataDir = join(tempDir(t), 'node');
    const init = await lat(dataDir, 'init');
    expect(init.code).toBe(0);
    expect(init.json).toMatchObject({ dataDir });
    expect(init.json.nodeId).toMatch(/^[0-9a-f]{64}$/);
    expect(init.json.meshId).toMatch(/^[0-9a-f]+$/);
    expect((await lat(dataDir, 'init')).json.error.code).toBe('E_ALREADY_INITIALIZED');

    const created = await lat(dataDir, 'store', 'create', '--type', 'demo:counter', '--name', 'clicks');
    expect(created.json).toMatchObject({ storeType: 'demo:counter', name: 'clicks' });
    expect(created.json.storeId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.json.cid).toMatch(/^b3:[0-9a-f]{64}$/);

    const embedded = await lat(dataDir, 'status');
    expect(embedded.json).toMatchObject({ nodeId: init.json.nodeId, daemon: false, stores: 1 });
    const exec = await lat(dataDir, 'store', 'exec', 'clicks', 'increment', 'hits', '5');
    expect(exec.code).toBe(0);
    expect(exec.json.intentions).toHaveLength(1);
    expect(exec.json.intentions[0]).toMatch(/^[0-9a-f]{64}$/);
    // A store id prefix resolves like the name.
    const prefix = created.json.storeId.slice(0, 8);
    expect((await lat(dataDir, 'store', 'query', prefix, 'get', 'hits')).json).toEqual({ result: 5 });

    const daemon = await startDaemon(t, dataDir);
    const served = await lat(dataDir, 'status');
    expect(served.json).toMatchObject({ nodeId: init.json.nodeId, daemon: true, stores: 1 });
    expect((await lat(dataDir, 'store', 'exec', 'clicks', 'increment', 'hits')).code).toBe(0);
    expect((await lat(dataDir, 'store', 'query', 'clicks', 'get', 'hits')).json).toEqual({ result: 6 });
    const throughDaemon = await lat(dataDir, 'store', 'info', 'clicks');
    expect(throughDaemon.json).toMatchObject({ storeId: created.json.storeId, seq: expect.any(Number), paused: false });
    const history = await lat(dataDir, 'store', 'history', 'clicks');
    expect(history.json.entries.length).toBeGreaterThanOrEqual(3);
    for (const e of history.json.entries) expect(new Date(e.time).toISOString()).toBe(e.time);
    // A typed refusal crosses the socket with its code.
    const bad = await lat(dataDir, 'store', 'exec', 'clicks', 'frobnicate', 'x');
    expect(bad.code).toBe(1);
    expect(bad.json.error.code).toBe('E_UNKNOWN_METHOD');

    daemon.proc.kill('SIGTERM');
    expect(await daemon.nextLine()).toEqual({ event: 'stopped', dataDir });
    expect(await daemon.exited).toBe(0);
    expect(existsSync(join(dataDir, 'lattice.sock'))).toBe(false);
    // Embedded again: the same state the daemon left.
    const after = await lat(dataDir, 'store', 'info', 'clicks');
    expect(after.json.stateHash).toBe(throughDaemon.json.stateHash);
    expect((await lat(dataDir, 'store', 'query', 'clicks', 'get', 'hits')).json).toEqual({ result: 6 });
  });

  it('a daemon killed with -9 leaves a socket and a lock that block neither the CLI nor the next daemon', async (t) => {
    const dataDir = join(tempDir(t), 'node');
    expect((await lat(dataDir, 'init')).code).toBe(0);
    const first = await startDaemon(t, dataDir);
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(dataDir, 'lattice.sock'))).toBe(true);
    expect((await lat(dataDir, 'status')).json.daemon).toBe(false);
    const second = await startDaemon(t, dataDir);
    expect((await lat(dataDir, 'status')).json.daemon).toBe(true);
    second.proc.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('a second process on a held data dir gets E_DATA_DIR_LOCKED naming the holder', async (t) => {
    const dataDir = join(tempDir(t), 'node');
    expect((await lat(dataDir, 'init')).code).toBe(0);
    expect((await lat(dataDir, 'store', 'create', '--type', 'demo:counter', '--name', 'c')).code).toBe(0);
    // An embedded watch holds the node open (and the lock) until interrupted.
    const watch = spawnChild(t, [BIN, 'store', 'watch', 'c', '--data-dir', dataDir, '--json']);
    // status holds the dir only briefly, and a watch started meanwhile waits for it (CLI_LOCK_WAIT_MS), so polling
    // with status cannot keep the watch from taking the lock.
    await expect.poll(async () => (await lat(dataDir, 'status')).json?.error?.pid, { timeout: 30_000, interval: 500 }).toBe(watch.proc.pid);
    const refused = await lat(dataDir, 'daemon');
    expect(refused.json.error.pid).toBe(watch.proc.pid);
    expect(refused.code).toBe(1);
    expect(refused.json.error.code).toBe('E_DATA_DIR_LOCKED');
    watch.proc.kill('SIGINT');
    expect(await watch.exited).toBe(0);
  });

  it('store watch --json prints one JSON line per entry through a daemon, and stops on SIGINT', async (t) => {
    const dataDir = join(tempDir(t), 'node');
    expect((await lat(dataDir, 'init')).code).toBe(0);
    expect((await lat(dataDir, 'store', 'create', '--type', 'demo:counter', '--name', 'c')).code).toBe(0);
    await startDaemon(t, dataDir);
    const watch = spawnChild(t, [BIN, 'store', 'watch', 'c', '--data-dir', dataDir, '--json']);
    await new Promise((r) => setTimeout(r, 1500)); // the watch subscribes before the writes
    for (let i = 0; i < 3; i++) expect((await lat(dataDir, 'store', 'exec', 'c', 'increment', 'k')).code).toBe(0);
    const lines = [await watch.nextLine(), await watch.nextLine(), await watch.nextLine()];
    const seqs = lines.map((l) => l.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const l of lines) expect(l).toMatchObject({ result: 'applied', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    watch.proc.kill('SIGINT');
    expect(await watch.exited).toBe(0);
  });

  it('an uninitialized data dir is a typed error', async (t) => {
    const r = await lat(join(tempDir(t), 'nothing'), 'status');
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('E_NOT_INITIALIZED');
  });
});

describe('a module author\'s path', () => {
  it('module init, build (reproducible), test, publish, store create, exec, query', async (t) => {
    const dir = tempDir(t);
    const dataDir = join(dir, 'node');
    const mod = join(dir, 'mymod');
    expect((await lat(dataDir, 'init')).code).toBe(0);
    const scaffold = await lat(dataDir, 'module', 'init', mod);
    expect(scaffold.json).toMatchObject({ dir: mod });
    const b1 = await lat(dataDir, 'module', 'build', mod);
    const b2 = await lat(dataDir, 'module', 'build', mod);
    expect(b1.json.cid).toMatch(/^b3:[0-9a-f]{64}$/);
    expect(b2.json.cid).toBe(b1.json.cid);
    expect(b1.json.size).toBeGreaterThan(0);
    const tested = await lat(dataDir, 'module', 'test', mod);
    expect(tested.json).toMatchObject({ passed: true, cid: b1.json.cid });
    expect((await lat(dataDir, 'module', 'verify', mod, b1.json.cid)).json).toEqual({ match: true, cid: b1.json.cid });
    const wrong = await lat(dataDir, 'module', 'verify', mod, 'b3:' + '0'.repeat(64));
    expect(wrong.code).toBe(1);
    expect(wrong.json.error).toMatchObject({ code: 'E_CID_MISMATCH', match: false, cid: b1.json.cid });
    const published = await lat(dataDir, 'module', 'publish', mod, '--type', 'acme:mymod');
    expect(published.json).toMatchObject({ cid: b1.json.cid, storeType: 'acme:mymod', hotfix: false });
    const listed = await lat(dataDir, 'module', 'list');
    expect(listed.json.modules.map((m: { storeType?: string }) => m.storeType)).toContain('acme:mymod');
    expect((await lat(dataDir, 'store', 'create', '--type', 'acme:mymod', '--name', 's1')).code).toBe(0);
    expect((await lat(dataDir, 'store', 'exec', 's1', 'bump', 'apples')).code).toBe(0);
    expect((await lat(dataDir, 'store', 'exec', 's1', 'bump', 'apples')).code).toBe(0);
    expect((await lat(dataDir, 'store', 'query', 's1', 'get', 'apples')).json).toEqual({ result: 2 });
  }, 240_000);
});
