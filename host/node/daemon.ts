// `lattice daemon` (DESIGN §8): serves one open node to local clients over <data-dir>/lattice.sock (mode 0600).
// A socket file left by a killed daemon must not block the next start, but a live daemon is never clobbered: we
// connect first and only remove a socket that nobody answers on.
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { LatticeError } from '../model/errors.js';
import type { NodeApi } from './api.js';
import { connectDaemon } from './client.js';
import { socketPath } from './data-dir.js';
import { logger } from './logger.js';
import { serveConnection } from './rpc.js';

const log = logger('lattice:node:daemon');

export interface DaemonOptions {
  dataDir: string;
  /** The node to serve; the daemon closes it when it stops. */
  node: NodeApi;
  /** Aborting stops the daemon: no new connections, open ones closed, node closed, socket removed. */
  signal: AbortSignal;
}

export interface DaemonHandle {
  readonly socketPath: string;
  /** Settles once the daemon has stopped and cleaned up (rejects if closing the node failed). */
  readonly stopped: Promise<void>;
}

/** Removes a socket file nobody listens on; throws E_DATA_DIR_LOCKED if a daemon answers on it. */
export async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  const live = await connectDaemon(path, { timeoutMs: 1000 }).catch(() => null);
  if (live) {
    await live.close();
    throw new LatticeError('E_DATA_DIR_LOCKED', `a daemon already serves ${path}`, { socket: path });
  }
  log('removing the stale socket %s', path);
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export async function serveDaemon(opts: DaemonOptions): Promise<DaemonHandle> {
  const { node, signal } = opts;
  signal.throwIfAborted();
  const path = socketPath(opts.dataDir);
  await removeStaleSocket(path);

  const connections = new Map<Socket, () => void>();
  const server = createServer((socket) => {
    connections.set(socket, serveConnection(socket, node, log));
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new LatticeError('E_DAEMON', `cannot listen on ${path}: ${e.message}`, { socket: path, errno: e.code }, { cause: e })),
    );
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  server.on('error', (e) => log.error('server error: %s', e.message));
  log('serving on %s', path);

  const stopped = new Promise<void>((resolve, reject) => {
    const stop = async (): Promise<void> => {
      log('stopping');
      const closing = new Promise<void>((r) => server.close(() => r()));
      for (const [socket, abortStreams] of connections) {
        abortStreams();
        socket.destroy();
      }
      await closing;
      try {
        await node.close();
      } finally {
        try { unlinkSync(path); } catch { /* already removed */ }
      }
      log('stopped');
    };
    const onAbort = (): void => void stop().then(resolve, reject);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { socketPath: path, stopped };
}

/** An AbortSignal that fires on the first SIGINT or SIGTERM; `dispose` removes the handlers. */
export function signalOnTermination(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => ac.abort(new LatticeError('E_ABORTED', `stopped by ${name}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
