// Real processes: one process per data dir (E_DATA_DIR_LOCKED naming the holder, takeover after kill -9), and the
// daemon's socket (mode 0600, a stale socket after kill -9 does not block the next start, a live daemon is not
// clobbered, SIGTERM stops it cleanly).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLatticeError } from '../../../host/model/errors.js';
import { connectDaemon } from '../../../host/node/client.js';
import { dataDirPaths } from '../../../host/node/data-dir.js';
import { acquireLock, acquireLockWaiting } from '../../../host/node/lock.js';
import { CHILD, spawnChild, tempDir } from '../../helpers/cli-run.js';

describe('data dir lock', () => {
  it('gives a second process E_DATA_DIR_LOCKED naming the holder, and is taken over after kill -9', async (t) => {
    const dir = tempDir(t);
    const holder = spawnChild(t, [CHILD, 'lock', dir], { tsx: true });
    const { locked } = await holder.nextLine();
    expect(locked).toBe(holder.proc.pid);

    const second = spawnChild(t, [CHILD, 'lock', dir], { tsx: true });
    const refused = await second.nextLine();
    expect(refused.error.code).toBe('E_DATA_DIR_LOCKED');
    expect(refused.error.pid).toBe(holder.proc.pid);
    expect(refused.error.message).toContain(String(holder.proc.pid));
    expect(await second.exited).toBe(1);

    holder.proc.kill('SIGKILL');
    await holder.exited;
    const third = spawnChild(t, [CHILD, 'lock', dir], { tsx: true });
    expect((await third.nextLine()).locked).toBe(third.proc.pid);
  });

  it('a waiting taker gets the lock once the holder lets go, and E_DATA_DIR_LOCKED if it does not in time', async (t) => {
    const dir = tempDir(t);
    const holder = spawnChild(t, [CHILD, 'lock', dir], { tsx: true });
    expect((await holder.nextLine()).locked).toBe(holder.proc.pid);

    const started = Date.now();
    let refused: unknown;
    try { await acquireLockWaiting(dir, 300); } catch (e) { refused = e; }
    expect(isLatticeError(refused, 'E_DATA_DIR_LOCKED')).toBe(true);
    expect((refused as { details: { pid: number } }).details.pid).toBe(holder.proc.pid);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);

    const waiting = acquireLockWaiting(dir, 30_000);
    setTimeout(() => holder.proc.kill('SIGKILL'), 200);
    const lock = await waiting;
    expect(readFileSync(lock.lockFile, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('refuses a second lock in the same process, releases once, and takes over a lock with a dead or own stale pid', (t) => {
    const dir = tempDir(t);
    const lock = acquireLock(dir);
    expect(readFileSync(lock.lockFile, 'utf8').trim()).toBe(String(process.pid));
    let refused: unknown;
    try { acquireLock(dir); } catch (e) { refused = e; }
    expect(isLatticeError(refused, 'E_DATA_DIR_LOCKED')).toBe(true);
    lock.release();
    lock.release();
    expect(existsSync(lock.lockFile)).toBe(false);

    // A pid that cannot be running (beyond pid_max), then our own pid left by an earlier process.
    for (const stale of ['4194305', String(process.pid), 'garbage']) {
      writeFileSync(dataDirPaths(dir).lockFile, stale + '\n');
      const again = acquireLock(dir);
      expect(readFileSync(again.lockFile, 'utf8').trim()).toBe(String(process.pid));
      again.release();
    }
  });
});

describe('daemon socket', () => {
  it('serves on a 0600 socket, is not clobbered by a second daemon, and stops cleanly on SIGTERM', async (t) => {
    const dir = tempDir(t);
    const daemon = spawnChild(t, [CHILD, 'daemon', dir], { tsx: true });
    const { serving } = await daemon.nextLine();
    expect(serving).toBe(dataDirPaths(dir).socket);
    expect(statSync(serving).mode & 0o777).toBe(0o600);

    const second = spawnChild(t, [CHILD, 'daemon', dir], { tsx: true });
    expect((await second.nextLine()).error.code).toBe('E_DATA_DIR_LOCKED');
    const client = (await connectDaemon(serving))!;
    expect((await client.status()).daemon).toBe(true);
    await client.close();

    daemon.proc.kill('SIGTERM');
    expect(await daemon.nextLine()).toEqual({ stopped: true, closed: 1 });
    expect(await daemon.exited).toBe(0);
    expect(existsSync(serving)).toBe(false);
  });

  it('starts over a stale socket left by kill -9', async (t) => {
    const dir = tempDir(t);
    const first = spawnChild(t, [CHILD, 'daemon', dir], { tsx: true });
    const { serving } = await first.nextLine();
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(existsSync(serving)).toBe(true);
    expect(await connectDaemon(serving)).toBeNull();

    const next = spawnChild(t, [CHILD, 'daemon', dir], { tsx: true });
    expect((await next.nextLine()).serving).toBe(serving);
    const client = (await connectDaemon(serving))!;
    expect((await client.storeVerify('s')).ok).toBe(true);
    await client.close();
  });
});
