// One process per data dir (DESIGN §8): a lock file holding the holder's pid. A second process gets
// E_DATA_DIR_LOCKED naming that pid; a lock left by a dead process (kill -9, a crash) is taken over.
import { linkSync, mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { LatticeError } from '../model/errors.js';
import { dataDirPaths } from './data-dir.js';

export interface DataDirLock {
  readonly lockFile: string;
  readonly pid: number;
  /** Removes the lock file if this process still holds it. Idempotent. */
  release(): void;
}

// Locks this process holds: a pid in a lock file equal to our own is ours only if we took it in this process;
// otherwise it was left by an earlier process that had the same pid (containers reuse pids).
const held = new Set<string>();

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(n) ? n : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Takes the data dir's lock or throws E_DATA_DIR_LOCKED naming the live holder. */
export function acquireLock(dataDir: string): DataDirLock {
  const { lockFile } = dataDirPaths(dataDir);
  if (held.has(lockFile)) {
    throw new LatticeError('E_DATA_DIR_LOCKED', `this process already holds ${lockFile}`, { pid: process.pid, lockFile });
  }
  // The pid is written to a private file and hard-linked into place, so the lock file appears with its content
  // whole: a reader never sees an empty lock.
  const tmp = `${lockFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, lockFile);
        held.add(lockFile);
        return makeLock(lockFile);
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e;
      }
      const holder = readPid(lockFile);
      // Our own pid here is a lock an earlier process with the same pid left (we checked `held` above).
      if (holder !== undefined && holder !== process.pid && pidAlive(holder)) {
        throw new LatticeError('E_DATA_DIR_LOCKED', `${dataDir} is in use by process ${holder} (to run commands while a node runs, start it as lattice daemon: commands then go through its socket)`, { pid: holder, lockFile });
      }
      removeStale(lockFile, holder);
    }
    throw new LatticeError('E_DATA_DIR_LOCKED', `could not take ${lockFile}: other processes keep racing for it`, { lockFile });
  } finally {
    try { unlinkSync(tmp); } catch { /* already gone */ }
  }
}

// Two processes may find the same stale lock at once; a short-lived mutex (mkdir is atomic) lets only one of them
// remove it, and it re-reads the pid under the mutex so it never removes a lock that was just taken.
function removeStale(lockFile: string, stalePid: number | undefined): void {
  const mutex = `${lockFile}.takeover`;
  try {
    mkdirSync(mutex);
  } catch (e) {
    if (errno(e) !== 'EEXIST') throw e;
    // A takeover that crashed half-way leaves the mutex behind; one older than 10 s is abandoned.
    try {
      if (Date.now() - statSync(mutex).mtimeMs > 10_000) rmdirSync(mutex);
    } catch { /* another process removed it */ }
    return;
  }
  try {
    if (readPid(lockFile) === stalePid) {
      try { unlinkSync(lockFile); } catch (e) { if (errno(e) !== 'ENOENT') throw e; }
    }
  } finally {
    rmdirSync(mutex);
  }
}

/**
 * Takes the lock, waiting up to `waitMs` for a live holder to let go (a short command, such as `lattice status`,
 * holds the dir for well under a second; a second command started meanwhile should not fail for it). After the
 * wait it throws what `acquireLock` throws.
 */
export async function acquireLockWaiting(dataDir: string, waitMs: number, pollMs = 50): Promise<DataDirLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return acquireLock(dataDir);
    } catch (e) {
      const held = e instanceof LatticeError && e.code === 'E_DATA_DIR_LOCKED' && e.details?.['pid'] !== process.pid;
      if (!held || Date.now() + pollMs > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

function makeLock(lockFile: string): DataDirLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    held.delete(lockFile);
    if (readPid(lockFile) === process.pid) {
      try { unlinkSync(lockFile); } catch (e) { if (errno(e) !== 'ENOENT') throw e; }
    }
  };
  // A process that exits without closing its node (an uncaught error) still leaves no lock behind.
  process.on('exit', release);
  return { lockFile, pid: process.pid, release };
}
